"""Administrators' test calls in Redis: which administrator placed each, so only they may drive it."""

from __future__ import annotations

import redis

TEST_CALL_KEY = "callflow:test-call:"  # call sid -> the administrator who placed it (only they may drive it)
TEST_CALL_TTL = 3600


def placed_by(connection: redis.Redis, call_sid: str, login: str) -> None:
    """Note who placed a test call."""
    connection.set(TEST_CALL_KEY + call_sid, login, ex=TEST_CALL_TTL)


def owner(connection: redis.Redis, call_sid: str) -> str | None:
    """Who placed a test call, if it is one."""
    raw = connection.get(TEST_CALL_KEY + call_sid)
    return raw.decode() if raw is not None else None
