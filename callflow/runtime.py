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

from callflow.domain.clock import Clock
from callflow.settings import Settings
from callflow.store.connections import redis_connection
from callflow.store.db import make_engine, session_factory
from callflow.store.live_calls import LiveCalls

log = logging.getLogger(__name__)

JOB_QUEUE = "callflow"
ROUTER_KEY = "callflow:router:"  # script version -> the published router's bytes
ROUTER_ID_KEY = "callflow:router-id:"  # script version -> the published router's version
SCRIPT_KEY = "callflow:script:"  # version hash -> script text, so every process can run any live call's version
PUBLISHED_KEY = "callflow:scripts:published"  # INCR'd at every publication: processes reload their scripts
SCRIPT_TTL_SECONDS = 2 * 24 * 3600
ROUTER_TTL_SECONDS = 7 * 24 * 3600
ROUTER_TRAINING_KEY = "callflow:router-training:"  # script version -> a worker has been asked to train it
ROUTER_TRAINING_SECONDS = 300  # asked again after this, if its router has still not been published
INLINE_TRAINING_LIMIT = 500  # learned examples a web process trains on while a caller waits (~1 s); more: a worker


class Runtime:
    """Lazily opened connections and long-lived helpers for one process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._shared_versions: set[str] = set()
        self._routers: dict = {}
        self._published = None

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
        from callflow.store.acd import ACD

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
        from callflow.domain.script.library import load_library

        self._scripts_stamp = self._stamp()
        library = load_library(self.settings.ivr_scripts, frozenset(self.settings.callback_countries))
        self._overlay_published(library)
        return library

    def _stamp(self) -> tuple:
        """What would change the scripts in service: the folder's files, and publications from the browser."""
        try:
            published = self.redis.get(PUBLISHED_KEY)
        except redis.RedisError:  # Redis is down: go on with the scripts in memory
            published = getattr(self, "_scripts_stamp", (None, None))[1]
        return _folder_stamp(self.settings.ivr_scripts), published

    def _overlay_published(self, library) -> None:
        """Put each line's newest publication (admin section, `callflow scripts`) over its file."""
        from callflow.domain.script.problems import ScriptInvalid
        from callflow.services.publishing import live_versions

        try:
            with self.sessions() as session:
                live = live_versions(session)
        except Exception:  # the database is down: the files (or what is in memory) stay in service
            log.exception("could not read published scripts; serving the files")
            return
        for name, item in sorted(live.items()):
            try:
                library.publish(name, item.version.text, f"{name} (version {item.version.id})")
            except ScriptInvalid as invalid:  # e.g. a file added since claims its number
                log.error("published %s version %s refused: %s", name, item.version.id, invalid)

    def scripts_changed(self) -> None:
        """A publication happened: every process reloads its scripts before its next new call."""
        self.redis.incr(PUBLISHED_KEY)

    def script_for_number(self, called: str):
        """The script in service for a called number, shared with every process by version so the call
        keeps it to the end. Scripts are re-read when the folder's files change (a stat per file per new
        call) or something was published (one Redis read)."""
        library = self.scripts
        stamp = self._stamp()
        if stamp != self._scripts_stamp:
            for name, found in library.reload().items():
                log.error("script %s refused, its last valid version stays in service: %s", name, found[0])
            self._overlay_published(library)
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
            from callflow.domain.script.loader import load_script_text

            raw = self.redis.get(SCRIPT_KEY + version)
            text = raw.decode() if raw is not None else self._saved_text(version)
            if text is None:
                return None
            script = load_script_text(text, f"version {version}")
            self.scripts.versions[version] = script
            self.scripts.texts[version] = text
        return script

    def steer_for(self, script):
        """The call-steering router for this script version, as last published to every process.

        The first process to need a version trains it (script phrases plus what transfers taught) and
        publishes it in Redis; the others load the bytes (milliseconds). A retrain (`jobs.retrain_router`)
        publishes a new router, which each process picks up on its next call. A caller never waits for a big
        training: past `INLINE_TRAINING_LIMIT` learned examples, the process steers with the script's phrases
        alone (kept here, never published) while a worker trains and publishes the full router.
        """
        from callflow.domain.steering.router import Router

        published = self.redis.get(ROUTER_ID_KEY + script.version)
        with self._lock:
            cached = self._routers.get(script.version)
            if cached is not None and published is None:  # ours is provisional, or the published one expired
                self._queue_training(script)
                return cached.steer
            if cached is not None and cached.version == published.decode():
                return cached.steer
            router = None
            if published is not None:
                stored = self.redis.get(ROUTER_KEY + script.version)
                try:
                    router = Router.from_bytes(stored) if stored is not None else None
                except ValueError:  # written by another scikit-learn version: retrain below
                    router = None
            if router is None:
                router = self._train_router(script)
            self._routers[script.version] = router
        return None if router is None else router.steer

    def _train_router(self, script):
        from callflow.store.learning import training_pairs

        try:
            with self.sessions() as session:
                learned = training_pairs(session)
        except Exception:  # the database is down: steer from the script's phrases alone
            log.exception("could not read learned examples; steering from the script alone")
            learned = []
        if len(learned) > INLINE_TRAINING_LIMIT:
            from callflow.domain.steering.training import router_for_script

            self._queue_training(script)
            log.info("script %s: %d learned examples are trained by a worker; the script's phrases steer until then",
                     script.version, len(learned))
            return router_for_script(script)
        self.publish_router(script, learned)
        return self._published

    def _queue_training(self, script) -> None:
        """Have a worker train and publish this version's router (once, however many calls ask meanwhile)."""
        if self.redis.set(ROUTER_TRAINING_KEY + script.version, "1", nx=True, ex=ROUTER_TRAINING_SECONDS):
            # Named, not imported: `callflow.jobs` imports the services, which use this Runtime.
            self.jobs.enqueue("callflow.jobs.retrain_router", (script.numbers or ("",))[0])

    def publish_router(self, script, learned) -> str | None:
        """Train the router for a script version with learned examples and publish it to every process."""
        from callflow.domain.steering.training import router_for_script

        router = router_for_script(script, learned)
        self._published = router
        if router is None:
            return None
        with self.redis.pipeline() as pipe:
            pipe.set(ROUTER_KEY + script.version, router.to_bytes(), ex=ROUTER_TTL_SECONDS)
            pipe.set(ROUTER_ID_KEY + script.version, router.version, ex=ROUTER_TTL_SECONDS)
            pipe.execute()
        return router.version

    def _saved_text(self, version: str) -> str | None:
        """A version's text from the database (saved in the admin section), when Redis no longer has it."""
        from callflow.services.publishing import find_version

        with self.sessions() as session:
            saved = find_version(session, version)
        return saved.text if saved is not None else None

    def share_text(self, version: str, text: str) -> None:
        """Make a script version (a draft under test) runnable by every process for a call's life."""
        self.redis.set(SCRIPT_KEY + version, text, ex=SCRIPT_TTL_SECONDS)

    def close(self) -> None:
        """Release pooled connections (the embedded Redis lives as long as the process)."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def _folder_stamp(folder) -> tuple:
    """What changed in a scripts folder: names, sizes and modification times of its files."""
    from pathlib import Path

    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in Path(folder).glob("*.y*ml")))
