"""The call log in the database: when each call started and ended, and where it went."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callflow.store.models import Call

RECENT = timedelta(hours=24)
_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # dialects with ON CONFLICT


def call_started(session: Session, sid: str, caller: str, called: str, now: datetime,
                 direction: str = "inbound", script_version: str | None = None, department: str | None = None,
                 path: list | None = None, language: str | None = None) -> None:
    """Record a new call; a repeated webhook for the same call changes nothing. `language`: the one the caller
    was answered in ("es-US"), which the SMS after the call and the summary speak.

    One INSERT ... ON CONFLICT DO NOTHING rather than a read then a write, so two web processes answering
    the same repeated webhook do not race to a duplicate key.
    """
    values = {"sid": sid, "caller": caller, "called": called, "direction": direction, "status": "in-progress",
              "started_at": now, "script_version": script_version, "department": department,
              "path": None if path is None else json.dumps(path), "language": language or None}
    dialect = session.get_bind().dialect.name
    if dialect in _UPSERTS:
        session.execute(_UPSERTS[dialect](Call).values(**values).on_conflict_do_nothing(index_elements=["sid"]))
    elif session.get(Call, sid) is None:
        session.add(Call(**values))
    session.commit()


def call_progressed(session: Session, sid: str, department: str | None, path: list) -> None:
    """Remember where the caller got to (department reached, IVR steps): one UPDATE, no read first."""
    changes = {"path": json.dumps(path)}
    if department:
        changes["department"] = department
    session.execute(update(Call).where(Call.sid == sid).values(**changes))
    session.commit()


def call_ended(session: Session, sid: str, status: str, ended_at: datetime, duration: int | None) -> bool:
    """Close the call's record; returns False when it was already closed (Twilio repeats callbacks)."""
    call = session.get(Call, sid)
    if call is None or call.ended_at is not None:
        return False
    call.status, call.ended_at, call.duration_seconds = status, ended_at, duration
    session.commit()
    return True


def recent_department(session: Session, caller: str, now: datetime) -> str | None:
    """The department this number reached in the last 24 hours, to offer to continue there."""
    query = (select(Call.department)
             .where(Call.caller == caller, Call.department.is_not(None), Call.started_at >= now - RECENT)
             .order_by(Call.started_at.desc()).limit(1))
    return session.scalars(query).first()


def has_ended(session: Session, sid: str) -> bool:
    """Whether the call log says the call ended."""
    call = session.get(Call, sid)
    return call is not None and call.ended_at is not None
