"""Promises made to callers on hold, kept in Redis so every web process can check and keep them.

Each promise and each choice is also appended to the caller's hold log, which the call summary reads: when
permission was asked and what the caller said, each promise and whether it was kept, a callback accepted.
"""

from __future__ import annotations

import json

import redis

PROMISE_KEY = "callflow:promise:"  # HASH per caller: made_at, seconds, until
HOLD_LOG_KEY = "callflow:hold-log:"  # LIST per caller: JSON events in order
TTL_SECONDS = 2 * 24 * 3600
DEFAULT_HANDLE_SECONDS = 300.0  # until the department has history: five minutes a call, wrap-up included


class Promises:
    """The hold manager's memory of what it told each caller."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection

    def log(self, sid: str, event: str, at: float, **details) -> None:
        """Append an event to the caller's hold log."""
        key = HOLD_LOG_KEY + sid
        self.connection.rpush(key, json.dumps({"event": event, "at": round(at, 3), **details}))
        self.connection.expire(key, TTL_SECONDS)

    def history(self, sid: str) -> list[dict]:
        """The caller's hold log, oldest first."""
        return [json.loads(raw) for raw in self.connection.lrange(HOLD_LOG_KEY + sid, 0, -1)]

    def promise(self, sid: str, seconds: int, now: float) -> None:
        """Remember a promise ("less than N minutes", as heard) made now."""
        key = PROMISE_KEY + sid
        self.connection.hset(key, mapping={"made_at": repr(now), "seconds": seconds, "until": repr(now + seconds)})
        self.connection.expire(key, TTL_SECONDS)
        self.log(sid, "promise", now, seconds=seconds)

    def broken(self, sid: str, now: float) -> bool:
        """True when the current promise has passed (each broken promise is logged once)."""
        until = self.connection.hget(PROMISE_KEY + sid, "until")
        if until is None or now <= float(until):
            return False
        if self.connection.hsetnx(PROMISE_KEY + sid, "broken", "1"):
            self.log(sid, "promise-broken", now)
        return True

    def kept(self, sid: str, now: float) -> None:
        """An agent picked up: log whether the last promise was kept."""
        until = self.connection.hget(PROMISE_KEY + sid, "until")
        if until is not None:
            self.log(sid, "promise-kept" if now <= float(until) else "promise-broken-at-answer", now)
        self.connection.delete(PROMISE_KEY + sid)


def interim_estimate(position: int, agents: int, handle_seconds: float = DEFAULT_HANDLE_SECONDS) -> float:
    """A cautious estimate until the department's own estimator is in place: QL with a margin.

    Ibrahim & Whitt's QL: a caller with n ahead waits about (n + 1) / (s * mu); the factor 1.5 stands in for the
    calibrated upper quantile the real estimator gives, so promises err on the side of being kept.
    """
    return 1.5 * position * handle_seconds / max(agents, 1)
