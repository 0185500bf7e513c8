"""Work a caller must never wait for: training a steering router or parsing a script inside a webhook.

A web process does that work before it accepts traffic and beside it (`services/warm_up.py`); if it ever
happens while a webhook is being answered, the process says so in its log ("a caller waited") and keeps a
note of it, which the tests read: a test fails on any such note.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

_answering = threading.local()  # set while this thread answers a webhook (gthread: one request per thread)
seen: list[str] = []  # what callers waited for in this process, newest last


def answering(yes: bool) -> None:
    """This thread starts (True) or finishes (False) answering a webhook."""
    _answering.call = yes


def in_call() -> bool:
    """Whether this thread is answering a webhook now."""
    return getattr(_answering, "call", False)


def note(what: str) -> None:
    """Cold work is about to be done here: recorded and logged when a caller is waiting for it."""
    if in_call():
        seen.append(what)
        log.error("a caller waited while this process %s", what)
