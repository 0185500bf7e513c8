"""Metrics for operations in Prometheus's text format (docs/metrics.md).

Two kinds of figure, kept apart on purpose. What a process does (webhooks served and how long they took, calls
started and ended, steering decisions, promises kept, estimate errors, jobs run) is counted where it happens,
in the process that did it; gunicorn's workers and the RQ workers each write their counts to their own file in
one shared folder (prometheus_client's multiprocess mode), and a scrape of any web process adds them all up.
What the centre looks like now (callers waiting, the longest wait, agents by state, callbacks due and late, the
job queue) is shared state: it is read from Redis and the database at scrape time by `CentreCollector`, so it is
exact whichever process is scraped and no process keeps a gauge that could go stale when it dies.

Multiprocess mode is switched on by the entry points that start processes (`share_across_processes`: gunicorn's
config, `callflow serve`, `callflow worker`), never by importing this module or by `create_app`, so a test or a
shell that builds an app keeps its counts to itself.
"""

from __future__ import annotations

import glob
import logging
import os
import socket
from collections import Counter as Tally
from datetime import timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from callflow.store import callbacks as callback_store
from callflow.store import realtime
from callflow.store.agents import list_agents
from callflow.store.callbacks import CallbackState
from callflow.store.presence import Presence

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A callback is late once its time (the one the caller chose, or its retry's) is this many virtual seconds past.
CALLBACK_LATE_SECONDS = 60.0
# The IVR path's entries that record a steering decision (domain/script/engine.py), and the kind each counts as.
STEERING_ENTRIES = (("steer:route:", "route"), ("steer:confirm:", "confirm"), ("steer:unknown:", "unknown"),
                    ("confirmed:", "confirmed"), ("confirm:new-reason:", "new-reason"), ("operator", "person"))

# Until an entry point says otherwise this process keeps its counts in memory, even when PROMETHEUS_MULTIPROC_DIR
# happened to be set when prometheus_client was imported (a test's environment, a shell).
values.ValueClass = values.MutexValue
_shared: dict[str, Path] = {}

PROCESS = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "callflow_request_duration_seconds", "Time to answer a request (webhooks and pages), by Flask endpoint.",
    ["endpoint"], registry=PROCESS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
CALLS_STARTED = Counter("callflow_calls_started", "Calls that reached a line (first webhook).", ["line"],
                        registry=PROCESS)
CALLS_ENDED = Counter("callflow_calls_ended", "Calls whose end Twilio reported, by final status.", ["status"],
                      registry=PROCESS)
STEERING = Counter("callflow_steering_decisions", "Call steering's decisions on what callers said, by kind.",
                   ["kind"], registry=PROCESS)
PROMISES = Counter("callflow_promises_answered", "Callers answered after a promise, by whether it was kept.",
                   ["outcome"], registry=PROCESS)
ESTIMATE_ERROR = Histogram(
    "callflow_estimate_error_seconds", "Answered wait minus the estimate behind the first promise (virtual "
    "seconds; positive: the caller waited longer than estimated).", ["department"], registry=PROCESS,
    buckets=(-600, -300, -120, -60, -30, -10, 0, 10, 30, 60, 120, 300, 600))
JOBS = Counter("callflow_jobs", "RQ jobs run by the workers, by job and outcome.", ["job", "outcome"],
               registry=PROCESS)


# -- one folder for every process's counts ---------------------------------------------------------------------

def process_identifier(pid: int | None = None) -> str:
    """This host and a process id: containers sharing the folder on a volume reuse the same small pids."""
    host = socket.gethostname().replace("_", "-") or "host"
    return f"{host}-{os.getpid() if pid is None else pid}"


def metrics_directory(instance_path: Path) -> Path:
    """PROMETHEUS_MULTIPROC_DIR, or `metrics/` in the instance folder."""
    return Path(os.environ.get(MULTIPROC_ENV) or instance_path / "metrics").resolve()


def share_across_processes(instance_path: Path) -> Path:
    """Count in the shared folder from now on, in this process and every process it starts (the folder is
    handed down in PROMETHEUS_MULTIPROC_DIR)."""
    directory = metrics_directory(instance_path)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    if _shared.get("directory") != directory:
        values.ValueClass = values.MultiProcessValue(process_identifier)
        _shared["directory"] = directory
    return directory


def forget_dead(directory: Path) -> int:
    """Delete the files of this host's processes that are gone (a previous run's), so a restart starts the counts
    again; live processes' files (a worker started just before the web server) are kept. Files of other hosts
    sharing the folder are theirs to forget."""
    host = process_identifier(0).rsplit("-", 1)[0]
    removed = 0
    for path in glob.glob(os.path.join(directory, "*.db")):
        owner = os.path.basename(path)[:-3].rsplit("_", 1)[-1]
        owner_host, _, pid = owner.rpartition("-")
        if owner_host not in ("", host) or not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.remove(path)
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def process_exited(pid: int) -> None:
    """A gunicorn worker died: prometheus_client's bookkeeping (live gauges; counts are kept)."""
    if "directory" in _shared:
        mark_process_dead(process_identifier(pid), str(_shared["directory"]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- what a process counts -------------------------------------------------------------------------------------

def request_served(endpoint: str | None, seconds: float) -> None:
    REQUEST_SECONDS.labels(endpoint or "unmatched").observe(seconds)


def call_started(line: str) -> None:
    CALLS_STARTED.labels(line).inc()


def call_ended(status: str) -> None:
    CALLS_ENDED.labels(status).inc()


def ivr_stepped(new_path_entries) -> None:
    """Count the steering decisions among the entries a step added to a call's IVR path."""
    for entry in new_path_entries:
        for prefix, kind in STEERING_ENTRIES:
            if entry.startswith(prefix):
                STEERING.labels(kind).inc()
                break


def promise_answered(kept: bool | None) -> None:
    """A caller reached an agent: whether the promise they heard last was kept (None: no promise was made)."""
    if kept is not None:
        PROMISES.labels("kept" if kept else "broken").inc()


def estimate_answered(department: str, waited: float, estimated: float) -> None:
    """A caller reached an agent: how far the estimate behind their first promise was from their wait."""
    ESTIMATE_ERROR.labels(department).observe(waited - estimated)


def job_done(job: str, outcome: str) -> None:
    JOBS.labels(job.rsplit(".", 1)[-1], outcome).inc()


# -- the scrape --------------------------------------------------------------------------------------------------

def exposition(rt) -> tuple[bytes, str]:
    """The text a scrape answers with: every process's counts, and the centre as it is now."""
    registry = CollectorRegistry(auto_describe=False)
    if "directory" in _shared:
        MultiProcessCollector(registry, path=str(_shared["directory"]))
    else:
        registry.register(_Delegate(PROCESS))
    registry.register(CentreCollector(rt))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Delegate:
    """This process's own counts, when it counts alone."""

    def __init__(self, source: CollectorRegistry):
        self.source = source

    def collect(self):
        return self.source.collect()


class CentreCollector:
    """The centre now, read at each scrape from Redis, the database and RQ; a source that cannot be read is
    left out and says so in `callflow_source_up`."""

    def __init__(self, rt):
        self.rt = rt

    def collect(self):
        up = GaugeMetricFamily("callflow_source_up", "Whether the scrape could read a source (1) or not (0).",
                               labels=["source"])
        for source, read in (("queues", self._queues), ("agents", self._agents), ("callbacks", self._callbacks),
                             ("jobs", self._jobs)):
            try:
                families = list(read())
            except Exception:  # Redis or the database down: the rest of the scrape still answers
                log.exception("metrics: could not read %s", source)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    def _departments(self) -> list[str]:
        return sorted({dept for script in self.rt.scripts.current.values() for dept in script.departments})

    def _queues(self):
        waiting = GaugeMetricFamily("callflow_callers_waiting", "Callers on the line waiting in a department's "
                                    "queue now.", labels=["department"])
        longest = GaugeMetricFamily("callflow_longest_wait_seconds", "How long the caller waiting longest in a "
                                    "department's queue has waited (virtual seconds; 0 when nobody waits).",
                                    labels=["department"])
        held = GaugeMetricFamily("callflow_callbacks_in_line", "Callbacks holding a place in a department's queue "
                                 "(virtual hold).", labels=["department"])
        now = self.rt.clock.timestamp()
        # The wallboard's snapshot, in one round trip whatever the number of callers (it walks each queue only
        # to its longest-waiting caller); a scrape never asks for the wallboard's figures of the day.
        queues, _, _, _ = realtime.Realtime(self.rt.redis).snapshot(self._departments(), (), ask=False)
        for department, line in queues.items():
            waiting.add_metric([department], line.callers)
            oldest = line.oldest_entered_at
            longest.add_metric([department], max(0.0, now - oldest) if oldest is not None else 0.0)
            held.add_metric([department], line.callbacks_in_line)
        return waiting, longest, held

    def _agents(self):
        with self.rt.sessions() as session:
            logins = {agent.login for agent in list_agents(session)}
        states: dict[str, str] = {}
        by_department = GaugeMetricFamily("callflow_department_agents", "Agents at work for a department, by "
                                          "state (an agent serving two departments counts in each).",
                                          labels=["department", "state"])
        for department in self._departments():
            tally = Tally()
            for presence in self.rt.acd.presence.at_work(department):
                states[presence.agent] = presence.state.value
                tally[presence.state.value] += 1
            for state in Presence:
                if state is not Presence.AWAY:
                    by_department.add_metric([department, state.value], tally[state.value])
        overall = Tally(states.get(login, Presence.AWAY.value) for login in logins)
        agents = GaugeMetricFamily("callflow_agents", "Agents by state now (away includes logged out).",
                                   labels=["state"])
        for state in Presence:
            agents.add_metric([state.value], overall[state.value])
        return agents, by_department

    def _callbacks(self):
        now = self.rt.clock.now()
        late_before = now - timedelta(seconds=CALLBACK_LATE_SECONDS)
        with self.rt.sessions() as session:
            in_line = callback_store.in_state(session, CallbackState.REQUESTED)
            chosen = [c for c in callback_store.in_state(session, CallbackState.SCHEDULED)
                      if c.due_at is not None and c.due_at <= now]
            retries = callback_store.lost_retries(session, now)
        counts: dict[str, list[int]] = {department: [0, 0] for department in self._departments()}
        for callback, its_time in ([(c, c.due_at) for c in in_line] + [(c, c.due_at) for c in chosen]
                                   + [(c, c.retry_at) for c in retries]):
            tally = counts.setdefault(callback.department, [0, 0])
            tally[0] += 1
            tally[1] += its_time is not None and its_time <= late_before
        due = GaugeMetricFamily("callflow_callbacks_due", "Callbacks whose time has come and that are not placed "
                                "yet (in line at their turn, past their chosen time, or due a retry).",
                                labels=["department"])
        late = GaugeMetricFamily("callflow_callbacks_late", f"Callbacks due more than {CALLBACK_LATE_SECONDS:g} "
                                 "virtual seconds past the time the caller chose or the retry's, not placed yet.",
                                 labels=["department"])
        for department, (n_due, n_late) in sorted(counts.items()):
            due.add_metric([department], n_due)
            late.add_metric([department], n_late)
        return due, late

    def _jobs(self):
        queue = self.rt.jobs
        queued = GaugeMetricFamily("callflow_jobs_queued", "Jobs waiting in the RQ queue.", labels=["queue"])
        failed = GaugeMetricFamily("callflow_jobs_failed", "Jobs in RQ's failed job registry.", labels=["queue"])
        scheduled = GaugeMetricFamily("callflow_jobs_scheduled", "Jobs scheduled for later (RQ's scheduled job "
                                      "registry).", labels=["queue"])
        queued.add_metric([queue.name], queue.count)
        failed.add_metric([queue.name], queue.failed_job_registry.count)
        scheduled.add_metric([queue.name], queue.scheduled_job_registry.count)
        return queued, failed, scheduled
