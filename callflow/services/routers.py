"""Call-steering routers: trained for each script version with what agents' transfers and imported history
taught, published in Redis to every process (`store/routers.py`), and kept by each process for its calls.

A caller never waits for a training. A web process loads every live version's published router before it
accepts traffic (`services/warm_up.py`, which trains one itself only if none was published yet) and picks up
new ones beside its traffic; a worker trains them (`jobs.retrain_router`) when a script is published or the
learned examples change. A serving process that has no router for a version steers nobody on it: the engine
offers the keypad menu and the speech fallback, the process logs it and asks a worker for the router.
Commands and tests that build a bare runtime (not serving) load the published router or train it on demand.
"""

from __future__ import annotations

import logging
import threading

from callflow.services import cold_work, queued
from callflow.store import routers as published
from callflow.store.learning import training_pairs

log = logging.getLogger(__name__)


class Steering:
    """One process's routers, by script version (`Runtime.steer_for`)."""

    def __init__(self, rt) -> None:
        self.rt = rt
        self._lock = threading.Lock()
        self._routers: dict = {}
        self.serving = False  # a web process after its warm-up: never trains, never reads Redis per call
        self._missing: set[str] = set()  # versions a serving process found without a router (logged once)

    def steer_for(self, script):
        """The call-steering router for this script version, as last published to every process."""
        if self.serving:
            cached = self._routers.get(script.version)
            if cached is not None:
                return cached.steer
            self._no_router(script)
            return None
        with self._lock:
            cached = self._routers.get(script.version)
            published_id = published.published_id(self.rt.redis, script.version)
            if cached is None or (published_id is not None and cached.version != published_id):
                cached = self._load(script.version) or self._train(script)
                self._routers[script.version] = cached
        return None if cached is None else cached.steer

    def load(self, scripts, train_missing: bool = False) -> list[str]:
        """Load the published router of each script version that has a newer one than this process holds
        (beside traffic: the warm-up and its keeper); train and publish the missing ones when asked (before
        traffic). Returns the versions still without a router."""
        versions = {script.version: script for script in scripts}
        ids = published.published_ids(self.rt.redis, list(versions))
        missing = []
        for version, script in versions.items():
            held = self._routers.get(version)
            router = None
            if ids[version] is not None and (held is None or held.version != ids[version]):
                router = self._load(version)
            elif held is not None:
                continue
            if router is None and train_missing:
                router = self._train(script)
            if router is None:
                missing.append(version)
                continue
            with self._lock:
                self._routers[version] = router
            self._missing.discard(version)
        return missing

    def _load(self, version: str):
        # Lazy: scikit-learn (about a second) is loaded by the first process that needs steering, not every one.
        from callflow.domain.steering.router import Router

        stored = published.published_bytes(self.rt.redis, version)
        try:
            return Router.from_bytes(stored) if stored is not None else None
        except ValueError:  # written by another scikit-learn version: trained again
            return None

    def _no_router(self, script) -> None:
        if script.version not in self._missing:
            self._missing.add(script.version)
            log.warning("script %s has no trained router in this process yet: callers get the keypad menu and "
                        "the speech fallback until a worker publishes it", script.version)
        try:
            queue_training(self.rt, script)
        except Exception:  # Redis is down: the keypad serves, the next call asks again
            log.exception("could not ask a worker to train script %s's router", script.version)

    def _train(self, script):
        # Lazy: scikit-learn, as above.
        from callflow.domain.steering.training import router_for_script

        cold_work.note(f"trained the router of script {script.version}")
        try:
            with self.rt.sessions() as session:
                learned = training_pairs(session)
        except Exception:  # the database is down: steer from the script's phrases alone
            log.exception("could not read learned examples; steering from the script alone")
            return router_for_script(script)
        router = router_for_script(script, learned)
        _publish(self.rt, script, router)
        return router


def queue_training(rt, script) -> None:
    """Have a worker train and publish this version's router (once, however many calls ask meanwhile)."""
    if published.claim_training(rt.redis, script.version):
        queued.enqueue(rt, "retrain_router", (script.numbers or ("",))[0])


def preview_router(rt, script):
    """The router callers of this script version get: the published one, else one trained on the same
    learned examples as a worker would (`callflow route`, whose script may be a file not yet in service)."""
    return Steering(rt).steer_for(script) if script is not None else None


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
