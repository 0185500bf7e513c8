"""Each department's wait history in Redis (`estimates.DepartmentStats` as JSON), for the hold manager's estimates.

Every web process and worker updates the same record, so each change is read-modify-write under WATCH/MULTI:
a concurrent change makes the transaction fail and it is retried on the fresh value (no lost updates). The
events are the estimator's own: a caller answered (with the estimate they were given), a caller who gave up
while waiting, and an agent's call handled (talk plus wrap-up).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import redis

from callflow.domain import estimates as est

log = logging.getLogger(__name__)
STATS_KEY = "callflow:wait-stats:"  # STRING per department: DepartmentStats as JSON
ABANDONED_FLAG = "abandoned"  # on the caller's call-info: counted once whichever webhook hears it first


class WaitStats:
    """Read and update departments' wait statistics atomically."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection

    def get(self, department: str) -> est.DepartmentStats:
        """The department's statistics (empty ones, hence the priors, before any history)."""
        return parse_stats(self.connection.get(STATS_KEY + department))

    def update(self, department: str, change: Callable[[est.DepartmentStats], est.DepartmentStats]) -> None:
        """Apply `change` to the stored statistics, retrying when another process changed them meanwhile."""
        key = STATS_KEY + department
        with self.connection.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stats = parse_stats(pipe.get(key))
                    pipe.multi()
                    pipe.set(key, json.dumps(change(stats).to_dict(), separators=(",", ":")))
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def answered(self, department: str, waited: float, now: float, estimate: est.Estimate | None,
                 repromised: tuple[est.Estimate, float] | None = None) -> None:
        """A caller reached an agent after `waited` seconds (0 included); `estimate`: what they were told first,
        `repromised`: the last promise after a broken one and when it was made."""
        self.update(department, lambda s: est.on_answered(s, max(waited, 0.0), now, estimate, repromised))

    def repromise_broken(self, department: str) -> None:
        """A promise made after a broken one was broken too."""
        self.update(department, est.on_repromise_broken)

    def abandoned(self, department: str, waited: float, now: float) -> None:
        """A caller hung up while waiting."""
        self.update(department, lambda s: est.on_abandoned(s, max(waited, 0.0), now))

    def handled(self, department: str, seconds: float) -> None:
        """An agent finished a call of this department: talk plus wrap-up."""
        self.update(department, lambda s: est.on_handled(s, max(seconds, 0.0)))


def parse_stats(raw: bytes | None) -> est.DepartmentStats:
    """Stored statistics; a record that cannot be read (a format from another version) starts afresh, since
    an estimate from the priors beats a caller who cannot be estimated at all."""
    if not raw:
        return est.DepartmentStats()
    try:
        return est.DepartmentStats.from_dict(json.loads(raw))
    except (ValueError, TypeError):
        log.warning("unreadable wait statistics ignored: %.80r", raw)
        return est.DepartmentStats()


def estimate_to_json(estimate: est.Estimate) -> str:
    """What is remembered with a caller's promise, so `answered` can learn from it."""
    return json.dumps({"point": estimate.point_seconds, "promise": estimate.promise_seconds,
                       "method": estimate.method, "shape": estimate.shape, "spoken": estimate.spoken_seconds,
                       "level": estimate.level, "slack": estimate.slack})


def estimate_from_json(raw: str | bytes | None) -> est.Estimate | None:
    """Back from `estimate_to_json` (None when nothing was remembered)."""
    if not raw:
        return None
    data = json.loads(raw)
    return est.Estimate(data["point"], data["promise"], data["method"], data.get("shape"), data.get("spoken"),
                        data.get("level", est.PROMISE_LEVEL), data.get("slack", 0.0))
