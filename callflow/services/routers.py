"""Call-steering routers: trained for each script version with what agents' transfers and imported history
taught, published in Redis to every process (`store/routers.py`), and kept by each process for its calls.

The first process to need a version trains it (script phrases plus what transfers taught) and publishes it;
the others load the bytes (milliseconds). A retrain (`jobs.retrain_router`) publishes a new router, which
each process picks up on its next call. A caller never waits for a big training: past
`INLINE_TRAINING_LIMIT` learned examples, the process steers with the script's phrases alone (kept here,
never published) while a worker trains and publishes the full router.
"""

from __future__ import annotations

import logging
import threading

from callflow.services import queued
from callflow.store import routers as published
from callflow.store.learning import training_pairs

log = logging.getLogger(__name__)

INLINE_TRAINING_LIMIT = 500  # learned examples a web process trains on while a caller waits (~1 s); more: a worker


class Steering:
    """One process's routers, by script version (`Runtime.steer_for`)."""

    def __init__(self, rt) -> None:
        self.rt = rt
        self._lock = threading.Lock()
        self._routers: dict = {}

    def steer_for(self, script):
        """The call-steering router for this script version, as last published to every process."""
        # Lazy: scikit-learn (about a second) is loaded by the first steered call, not by every process.
        from callflow.domain.steering.router import Router

        redis = self.rt.redis
        published_id = published.published_id(redis, script.version)
        with self._lock:
            cached = self._routers.get(script.version)
            if cached is not None and published_id is None:  # ours is provisional, or the published one expired
                self._queue_training(script)
                return cached.steer
            if cached is not None and cached.version == published_id:
                return cached.steer
            router = None
            if published_id is not None:
                stored = published.published_bytes(redis, script.version)
                try:
                    router = Router.from_bytes(stored) if stored is not None else None
                except ValueError:  # written by another scikit-learn version: retrain below
                    router = None
            if router is None:
                router = self._train(script)
            self._routers[script.version] = router
        return None if router is None else router.steer

    def _train(self, script):
        # Lazy: scikit-learn, as above.
        from callflow.domain.steering.training import router_for_script

        try:
            with self.rt.sessions() as session:
                learned = training_pairs(session)
        except Exception:  # the database is down: steer from the script's phrases alone
            log.exception("could not read learned examples; steering from the script alone")
            learned = []
        if len(learned) > INLINE_TRAINING_LIMIT:
            self._queue_training(script)
            log.info("script %s: %d learned examples are trained by a worker; the script's phrases steer until then",
                     script.version, len(learned))
            return router_for_script(script)
        router = router_for_script(script, learned)
        _publish(self.rt, script, router)
        return router

    def _queue_training(self, script) -> None:
        """Have a worker train and publish this version's router (once, however many calls ask meanwhile)."""
        if published.claim_training(self.rt.redis, script.version):
            queued.enqueue(self.rt, "retrain_router", (script.numbers or ("",))[0])


def publish_router(rt, script, learned) -> str | None:
    """Train the router for a script version with learned examples and publish it to every process."""
    # Lazy: scikit-learn, as above.
    from callflow.domain.steering.training import router_for_script

    return _publish(rt, script, router_for_script(script, learned))


def _publish(rt, script, router) -> str | None:
    if router is None:
        return None
    published.publish(rt.redis, script.version, router.to_bytes(), router.version)
    return router.version


def retrain_router(rt, line: str) -> str | None:
    """Retrain the line's router with what transfers taught it, and publish it to every web process."""
    script = rt.script_for_number(line)
    if script is None:
        return None
    with rt.sessions() as session:
        learned = training_pairs(session)
    return publish_router(rt, script, learned)


def retrain_every_line(rt) -> None:
    """Queue a retrain of every line's router: the learned examples changed (removed, imported)."""
    for script in rt.scripts.current.values():
        for number in script.numbers or ("",):
            queued.enqueue(rt, "retrain_router", number)
