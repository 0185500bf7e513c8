"""How agents close calls: an outcome, notes and the actions promised to the caller (all go into the summary)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.domain.errors import FieldError
from callflow.store.models import Disposition

OUTCOMES = ("resolved", "follow-up", "transferred", "callback-promised", "abusive", "no-action")


class DispositionError(FieldError):
    """A disposition that cannot be filed, with the field at fault."""

    names_field = True


def file_disposition(session: Session, call_sid: str, agent: str, outcome: str, now: datetime,
                     notes: str = "", promised: list[str] | tuple[str, ...] = ()) -> Disposition:
    """Record the outcome of an agent's part of a call."""
    if outcome not in OUTCOMES:
        raise DispositionError("outcome", f"one of {', '.join(OUTCOMES)}")
    if len(notes) > 4000:
        raise DispositionError("notes", "at most 4000 characters")
    disposition = Disposition(call_sid=call_sid, agent=agent, outcome=outcome, notes=notes.strip(),
                              promised="\n".join(p.strip() for p in promised if p.strip()), created_at=now)
    session.add(disposition)
    session.commit()
    return disposition


def dispositions_of(session: Session, call_sid: str) -> list[Disposition]:
    """Every disposition filed on a call, in order."""
    query = select(Disposition).where(Disposition.call_sid == call_sid).order_by(Disposition.id)
    return list(session.scalars(query))
