"""What call steering learns from, as administrators manage it (the steering page, `callflow learned`):
the examples learned, past calls imported, examples taken out; every change retrains the routers.
"""

from __future__ import annotations

from typing import TextIO

from callflow.domain.script.preview import preview
from callflow.services.routers import retrain_every_line
from callflow.store import learning, publications
from callflow.store.learning import HistoryRejected

__all__ = ["HistoryRejected", "examples", "import_history", "remove_example", "try_phrase"]


def examples(rt) -> list:
    """Learned examples, newest first (detached: readable after the session)."""
    with rt.sessions() as session:
        found = learning.learned_examples(session)
        session.expunge_all()
    return found


def import_history(rt, stream: TextIO, name: str, by: str | None = None) -> int:
    """Import labelled past calls (all or nothing: HistoryRejected), audited when `by` someone, and queue a
    retrain of every line's router with them."""
    now = rt.clock.now()
    departments = rt.scripts.departments()
    with rt.sessions() as session:
        count = learning.import_history(session, stream, departments, now, name=name)
        if by is not None:
            publications.audit(session, by, "import history", "steering", now, f"{count} examples from {name}")
            session.commit()
    retrain_every_line(rt)
    return count


def remove_example(rt, example_id: int, by: str | None = None) -> bool:
    """Take a learned example out of training (audited when `by` someone) and queue a retrain without it;
    False when there is no such example."""
    with rt.sessions() as session:
        if not learning.remove_example(session, example_id):
            return False
        if by is not None:
            publications.audit(session, by, "remove learned example", "steering", rt.clock.now(), str(example_id))
            session.commit()
    retrain_every_line(rt)
    return True


def try_phrase(rt, line_name: str, phrase: str):
    """Where the router in service sends a phrase on a line, and what the caller hears (None: no steering)."""
    script = rt.scripts.current.get(line_name)
    if not phrase or script is None:
        return None
    steer = rt.steer_for(script)
    return preview(script, steer, phrase, rt.clock.now()) if steer is not None else None
