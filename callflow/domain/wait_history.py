"""A department's wait history: what its recent callers and calls say, in bounded windows of plain numbers.

Kept apart from the estimator (`estimates.py`) because the history is the thing stored (JSON in Redis,
`callflow.store.wait_stats`) and read everywhere a department is described, while the estimator is one use of
it. It learns only through `estimates.on_answered`, `on_abandoned` and `on_handled`, which return new stats;
the levels a promise is read at (`promise_level`, `heard_level`, `repromise_level`) are recalibrated here from
how recent promises fared.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np

PRIOR_HANDLE_SECONDS = 300.0  # until a department has history: five minutes a call, wrap-up included
PRIOR_PATIENCE_SECONDS = 600.0
PROMISE_LEVEL = 0.9  # "less than N minutes" should be true 9 times in 10
# Recalibration aims a point higher: the level is learnt from past callers, so it lags a changing day and
# carries sampling error; aimed at exactly 0.90 it kept 89.8-90.0% of promises in the steady simulations.
CALIBRATION_MARGIN = 0.01


@dataclass(frozen=True)
class DepartmentStats:
    """What a department's recent history says: bounded rolling windows, plain lists of numbers."""

    holdtime: float = 0.0  # Asterisk's H
    last_entered_wait: float = 0.0  # LES: the wait of the last caller to reach an agent
    handles: list[float] = field(default_factory=list)  # handle + wrap-up seconds
    waits: list[list[float]] = field(default_factory=list)  # [waited, 1 if abandoned else 0]
    departures: list[float] = field(default_factory=list)  # when callers left the queue (answered or abandoned)
    pit: list[float] = field(default_factory=list)  # F(actual) under the distribution promised at arrival
    heard: list[float] = field(default_factory=list)  # the same less the slack of the deadline heard
    # promises after a broken one, as heard: F(the rest of the wait) less the slack, or 1 when broken again
    repit: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DepartmentStats:
        """Back from `to_dict`'s JSON."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @cached_property
    def _sums(self) -> tuple[float, float, float]:
        # Stats are immutable (each event makes new ones), so the windows' sums are taken once per version.
        waits = list(zip(*self.waits)) or [(), ()]
        return math.fsum(self.handles), sum(waits[1]), math.fsum(waits[0])

    @cached_property
    def sorted_handles(self) -> np.ndarray:
        """Handle times in increasing order (the empirical distribution calls' ages are read against)."""
        return np.sort(np.asarray(self.handles, dtype=float))

    @cached_property
    def promise_level(self) -> float:
        """The quantile level that kept 90% of recent promises: the empirical 90th percentile of their PITs
        (F(actual wait) under the distribution promised), so miscalibration of the fitted shape is undone."""
        return _conformal(self.pit, PROMISE_LEVEL)

    @cached_property
    def heard_level(self) -> float:
        """The level that kept 90% of recent first promises as the callers heard them (at their deadlines)."""
        return _conformal(self.heard, PROMISE_LEVEL) if len(self.heard) >= 30 else self.promise_level

    @cached_property
    def repromise_level(self) -> float:
        """The level for a promise made after a broken one, learnt from such promises alone: callers whose
        first promise broke are the unlucky ones (a long call ahead, a slow line), and a level learnt from
        everyone kept fewer of their promises. Until there are enough, half-way from the first's to certain."""
        if len(self.repit) < 30:
            return (self.heard_level + 1) / 2
        return _conformal(self.repit, PROMISE_LEVEL)

    def handle_seconds(self) -> float:
        """Mean handle time with wrap-up, pulled towards the prior while there are few calls."""
        return (self._sums[0] + 5 * PRIOR_HANDLE_SECONDS) / (len(self.handles) + 5)

    def abandon_rate(self) -> float:
        """Callers' patience as a rate theta: abandons / time spent waiting (the exponential MLE, censored)."""
        _, abandons, exposure = self._sums
        return (abandons + 1) / (exposure + PRIOR_PATIENCE_SECONDS)

    def arrival_rate(self) -> float:
        """Callers per second leaving the queue (answered or abandoned): the arrival rate when steady."""
        if len(self.departures) < 2 or self.departures[-1] <= self.departures[0]:
            return 0.0
        return (len(self.departures) - 1) / (self.departures[-1] - self.departures[0])


def _conformal(pits: list[float], level: float) -> float:
    """The level that would have kept `level` (plus the margin) of these PITs: their conformal rank."""
    if len(pits) < 30:
        return level
    ordered, n = sorted(pits), len(pits)  # the conformal rank: ceil((n + 1) q)-th of n
    rank = min(math.ceil((n + 1) * (level + CALIBRATION_MARGIN)), n)
    return min(max(ordered[rank - 1], 0.5), 0.995)
