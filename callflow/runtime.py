"""The resources one process needs (Redis, database, clock, scripts, job queue), made once and on demand.

A web process and an RQ worker each build one Runtime from the same Settings. Nothing here holds call state:
that lives in Redis and the database, so any number of processes can serve the same calls.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

import redis
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from callflow.clock import Clock
from callflow.connections import redis_connection
from callflow.db import make_engine, session_factory
from callflow.live_calls import LiveCalls
from callflow.settings import Settings

log = logging.getLogger(__name__)

JOB_QUEUE = "callflow"
ROUTER_KEY = "callflow:router:"
SCRIPT_KEY = "callflow:script:"  # version hash -> script text, so every process can run any live call's version
SCRIPT_TTL_SECONDS = 2 * 24 * 3600
ROUTER_TTL_SECONDS = 7 * 24 * 3600


class Runtime:
    """Lazily opened connections and long-lived helpers for one process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._shared_versions: set[str] = set()

    @cached_property
    def redis(self) -> redis.Redis:
        return redis_connection(self.settings)

    @cached_property
    def engine(self):
        return make_engine(self.settings.effective_database_url())

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @cached_property
    def clock(self) -> Clock:
        return Clock.shared(self.redis, self.settings.clock_rate, self.settings.clock_start)

    @cached_property
    def live_calls(self) -> LiveCalls:
        return LiveCalls(self.redis)

    @cached_property
    def acd(self):
        from callflow.acd import ACD

        return ACD(self.redis)

    @cached_property
    def twilio(self):
        from callflow.telephony import twilio_client

        return twilio_client(self.settings)

    def schedule(self, virtual_seconds: float, func, *args, **kwargs):
        """Run a job after a delay on the shared clock (RQ waits that delay divided by the clock rate)."""
        from datetime import timedelta

        return self.jobs.enqueue_in(self.clock.real_delay(timedelta(seconds=virtual_seconds)), func, *args,
                                    **kwargs)

    @cached_property
    def jobs(self) -> Queue:
        return Queue(JOB_QUEUE, connection=self.redis)

    @cached_property
    def scripts(self):
        from callflow.script.library import load_library

        self._scripts_stamp = _folder_stamp(self.settings.ivr_scripts)
        return load_library(self.settings.ivr_scripts)

    def script_for_number(self, called: str):
        """The script in service for a called number, shared with every process by version so the call
        keeps it to the end. The folder is re-read when its files change (a stat per file per new call)."""
        library = self.scripts
        stamp = _folder_stamp(self.settings.ivr_scripts)
        if stamp != self._scripts_stamp:
            for name, found in library.reload().items():
                log.error("script %s refused, its last valid version stays in service: %s", name, found[0])
            self._scripts_stamp = stamp
        script = library.for_number(called)
        if script is not None and script.version not in self._shared_versions:
            self.redis.set(SCRIPT_KEY + script.version, library.texts[script.version], nx=True,
                           ex=SCRIPT_TTL_SECONDS)
            self._shared_versions.add(script.version)
        return script

    def script_version(self, version: str):
        """The script version a call started with, from this process or from the one that started it."""
        script = self.scripts.version(version)
        if script is None:
            from callflow.script.loader import load_script_text

            text = self.redis.get(SCRIPT_KEY + version)
            if text is None:
                return None
            script = load_script_text(text.decode(), f"version {version}")
            self.scripts.versions[version] = script
            self.scripts.texts[version] = text.decode()
        return script

    def steer_for(self, script):
        """The call-steering router for this script version: trained once, shared through Redis.

        The first process to need a version trains it (under a second) and stores it; the others load the
        bytes (milliseconds). Each process keeps the versions it has loaded.
        """
        from callflow.steering.router import Router
        from callflow.steering.training import router_for_script

        with self._lock:
            cache = self.__dict__.setdefault("_routers", {})
            if script.version not in cache:
                key = ROUTER_KEY + script.version
                stored = self.redis.get(key)
                router = None
                if stored is not None:
                    try:
                        router = Router.from_bytes(stored)
                    except ValueError:  # written by another scikit-learn version: retrain
                        router = None
                if router is None:
                    router = router_for_script(script)
                    if router is not None:
                        self.redis.set(key, router.to_bytes(), ex=ROUTER_TTL_SECONDS)
                cache[script.version] = router
            router = cache[script.version]
        return None if router is None else router.steer

    def close(self) -> None:
        """Release pooled connections (the embedded Redis lives as long as the process)."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def _folder_stamp(folder) -> tuple:
    """What changed in a scripts folder: names, sizes and modification times of its files."""
    from pathlib import Path

    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in Path(folder).glob("*.y*ml")))
