"""Login rate limits: after too many wrong passwords for one login, or from one address, logins are refused
for a while, with the same words whether or not the login exists (no account enumeration).

Counts live in Redis so every web process shares them: 5 failures for a login within 5 minutes lock that
login for 5 minutes (whoever tries, even with the right password); 20 failures from one address lock that
address (higher, because a contact-centre floor often shares one address). Each failure pushes the window back.
A good login clears its login's count. When Redis is down, logins are not limited (and it is logged):
agents must still be able to log in during an outage.

The address is `request.remote_addr`: behind a load balancer, configure Werkzeug's ProxyFix so it is the
client's, not the balancer's (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import logging

import redis

log = logging.getLogger(__name__)

KEY = "callflow:login-failures:"
MAX_PER_LOGIN = 5
MAX_PER_ADDRESS = 20
LOCK_SECONDS = 300
LOCKED = "Too many failed logins. Please wait a few minutes and try again."


def _keys(login: str, address: str) -> list[tuple[str, int]]:
    digest = hashlib.sha256(login.encode()).hexdigest()[:32]  # any bytes a client sends make a safe key
    return [(f"{KEY}login:{digest}", MAX_PER_LOGIN), (f"{KEY}addr:{address or '?'}", MAX_PER_ADDRESS)]


def locked(connection: redis.Redis, login: str, address: str) -> bool:
    """Whether this login or this address has failed too often lately."""
    try:
        counts = connection.mget([key for key, _ in _keys(login, address)])
    except redis.RedisError:
        log.warning("login limits unavailable (Redis): not limiting")
        return False
    return any(count is not None and int(count) >= limit
               for count, (_, limit) in zip(counts, _keys(login, address), strict=True))


def failed(connection: redis.Redis, login: str, address: str) -> None:
    """Count a wrong password against the login and the address."""
    try:
        with connection.pipeline() as pipe:
            for key, _ in _keys(login, address):
                pipe.incr(key)
                pipe.expire(key, LOCK_SECONDS)
            pipe.execute()
    except redis.RedisError:
        log.warning("login limits unavailable (Redis): failure not counted")


def succeeded(connection: redis.Redis, login: str) -> None:
    """A good login clears its login's count (not the address's)."""
    try:
        connection.delete(_keys(login, "")[0][0])
    except redis.RedisError:
        log.warning("login limits unavailable (Redis)")
