"""Learning from misroutes: the words of transferred callers become examples for the department that served them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.models import LearnedExample


def record_misroute(session: Session, words: list[str] | tuple[str, ...], served_by: str,
                    routed_to: str | None, call_sid: str, now: datetime) -> list[LearnedExample]:
    """Store what the caller said as examples for the department that finally served them."""
    examples = [LearnedExample(text=text.strip(), department=served_by, wrong_department=routed_to,
                               call_sid=call_sid, created_at=now)
                for text in words if text and text.strip()]
    session.add_all(examples)
    session.commit()
    return examples


def learned_examples(session: Session, include_removed: bool = False) -> list[LearnedExample]:
    """Learned examples, newest first (what administrators review)."""
    query = select(LearnedExample).order_by(LearnedExample.created_at.desc(), LearnedExample.id.desc())
    if not include_removed:
        query = query.where(LearnedExample.removed.is_(False))
    return list(session.scalars(query))


def remove_example(session: Session, example_id: int) -> bool:
    """Take an example out of training (kept for the record); False when there is no such example."""
    example = session.get(LearnedExample, example_id)
    if example is None or example.removed:
        return False
    example.removed = True
    session.commit()
    return True


def training_pairs(session: Session) -> list[tuple[str, str]]:
    """(text, department) pairs for the router, oldest first so later corrections win."""
    return [(e.text, e.department) for e in reversed(learned_examples(session))]
