"""Script texts shared in Redis, so every process can run any live call's version, and the count of
publications that tells each process to reload its scripts."""

from __future__ import annotations

import redis

SCRIPT_KEY = "callflow:script:"  # version hash -> script text, so every process can run any live call's version
PUBLISHED_KEY = "callflow:scripts:published"  # INCR'd at every publication: processes reload their scripts
SCRIPT_TTL_SECONDS = 2 * 24 * 3600


def share(connection: redis.Redis, version: str, text: str, keep_existing: bool = False) -> None:
    """Make a version's text readable by every process for a call's life (`keep_existing`: don't refresh)."""
    connection.set(SCRIPT_KEY + version, text, nx=keep_existing, ex=SCRIPT_TTL_SECONDS)


def shared_text(connection: redis.Redis, version: str) -> str | None:
    """A version's text as shared by the process that started a call on it, if Redis still has it."""
    raw = connection.get(SCRIPT_KEY + version)
    return raw.decode() if raw is not None else None


def publications(connection: redis.Redis) -> bytes | None:
    """The count of publications so far (None: none since Redis started)."""
    return connection.get(PUBLISHED_KEY)


def announce_publication(connection: redis.Redis) -> int:
    """A publication happened: count it, so every process reloads before its next new call; the new count."""
    return connection.incr(PUBLISHED_KEY)
