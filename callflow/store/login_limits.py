"""Login throttling: a password guesser is slowed down, more with every wrong guess, and the real agent still
gets in. Nothing is ever locked: a lock is a weapon anyone can point at any agent.

As OWASP's authentication guidance recommends (with its "device cookies", see `devices.py`), every attempt
is charged, before the password is checked, to the scopes it belongs to; each scope earns a wait that doubles
with every failure past its free allowance, up to a ceiling, and forgets one failure every so often:

- the client: this login from this browser (when it has logged in as this login before) or else from this
  address. It slows one guesser without touching anyone else;
- the account: this login from every browser that has never logged in as it. A guesser with many addresses
  slows only strangers; the agent's own browser is not slowed by them;
- the address: its budget of failures from browsers it does not know, across logins, refilled over an hour.
  It slows one address that tries many logins (password spraying), while an office floor of agents who
  mistype now and then never spends it, and agents at their own browsers are never held by it.

A throttled attempt is answered 429 "try again in N seconds" without the password being checked (so a guesser
learns nothing meanwhile), with the same words whether or not the login exists (no account enumeration). A
good login clears its client's failures and gives back what that attempt was charged elsewhere. Every failure
and every throttled attempt is logged (the audit). State lives in Redis, shared by every web process; when
Redis is down, logins are not limited (and it is logged): agents must still log in during an outage.

The address is `request.remote_addr`: behind a load balancer, configure Werkzeug's ProxyFix so it is the
client's, not the balancer's (docs/operations.md). Times are the shared clock's seconds (`now`).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass

import redis

log = logging.getLogger(__name__)

KEY = "callflow:login-throttle:"


@dataclass(frozen=True)
class Rule:
    """How one scope slows its attempts: after n failures, n >= free, the next attempt waits
    min(first * 2 ** (n - free), longest) seconds after the last one (the arithmetic is in `_ADMIT`)."""

    free: int
    first: float
    longest: float
    forget: float  # one failure is forgotten every `forget` seconds


CLIENT = Rule(free=3, first=2, longest=900, forget=600)
ACCOUNT = Rule(free=5, first=2, longest=300, forget=600)
ADDRESS = Rule(free=50, first=2, longest=300, forget=72)  # a budget of 50 failures an hour


def throttled_message(seconds: float) -> str:
    """What a throttled client reads: honest about how long, the same whether or not the login exists."""
    whole = max(1, math.ceil(seconds))
    if whole >= 120:
        return f"Too many failed logins. Try again in {math.ceil(whole / 60)} minutes."
    return f"Too many failed logins. Try again in {whole} second{'s' if whole != 1 else ''}."


# KEYS: the scopes' hashes. ARGV: now, then free, first, longest, forget for each key. Every scope's wait
# since its last attempt must have passed; if so, each is charged one attempt (`n` decays with time).
_ADMIT = """
local now = tonumber(ARGV[1])
local longest_wait = 0
local counts = {}
for i, key in ipairs(KEYS) do
  local base = 1 + (i - 1) * 4
  local free, first, longest, forget = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]),
    tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
  local state = redis.call('HMGET', key, 'n', 't')
  local n, t = tonumber(state[1]) or 0, tonumber(state[2]) or now
  if n >= free then
    local remaining = t + math.min(first * 2 ^ (n - free), longest) - now
    if remaining > longest_wait then longest_wait = remaining end
  end
  counts[i] = math.max(0, n - math.max(0, now - t) / forget) + 1
end
if longest_wait > 0 then return tostring(longest_wait) end
for i, key in ipairs(KEYS) do
  local forget = tonumber(ARGV[1 + (i - 1) * 4 + 4])
  redis.call('HSET', key, 'n', tostring(counts[i]), 't', ARGV[1])
  redis.call('EXPIRE', key, math.ceil(forget * (counts[i] + 1) + 1000))
end
return '0'
"""

# KEYS[1]: the client's scope, cleared; the others are given back the attempt charged (never below zero).
_REFUND = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  local n = tonumber(redis.call('HGET', KEYS[i], 'n'))
  if n then redis.call('HSET', KEYS[i], 'n', tostring(math.max(0, n - 1))) end
end
return 0
"""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]  # any bytes a client sends make a safe key


def _scopes(login: str, address: str, device: str | None) -> list[tuple[str, Rule]]:
    """The client's scope first; a browser that has logged in as this login is charged nothing else."""
    account, address = _digest(login), address or "?"
    if device:
        return [(f"{KEY}client:{account}:device:{_digest(device)}", CLIENT)]
    return [(f"{KEY}client:{account}:addr:{_digest(address)}", CLIENT),
            (f"{KEY}account:{account}", ACCOUNT), (f"{KEY}addr:{_digest(address)}", ADDRESS)]


def admit(connection: redis.Redis, login: str, address: str, device: str | None, now: float) -> float:
    """0 when this attempt may check its password (and it is charged), else the seconds left to wait."""
    scopes = _scopes(login, address, device)
    arguments = [repr(float(now))]
    for _, rule in scopes:
        arguments += [rule.free, rule.first, rule.longest, rule.forget]
    try:
        wait = float(connection.eval(_ADMIT, len(scopes), *[key for key, _ in scopes], *arguments))
    except redis.RedisError:
        log.warning("login throttling unavailable (Redis): not limiting")
        return 0.0
    if wait > 0:
        log.warning("login throttled: %r from %s (%s browser), %.0f s to wait", login, address,
                    "known" if device else "unknown", wait)
    return wait


def failed(login: str, address: str, device: str | None) -> None:
    """Audit a wrong password or an unknown login (the attempt was charged when it was admitted)."""
    log.warning("login failed: %r from %s (%s browser)", login, address, "known" if device else "unknown")


def succeeded(connection: redis.Redis, login: str, address: str, device: str | None) -> None:
    """A good login clears its client's failures and takes back what this attempt was charged elsewhere."""
    scopes = _scopes(login, address, device)
    try:
        connection.eval(_REFUND, len(scopes), *[key for key, _ in scopes])
    except redis.RedisError:
        log.warning("login throttling unavailable (Redis)")
