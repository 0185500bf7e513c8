"""RQ entry points: module-level functions that take ids and primitives, never ORM objects.

A worker process builds its Runtime from the environment once; every job opens and closes its own session.
"""

from __future__ import annotations

from datetime import UTC, datetime

from callflow import call_log
from callflow.runtime import Runtime
from callflow.settings import Settings

_runtime: Runtime | None = None


def runtime() -> Runtime:
    """This worker process's resources, built from the environment on first use."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    return _runtime


def close_call(call_sid: str, status: str, ended_at: float, duration: int | None) -> bool:
    """Record that a call ended (idempotent: Twilio may repeat the status callback)."""
    with runtime().sessions() as session:
        return call_log.call_ended(session, call_sid, status, datetime.fromtimestamp(ended_at, UTC), duration)
