"""Callback requests: a caller who chose to be called back keeps their place and is rung at their turn.

The database row is the source of truth; each state change is a conditional UPDATE (from the state we expect),
so two workers, a retried job or a repeated webhook can never move one callback twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callflow.models import Callback


class CallbackState(str, Enum):
    """Where a callback is in its life."""

    REQUESTED = "requested"
    DIALLING = "dialling"
    CONNECTED = "connected"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    DONE = "done"
    GIVEN_UP = "given-up"


MOVES = {
    CallbackState.REQUESTED: {CallbackState.DIALLING, CallbackState.GIVEN_UP},
    CallbackState.DIALLING: {CallbackState.CONNECTED, CallbackState.NO_ANSWER, CallbackState.BUSY,
                             CallbackState.FAILED},
    CallbackState.CONNECTED: {CallbackState.DONE},
    CallbackState.NO_ANSWER: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
    CallbackState.BUSY: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
    CallbackState.FAILED: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
}


def request_callback(session: Session, call_sid: str, phone: str, line: str, department: str,
                     now: datetime) -> Callback:
    """Record a caller's request (once per call: a repeated webhook returns the same request)."""
    existing = find_by_call(session, call_sid)
    if existing is not None:
        return existing
    callback = Callback(call_sid=call_sid, phone=phone, line=line, department=department,
                        state=CallbackState.REQUESTED.value, attempts=0, created_at=now, updated_at=now)
    session.add(callback)
    try:
        session.commit()
    except IntegrityError:  # another process recorded the same request at the same moment
        session.rollback()
        return find_by_call(session, call_sid)
    return callback


def find_by_call(session: Session, call_sid: str) -> Callback | None:
    """The callback a call asked for."""
    return session.scalars(select(Callback).where(Callback.call_sid == call_sid)).first()


def move(session: Session, callback_id: int, to: CallbackState, now: datetime, **fields) -> bool:
    """Move a callback to `to` if that is a legal step from its current state; False if someone else moved it."""
    current = session.scalar(select(Callback.state).where(Callback.id == callback_id))
    if current is None or to not in MOVES.get(CallbackState(current), set()):
        return False
    values = {"state": to.value, "updated_at": now, **fields}
    if to is CallbackState.DIALLING:
        values["attempts"] = Callback.attempts + 1
    result = session.execute(update(Callback).where(Callback.id == callback_id, Callback.state == current)
                             .values(**values))
    session.commit()
    return result.rowcount == 1
