"""Callback requests: a caller who chose to be called back keeps their place and is rung at their turn.

The database row is the source of truth; each state change is a conditional UPDATE (from the state we expect),
so two workers, a retried job or a repeated webhook can never move one callback twice.

Dialling is exactly-once by a claim: the UPDATE that takes a callback to `dialling` also writes a fresh lease
token and a lease end, in the same transaction as a `callback_dials` row; a worker dials only while its token
is the row's, and records the call's sid against it. A claim whose worker died (lease over, no sid) is
reclaimed by the sweeper, which first asks Twilio for a call it does not know (the worker may have died after
Twilio accepted the call) and adopts it rather than dialling again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callflow.store import contact_events
from callflow.store.models import Callback, CallbackDial


class CallbackState(str, Enum):
    """Where a callback is in its life."""

    SCHEDULED = "scheduled"  # waits for the time the caller chose, then takes its place in line
    REQUESTED = "requested"  # in line (virtual hold), waiting for its turn
    DIALLING = "dialling"
    CONNECTED = "connected"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    DONE = "done"
    GIVEN_UP = "given-up"


UNANSWERED = (CallbackState.NO_ANSWER, CallbackState.BUSY, CallbackState.FAILED)
MOVES = {
    CallbackState.SCHEDULED: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
    # A caller in line may still choose a time instead of their turn (out of line until then).
    CallbackState.REQUESTED: {CallbackState.DIALLING, CallbackState.SCHEDULED, CallbackState.GIVEN_UP},
    CallbackState.DIALLING: {CallbackState.CONNECTED, CallbackState.NO_ANSWER, CallbackState.BUSY,
                             CallbackState.FAILED},
    CallbackState.CONNECTED: {CallbackState.DONE},
    CallbackState.NO_ANSWER: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
    CallbackState.BUSY: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
    CallbackState.FAILED: {CallbackState.REQUESTED, CallbackState.GIVEN_UP},
}


def request_callback(session: Session, call_sid: str, phone: str, line: str, department: str,
                     now: datetime, queued_at: datetime | None = None, due_at: datetime | None = None,
                     language: str | None = None) -> Callback:
    """Record a caller's request (once per call: a repeated webhook returns the same request).

    `queued_at` is when the caller first took their place in line (kept here so a lost Redis can be rebuilt);
    `due_at` a time the caller chose, until which the callback waits out of line; `language` the one the caller
    was answered in (None or "": the line's first), which the call back speaks.
    """
    existing = find_by_call(session, call_sid)
    if existing is not None:
        return existing
    state = CallbackState.SCHEDULED if due_at is not None and due_at > now else CallbackState.REQUESTED
    callback = Callback(call_sid=call_sid, phone=phone, line=line, department=department, state=state.value,
                        attempts=0, created_at=now, updated_at=now, queued_at=queued_at or now, due_at=due_at,
                        language=language or None)
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


def original_call_sid(session: Session, leg_sid: str) -> str:
    """The call a leg belongs to: the call we placed to call a customer back belongs to the call that asked."""
    asked = session.scalar(select(Callback.call_sid).where(Callback.dial_sid == leg_sid))
    return asked or leg_sid


def move(session: Session, callback_id: int, to: CallbackState, now: datetime,
         only_from: CallbackState | None = None, **fields) -> bool:
    """Move a callback to `to` if that is a legal step from its current state; False if someone else moved it.

    Dialling is not a move: it takes a claim (`claim`), so that only the claim's holder ever dials.
    """
    row = session.execute(select(Callback.state, Callback.call_sid, Callback.line, Callback.department,
                                 Callback.agent, Callback.attempts).where(Callback.id == callback_id)).first()
    current = row.state if row is not None else None
    if to is CallbackState.DIALLING or current is None or to not in MOVES.get(CallbackState(current), set()) \
            or (only_from is not None and current != only_from.value):
        return False
    values = {"state": to.value, "updated_at": now, **fields}
    result = session.execute(update(Callback).where(Callback.id == callback_id, Callback.state == current)
                             .values(**values))
    if result.rowcount == 1 and to.value in LOGGED:
        _log(session, callback_id, row, LOGGED[to.value], now, {"state": to.value} if to in UNANSWERED
             or to is CallbackState.GIVEN_UP else {})
    session.commit()
    return result.rowcount == 1


# The state changes the event log records (docs/events.md), by the event's kind.
LOGGED = {CallbackState.CONNECTED.value: "callback-answered", CallbackState.NO_ANSWER.value: "callback-failed",
          CallbackState.BUSY.value: "callback-failed", CallbackState.FAILED.value: "callback-failed",
          CallbackState.GIVEN_UP.value: "callback-failed"}


def _log(session: Session, callback_id: int, row, kind: str, now: datetime, detail: dict) -> None:
    """Log a callback's step in the event log, in the transaction that makes it (exactly once: the step is
    a conditional UPDATE, and the key names the callback, the attempt and the step)."""
    step = detail.get("state", kind)
    contact_events.append(session, [{
        "key": f"callback:{callback_id}:{row.attempts}:{step}", "call_sid": row.call_sid, "kind": kind,
        "at": now.timestamp(), "line": row.line, "department": row.department, "agent": row.agent,
        "detail": {"attempt": row.attempts, **detail}}])


class Claimed(NamedTuple):
    """What the holder of a fresh claim needs to dial, read in the same statement that took the claim."""

    phone: str
    line: str
    call_sid: str
    department: str
    agent: str


def claim(session: Session, callback_id: int, agent: str, token: str, claimed_by: str, now: datetime,
          lease_until: datetime) -> Claimed | None:
    """Take the right to dial a callback in line (requested -> dialling), for the agent reserved for it.

    One conditional UPDATE and the claim's row commit together: of any number of workers or retried jobs
    claiming the same callback, exactly one wins, and gets what it dials (None for the others). One round
    trip and one commit: the drain benchmark showed each dial's database trips were most of its time.
    """
    row = session.execute(
        update(Callback).where(Callback.id == callback_id, Callback.state == CallbackState.REQUESTED.value)
        .values(state=CallbackState.DIALLING.value, attempts=Callback.attempts + 1, agent=agent, dial_sid=None,
                lease_token=token, lease_until=lease_until, retry_at=None, updated_at=now)
        .returning(Callback.phone, Callback.line, Callback.call_sid, Callback.department, Callback.agent)).first()
    if row is None:
        session.rollback()
        return None
    claimed = Claimed(*row)
    session.add(CallbackDial(callback_id=callback_id, token=token, phone=claimed.phone, claimed_by=claimed_by,
                             claimed_at=now))
    session.commit()
    return claimed


def renew(session: Session, callback_id: int, token: str, now: datetime, lease_until: datetime) -> Claimed | None:
    """Extend a claim just before dialling, with what to dial; None when it has expired (the sweeper may have
    taken it over)."""
    row = session.execute(
        update(Callback).where(Callback.id == callback_id, Callback.state == CallbackState.DIALLING.value,
                               Callback.lease_token == token, Callback.dial_sid.is_(None),
                               Callback.lease_until > now)
        .values(lease_until=lease_until)
        .returning(Callback.phone, Callback.line, Callback.call_sid, Callback.department, Callback.agent)).first()
    session.commit()
    return None if row is None else Claimed(*row)


def record_dial(session: Session, callback_id: int, token: str, dial_sid: str) -> bool:
    """Write the sid of the call a claim placed (Twilio's answer, or a call the sweeper found and adopted)."""
    session.execute(update(CallbackDial).where(CallbackDial.token == token).values(dial_sid=dial_sid))
    result = session.execute(update(Callback).where(Callback.id == callback_id, Callback.lease_token == token)
                             .values(dial_sid=dial_sid))
    if result.rowcount == 1:
        row = session.execute(select(Callback.call_sid, Callback.line, Callback.department, Callback.agent,
                                     Callback.attempts, Callback.updated_at).where(Callback.id == callback_id)).first()
        _log(session, callback_id, row, "callback-placed", row.updated_at, {})
    session.commit()
    return result.rowcount == 1


def release(session: Session, callback_id: int, token: str, now: datetime) -> bool:
    """Give back a claim that never dialled (its agent is no longer free for it): back to `requested`."""
    result = session.execute(
        update(Callback).where(Callback.id == callback_id, Callback.state == CallbackState.DIALLING.value,
                               Callback.lease_token == token, Callback.dial_sid.is_(None))
        .values(state=CallbackState.REQUESTED.value, attempts=Callback.attempts - 1, agent=None, lease_token=None,
                lease_until=None, updated_at=now))
    session.commit()
    return result.rowcount == 1


def reclaim(session: Session, callback_id: int, old_token: str, token: str, claimed_by: str, now: datetime,
            lease_until: datetime) -> bool:
    """Take over an expired claim that placed no call (its worker died): a new token, the same attempt."""
    result = session.execute(
        update(Callback).where(Callback.id == callback_id, Callback.state == CallbackState.DIALLING.value,
                               Callback.lease_token == old_token, Callback.dial_sid.is_(None),
                               Callback.lease_until <= now)
        .values(lease_token=token, lease_until=lease_until, updated_at=now))
    if result.rowcount != 1:
        session.rollback()
        return False
    phone = session.scalar(select(Callback.phone).where(Callback.id == callback_id))
    session.add(CallbackDial(callback_id=callback_id, token=token, phone=phone, claimed_by=claimed_by,
                             claimed_at=now))
    session.commit()
    return True


def expired_claims(session: Session, now: datetime) -> list[Callback]:
    """Claims whose lease is over with no call recorded: their worker died or hangs."""
    return list(session.scalars(select(Callback).where(
        Callback.state == CallbackState.DIALLING.value, Callback.dial_sid.is_(None), Callback.lease_until <= now)))


def known_dials(session: Session, phone: str) -> set[str]:
    """Every call sid our claims placed to a number (to tell an orphaned call from ours)."""
    return set(session.scalars(select(CallbackDial.dial_sid).where(CallbackDial.phone == phone,
                                                                   CallbackDial.dial_sid.is_not(None))))


def in_state(session: Session, state: CallbackState) -> list[Callback]:
    """Callbacks in one state (the sweeper's view of what should be in line, or scheduled)."""
    return list(session.scalars(select(Callback).where(Callback.state == state.value)))


def lost_retries(session: Session, now: datetime) -> list[Callback]:
    """Unanswered callbacks whose retry time has passed without the retry job running (Redis lost it)."""
    return list(session.scalars(select(Callback).where(
        Callback.state.in_([s.value for s in UNANSWERED]), Callback.retry_at.is_not(None),
        Callback.retry_at <= now)))


def requests_since(session: Session, phone: str, since: datetime) -> int:
    """How many callbacks a number asked for since a moment (the toll-fraud guard's daily limit)."""
    return session.scalar(select(func.count()).select_from(Callback).where(Callback.phone == phone,
                                                                           Callback.created_at >= since)) or 0


def lease_end(now: datetime, virtual_seconds: float) -> datetime:
    """When a claim taken `now` expires."""
    return now + timedelta(seconds=virtual_seconds)


def change_phone(session: Session, callback_id: int, phone: str, now: datetime) -> bool:
    """Call back on another number (keyed and confirmed by the caller), while the callback still waits."""
    result = session.execute(update(Callback).where(
        Callback.id == callback_id,
        Callback.state.in_([CallbackState.REQUESTED.value, CallbackState.SCHEDULED.value]))
        .values(phone=phone, updated_at=now))
    session.commit()
    return result.rowcount == 1

