"""The resources one process needs (Redis, database, clock, scripts, job queue), made once and on demand.

A web process and an RQ worker each build one Runtime from the same Settings. Nothing here holds call state:
that lives in Redis and the database, so any number of processes can serve the same calls.
"""

from __future__ import annotations

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

JOB_QUEUE = "callflow"


class Runtime:
    """Lazily opened connections and long-lived helpers for one process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()

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
        return Clock.shared(self.redis, self.settings.clock_rate)

    @cached_property
    def live_calls(self) -> LiveCalls:
        return LiveCalls(self.redis)

    @cached_property
    def jobs(self) -> Queue:
        return Queue(JOB_QUEUE, connection=self.redis)

    @cached_property
    def scripts(self):
        from callflow.script.library import ScriptLibrary

        return ScriptLibrary(self.settings.ivr_scripts)

    def steer_for(self, script):
        """The call-steering router trained for this script version (cached per version in this process)."""
        with self._lock:
            cache = self.__dict__.setdefault("_routers", {})
            if script.version not in cache:
                from callflow.steering.training import router_for_script

                cache[script.version] = router_for_script(script)
            router = cache[script.version]
        return None if router is None else router.steer

    def close(self) -> None:
        """Release pooled connections (the embedded Redis lives as long as the process)."""
        if "engine" in self.__dict__:
            self.engine.dispose()
