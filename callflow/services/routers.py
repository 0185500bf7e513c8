"""Call-steering routers retrained with what agents' transfers and imported history taught, and published to
every process (`Runtime.publish_router`; each process picks the new router up on its next call)."""

from __future__ import annotations

from callflow.services import queued
from callflow.store.learning import training_pairs


def retrain_router(rt, line: str) -> str | None:
    """Retrain the line's router with what transfers taught it, and publish it to every web process."""
    script = rt.script_for_number(line)
    if script is None:
        return None
    with rt.sessions() as session:
        learned = training_pairs(session)
    return rt.publish_router(script, learned)


def retrain_every_line(rt) -> None:
    """Queue a retrain of every line's router: the learned examples changed (removed, imported)."""
    for script in rt.scripts.current.values():
        for number in script.numbers or ("",):
            queued.enqueue(rt, "retrain_router", number)

