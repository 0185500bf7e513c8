"""A web process is ready before its first caller: scripts parsed and every live version's router loaded before
it accepts traffic, and kept current beside the traffic, so no webhook parses a script or trains a router.

`warm_up` runs once per web process before it serves (gunicorn's `post_worker_init`, before the heap is
frozen, so what it loads is frozen too). It loads each live script version's published router; one that was
never published (a first start without `callflow serve`, which publishes them first) is trained here, still
before any caller. From then on the process is *serving*: a keeper thread re-reads the scripts when a file
changes or something is published, and loads the routers workers publish (after a publication or a change of
what steering learned). A version that has no router yet gets the keypad menu and the speech fallback
(`services/routers.py`) rather than a caller waiting for a training.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from callflow.services.ivr import copy_customer_names
from callflow.services.routers import queue_training
from callflow.store.caller_memory import CallerMemory

log = logging.getLogger(__name__)

KEEPER_SECONDS = 0.25  # how often a serving process looks for new scripts and routers (two Redis reads)


def live_versions(rt) -> list:
    """Every script version new calls get now."""
    return list(rt.live_scripts.library.current.values())


def publish_missing(rt) -> list[str]:
    """Train and publish the router of every live script version that has none (`callflow serve`, before its
    web processes start); the versions trained."""
    missing = rt.steering.load(live_versions(rt))
    if missing:
        rt.steering.load([s for s in live_versions(rt) if s.version in missing], train_missing=True)
    return missing


def names_copied(rt) -> int | None:
    """Copy the customers' names into Redis unless it has them (`callflow serve`, before its web processes
    start): the first callers after a start with an empty Redis are greeted by name without each reading the
    database. How many were copied (None: Redis had them)."""
    if CallerMemory(rt.redis).has_names():
        return None
    return copy_customer_names(rt)


def warm_up(rt, keeper: bool = True) -> None:
    """Make this process ready to serve: scripts parsed, routers loaded (trained if never published), Redis
    and the database opened; then keep them current beside the traffic."""
    started = time.perf_counter()
    scripts = live_versions(rt)
    try:
        rt.steering.load(scripts, train_missing=True)
        rt.clock.now()  # opens Redis and reads the shared clock's anchor
    except redis.RedisError:  # the keeper loads the routers once Redis is back; the keypad serves meanwhile
        log.exception("warm-up: Redis did not answer; steering waits for it")
    try:
        with rt.sessions() as session:  # the pool's first connection
            session.connection()
    except Exception:  # the database is down: calls are answered without it (webhooks/safe_route.py)
        log.exception("warm-up: the database did not answer")
    rt.live_scripts.serving = rt.steering.serving = True
    log.info("warm-up: %d scripts and their routers ready in %.0f ms", len(scripts),
             (time.perf_counter() - started) * 1000)
    if keeper:
        Keeper(rt).start()


class Keeper(threading.Thread):
    """Keeps a serving process's scripts and routers current, beside its traffic."""

    def __init__(self, rt) -> None:
        super().__init__(name="callflow-keeper", daemon=True)
        self.rt = rt
        self.stopped = threading.Event()
        rt.keeper = self  # Runtime.close stops it

    def run(self) -> None:
        failing = False
        while not self.stopped.wait(KEEPER_SECONDS):
            try:
                self.keep()
                failing = False
            except Exception:  # Redis or the database is down: what is loaded stays in service
                if not failing:  # once per outage, not four times a second
                    log.exception("keeper: could not look for new scripts or routers")
                failing = True

    def keep(self) -> None:
        """One look: re-read the scripts if they changed, load newly published routers, ask for missing ones."""
        self.rt.live_scripts.refresh()
        scripts = live_versions(self.rt)
        missing = set(self.rt.steering.load(scripts))
        for script in scripts:
            if script.version in missing:
                queue_training(self.rt, script)

    def stop(self) -> None:
        self.stopped.set()
