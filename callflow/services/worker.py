"""A worker process: what it builds before its first job, and the threads that keep it current.

RQ may fork a work-horse per job (`callflow worker --fork`), and whatever a horse imports or builds dies with
it. Measured: importing the twilio client takes most of a second and loading and checking the scripts another
second, so a horse that built its own runtime spent over a second before its first line of work
(docs/benchmarks.md, Callbacks). `prepare` builds them in the parent, which every horse inherits.
"""

from __future__ import annotations

import logging
import os
import threading

from callflow import twilio_queues
from callflow.services import queued
from callflow.services.callback_sweeper import keep_sweeping, sweeper_ttl
from callflow.store import callback_timer

log = logging.getLogger(__name__)


def prepare(rt) -> None:
    """Build what jobs use in the worker's parent process, so horses inherit it.

    Redis connections are re-made in a forked process by redis-py itself; the database pool is dropped in
    every horse (without closing the parent's connections), so no database connection is ever shared across
    a fork.
    """
    rt.script_for_number("")  # the scripts, loaded and checked (publications read from the database)
    for built in ("twilio", "clock", "jobs", "acd", "live_calls"):
        getattr(rt, built)
    os.register_at_fork(after_in_child=lambda: _own_database_pool(rt))
    rt.engine.dispose()


def _own_database_pool(rt) -> None:
    """In a forked work-horse: forget the parent's pooled database connections (they stay the parent's)."""
    if "engine" in vars(rt):
        rt.engine.dispose(close=False)


def keep_scripts_current(rt) -> None:
    """In the worker's parent: reload scripts after a publication, so horses inherit them instead of each
    loading them again; and size Twilio's queues for any department new to the scripts."""
    try:
        rt.script_for_number("")
    except Exception:
        log.warning("could not refresh the scripts in the worker", exc_info=True)
        return
    keep_twilio_queues_sized(rt)


_queues_sized: set[str] = set()  # this process's note of what it has sized already (Twilio holds the sizes)


def keep_twilio_queues_sized(rt) -> None:
    """Every department's Twilio queue as large as Twilio allows (`callflow/twilio_queues.py`); tried again
    at the next look if Twilio could not be reached."""
    names = twilio_queues.queue_names(rt.scripts.current.values())
    if names <= _queues_sized:
        return
    try:
        twilio_queues.size_queues(rt.twilio, names)
    except Exception:
        log.warning("could not size Twilio's queues; trying again shortly", exc_info=True)
        return
    _queues_sized.update(names)


def watch_sweeper(rt, stop: threading.Event | None = None) -> None:
    """A worker's thread: make sure a sweeper chain lives (Redis flushed or restarted, chain lost)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            keep_sweeping(rt)
        except Exception:  # Redis restarting: try again next time
            log.warning("could not check the callback sweeper", exc_info=True)
        keep_scripts_current(rt)
        stop.wait(min(sweeper_ttl(rt) / 3, 5))


def watch_due_callbacks(rt, stop: threading.Event | None = None) -> None:
    """A worker's thread: each callback booked for a time is put in line the moment it is due."""
    callback_timer.run(rt, lambda callback_id: queued.enqueue(rt, "callback_due", callback_id), stop)


INTERPRETER_TICK_SECONDS = 0.25  # real seconds between two looks for interpreter waits run out


def watch_interpreter_waits(rt, stop: threading.Event | None = None) -> None:
    """A worker's thread: when a caller held back for an agent of their language has waited the line's
    interpreter wait, their department is distributed again, so an agent already idle takes them
    (`store/distribution.py`: no presence change or new caller would otherwise make the match)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            departments = rt.acd.distributor.interpreter_waits_over(rt.clock.timestamp())
            if departments:
                queued.enqueue(rt, "distribute", departments)
        except Exception:  # Redis restarting: the next presence change or caller distributes anyway
            log.warning("could not look for interpreter waits run out", exc_info=True)
            stop.wait(1.0)
        stop.wait(INTERPRETER_TICK_SECONDS)
