"""The calls each agent still has to close with a disposition, kept in Redis until it is filed.

Every call an agent is seen talking on or wrapping up (and every call they transfer or end) is remembered
here, so the console keeps asking for its disposition after wrap-up has ended and even if the agent took a
next call meanwhile. Times are the shared clock's seconds (`now`).
"""

from __future__ import annotations

import json

TO_CLOSE_KEY = "callflow:console:to-close:"  # HASH per agent: call sid -> JSON {since, caller, ...}
OUTCOME_SUFFIX = ":outcome"  # HASH beside it: call sid -> the outcome suggested by what the agent did
CLOSED_SUFFIX = ":closed"  # SET beside it: calls already closed, never asked for again (the agent may still be
# wrapping up one of them, and the console keeps seeing it on their presence)
TO_CLOSE_TTL = 7 * 24 * 3600  # an unfiled disposition is still asked for after a weekend off

# Atomic, so a console poll that saw the call a moment before its disposition was filed cannot bring it back.
_REMEMBER = """
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""
_CLOSE = """
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return removed
"""


def _keys(login: str) -> list[str]:
    key = TO_CLOSE_KEY + login
    return [key, key + OUTCOME_SUFFIX, key + CLOSED_SUFFIX]


def remember_call(connection, login: str, sid: str, now: float, info=None, department_name: str | None = None,
                  outcome: str | None = None) -> None:
    """Note that the agent took part in a call, so the console asks for its disposition until it is filed.

    The first sighting keeps the time and who the caller was (their details leave Redis when the call ends);
    the suggested outcome (what the agent did: transferred, ended as abusive) is kept beside it.
    """
    entry = {"since": now, "caller": info.caller if info else "", "name": info.name if info else None,
             "department_name": department_name or (info.department if info else "")}
    connection.register_script(_REMEMBER)(keys=_keys(login), args=[sid, json.dumps(entry), outcome or "",
                                                                   TO_CLOSE_TTL])


def call_closed(connection, login: str, sid: str) -> bool:
    """The call's disposition has been filed: stop asking for it, for good. False when it was not being asked for."""
    return bool(connection.register_script(_CLOSE)(keys=_keys(login), args=[sid, TO_CLOSE_TTL]))


def is_to_close(connection, login: str, sid: str) -> bool:
    """Whether the agent still has this call to close."""
    return bool(connection.hexists(TO_CLOSE_KEY + login, sid))


def to_close(connection, login: str) -> list[tuple[str, dict, str | None]]:
    """The agent's calls still to close: (sid, what was kept of it, the suggested outcome), in no order."""
    raw = connection.hgetall(TO_CLOSE_KEY + login)
    suggested = connection.hgetall(TO_CLOSE_KEY + login + OUTCOME_SUFFIX)
    return [(sid.decode(), json.loads(entry), (suggested.get(sid) or b"").decode() or None)
            for sid, entry in raw.items()]


def claim(connection, login: str, sid: str) -> bytes | None:
    """Take the call off the agent's list to file its disposition: its entry when this claim took it, else None
    (not on the list, or another submit took it first), so a double submit files once."""
    key = TO_CLOSE_KEY + login
    pending = connection.hget(key, sid)
    return pending if pending and connection.hdel(key, sid) == 1 else None


def put_back(connection, login: str, sid: str, pending: bytes) -> None:
    """A refused disposition: the call is to close again, as it was."""
    connection.hsetnx(TO_CLOSE_KEY + login, sid, pending)
