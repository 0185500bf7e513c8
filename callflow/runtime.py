"""The resources one process needs (Redis, database, clock, job queue, Twilio), made once and on demand.

A web process and an RQ worker each build one Runtime from the same Settings. Nothing here holds call state:
that lives in Redis and the database, so any number of processes can serve the same calls. The scripts a
process serves are `services/scripts.py`'s, its call-steering routers `services/routers.py`'s; the methods
below that reach them are one-line delegates kept for the code that calls them.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property

import redis
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from callflow.domain.clock import Clock
from callflow.services.routers import Steering, publish_router
from callflow.services.scripts import LiveScripts
from callflow.settings import Settings
from callflow.store.acd import ACD
from callflow.store.connections import redis_connection
from callflow.store.db import REQUEST_STATEMENT_TIMEOUT_MS, make_engine, session_factory
from callflow.store.live_calls import LiveCalls
from callflow.telephony import twilio_client

JOB_QUEUE = "callflow"


class Runtime:
    """Lazily opened connections and long-lived helpers for one process."""

    def __init__(self, settings: Settings, serves_requests: bool = False):
        self.settings = settings
        self.serves_requests = serves_requests  # a web process: its database statements time out

    @cached_property
    def redis(self) -> redis.Redis:
        return redis_connection(self.settings)

    @cached_property
    def engine(self):
        return make_engine(self.settings.effective_database_url(),
                           REQUEST_STATEMENT_TIMEOUT_MS if self.serves_requests else None)

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
    def acd(self) -> ACD:
        return ACD(self.redis, self.interpreter_after)

    def interpreter_after(self, department: str) -> float:
        """A department's interpreter wait, read by the distributor at every match (`services/scripts.py`,
        `LiveScripts.interpreter_after`)."""
        return self.live_scripts.interpreter_after(department)

    @cached_property
    def twilio(self):
        return twilio_client(self.settings)

    def schedule(self, virtual_seconds: float, func, *args, **kwargs):
        """Run a job after a delay on the shared clock (RQ waits that delay divided by the clock rate)."""
        return self.jobs.enqueue_in(self.clock.real_delay(timedelta(seconds=virtual_seconds)), func, *args,
                                    **kwargs)

    @cached_property
    def jobs(self) -> Queue:
        return Queue(JOB_QUEUE, connection=self.redis)

    @cached_property
    def live_scripts(self) -> LiveScripts:
        """The scripts this process serves (`services/scripts.py`)."""
        return LiveScripts(self)

    @cached_property
    def steering(self) -> Steering:
        """This process's call-steering routers (`services/routers.py`)."""
        return Steering(self)

    @property
    def scripts(self):
        """The process's script library (`services/scripts.py`, `LiveScripts.library`)."""
        return self.live_scripts.library

    def scripts_changed(self) -> None:
        """A publication happened (`services/scripts.py`, `LiveScripts.changed`)."""
        self.live_scripts.changed()

    def script_for_number(self, called: str):
        """The script in service for a called number (`services/scripts.py`, `LiveScripts.for_number`)."""
        return self.live_scripts.for_number(called)

    def script_version(self, version: str):
        """The script version a call started with (`services/scripts.py`, `LiveScripts.version`)."""
        return self.live_scripts.version(version)

    def share_text(self, version: str, text: str) -> None:
        """Make a draft's text runnable by every process (`services/scripts.py`, `LiveScripts.share_text`)."""
        self.live_scripts.share_text(version, text)

    def steer_for(self, script):
        """The call-steering router for a script version (`services/routers.py`, `Steering.steer_for`)."""
        return self.steering.steer_for(script)

    def publish_router(self, script, learned) -> str | None:
        """Train and publish a script version's router (`services/routers.py`, `publish_router`)."""
        return publish_router(self, script, learned)

    def close(self) -> None:
        """Release pooled connections (the embedded Redis lives as long as the process)."""
        if getattr(self, "keeper", None) is not None:  # a serving process's keeper (services/warm_up.py)
            self.keeper.stop()
        if "engine" in self.__dict__:
            self.engine.dispose()
