"""Wait estimates, pure: the anchors from the field side by side with ours, and the promise a caller hears.

No I/O and no clock: the hold manager passes the position (callbacks holding places count), the agents at work
and `now`. A department's history is a small `DepartmentStats` (rolling windows of N samples, JSON-friendly so
it can live in Redis), changed only by `on_answered`, `on_abandoned` and `on_handled`, which return new stats.

Anchors (sources in RESEARCH.md and in each docstring): Asterisk app_queue, Twilio's AvgQueueTime, Erlang C,
and Ibrahim & Whitt's QL, HOL, LES and QLm. Ours walks the queue ahead stage by stage like QLm, with rates
measured per department, conditioned on the caller staying, staffing changes within the horizon, a learnt
correction for capacity the model cannot see (agents shared with other departments), and a promise read from a
fitted gamma at a level recalibrated on the department's own recent callers so "less than N" holds 9 times in 10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

from scipy.special import gammainc, gammaincinv

WINDOW = 200  # samples per rolling window: enough for a stable mean, small enough to follow the day
PRIOR_HANDLE_SECONDS = 300.0  # until a department has history: five minutes a call, wrap-up included
PRIOR_PATIENCE_SECONDS = 600.0
PROMISE_LEVEL = 0.9  # "less than N minutes" should be true 9 times in 10
HORIZON_SECONDS = 7200.0  # staffing changes further ahead than this are ignored
SHORT_WAIT_SECONDS = 30.0  # below this the hold manager says "under a minute" without asking
HUMAN_MINUTES = (1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45, 60)


@dataclass(frozen=True)
class Estimate:
    """A wait estimate: the expected wait, the promise (upper quantile, or the point for point-only methods).

    `model_seconds` and `shape` are ours alone: what the model said before correction and the gamma's shape,
    kept with the caller so `on_answered` can learn from how the wait really went.
    """

    point_seconds: float
    promise_seconds: float
    method: str
    model_seconds: float | None = None
    shape: float | None = None


@dataclass(frozen=True)
class Staffing:
    """Agents at work for a department now, and known changes ahead: (at, +n back from a break / -n leaving)."""

    working: int
    changes: tuple[tuple[float, int], ...] = ()


@dataclass(frozen=True)
class DepartmentStats:
    """What a department's recent history says: bounded rolling windows, plain lists of numbers."""

    holdtime: float = 0.0  # Asterisk's H
    last_entered_wait: float = 0.0  # LES: the wait of the last caller to reach an agent
    handles: list[float] = field(default_factory=list)  # handle + wrap-up seconds
    waits: list[list[float]] = field(default_factory=list)  # [waited, 1 if abandoned else 0]
    departures: list[float] = field(default_factory=list)  # when callers left the queue (answered or abandoned)
    bias: list[list[float]] = field(default_factory=list)  # [actual wait, model_seconds] of answered callers
    pit: list[float] = field(default_factory=list)  # F(actual) under the distribution promised at arrival

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DepartmentStats:
        """Back from `to_dict`'s JSON."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def handle_seconds(self) -> float:
        """Mean handle time with wrap-up, pulled towards the prior while there are few calls."""
        return (sum(self.handles) + 5 * PRIOR_HANDLE_SECONDS) / (len(self.handles) + 5)

    def abandon_rate(self) -> float:
        """Callers' patience as a rate theta: abandons / time spent waiting (the exponential MLE, censored)."""
        abandons = sum(a for _, a in self.waits)
        exposure = sum(w for w, _ in self.waits)
        return (abandons + 1) / (exposure + PRIOR_PATIENCE_SECONDS)

    def arrival_rate(self) -> float:
        """Callers per second leaving the queue (answered or abandoned): the arrival rate when steady."""
        if len(self.departures) < 2 or self.departures[-1] <= self.departures[0]:
            return 0.0
        return (len(self.departures) - 1) / (self.departures[-1] - self.departures[0])


def _keep(window: list, item) -> list:
    return [*window[-(WINDOW - 1):], item]


def on_answered(stats: DepartmentStats, waited: float, now: float,
                estimate: Estimate | None = None) -> DepartmentStats:
    """An agent picked up a caller (every caller, waits of 0 included); pass ours if the caller was given one."""
    stats = replace(stats, holdtime=asterisk_update(stats.holdtime, waited), last_entered_wait=waited,
                    waits=_keep(stats.waits, [waited, 0]), departures=_keep(stats.departures, now))
    if estimate is not None and estimate.model_seconds and estimate.shape:
        scale = estimate.point_seconds / estimate.shape
        stats = replace(stats, bias=_keep(stats.bias, [waited, estimate.model_seconds]),
                        pit=_keep(stats.pit, float(gammainc(estimate.shape, waited / scale))))
    return stats


def on_abandoned(stats: DepartmentStats, waited: float, now: float) -> DepartmentStats:
    """A caller hung up while waiting (Asterisk's H ignores them; patience learns from them)."""
    return replace(stats, waits=_keep(stats.waits, [waited, 1]), departures=_keep(stats.departures, now))


def on_handled(stats: DepartmentStats, handle_seconds: float) -> DepartmentStats:
    """An agent finished a call, wrap-up included."""
    return replace(stats, handles=_keep(stats.handles, handle_seconds))


# --- the anchors -------------------------------------------------------------------------------------------

def asterisk_update(holdtime: float, waited: float) -> float:
    """app_queue's recalc_holdtime on each answered call: H = (3H + w) / 4."""
    return (3 * holdtime + waited) / 4


def asterisk(holdtime: float, waited: float = 0.0) -> float:
    """What app_queue announces: the same H for every position, minus the time waited (labs: grows after 0)."""
    return abs(holdtime - waited)


def twilio_naive(position: int, queue_waits: Sequence[float]) -> float:
    """Position x AvgQueueTime, AvgQueueTime being the mean time so far of the callers in the queue now."""
    return position * (sum(queue_waits) / len(queue_waits)) if queue_waits else 0.0


def erlang_c(arrival_rate: float, handle_seconds: float, agents: int) -> float:
    """Erlang C: the probability an M/M/s caller waits (1 when the load reaches the agents)."""
    load = arrival_rate * handle_seconds
    if agents <= 0 or load >= agents:
        return 1.0
    term, total = 1.0, 1.0  # a**k / k!, summed for k < s, computed iteratively (no factorial overflow)
    for k in range(1, agents):
        term *= load / k
        total += term
    top = term * load / agents * agents / (agents - load)
    return top / (total + top)


def erlang_c_wait(arrival_rate: float, handle_seconds: float, agents: int) -> float:
    """Erlang C's mean wait of all callers, C / (s mu - lambda); infinite when overloaded (no steady state)."""
    capacity = agents / handle_seconds
    if capacity <= arrival_rate:
        return math.inf
    return erlang_c(arrival_rate, handle_seconds, agents) / (capacity - arrival_rate)


def ql(position: int, agents: int, handle_seconds: float) -> float:
    """Ibrahim & Whitt's QL: n ahead, so (n + 1) / (s mu) = position x handle / agents."""
    return position * handle_seconds / max(agents, 1)


def qlm(position: int, agents: int, handle_seconds: float, abandon_rate: float) -> float:
    """QL with abandonment (Whitt 1999; Ibrahim & Whitt): sum over k = 0..n of 1 / (s mu + k theta)."""
    service = max(agents, 1) / handle_seconds
    return sum(1 / (service + k * abandon_rate) for k in range(position))


def hol(head_waited: float) -> float:
    """HOL (Ibrahim & Whitt 2009): the time the caller at the head of the line has waited so far."""
    return head_waited


def les(last_entered_wait: float) -> float:
    """LES (Ibrahim & Whitt 2009): the wait of the last caller to enter service."""
    return last_entered_wait


# --- ours --------------------------------------------------------------------------------------------------

def _stages(position: int, staffing: Staffing, handle: float, theta: float, now: float,
            tilt: float) -> tuple[float, float]:
    """Mean and variance of the wait, walking the n + 1 exponential stages ahead (n = position - 1).

    With k ahead the line moves at s(t) mu + k theta, s(t) read from the staffing at the time the stage starts.
    `tilt` = theta conditions on the caller's own exponential patience outlasting the wait: each stage's rate
    grows by theta, so E[W | served] = sum 1 / (s mu + (k + 1) theta); tilt = 0 gives QLm's virtual wait.
    """
    changes, i, agents = sorted(staffing.changes), 0, staffing.working
    mean = variance = 0.0
    for k in range(position - 1, -1, -1):
        while True:
            while i < len(changes) and changes[i][0] <= now + mean:
                agents, i = agents + changes[i][1], i + 1
            if agents > 0:
                break
            # nobody at work: the line waits for the next agent due, or (none known) a horizon's worth
            later = [at for at, delta in changes[i:] if delta > 0]
            if not later:
                agents, mean = 1, mean + HORIZON_SECONDS
                break
            mean = later[0] - now
        rate = agents / handle + k * theta + tilt
        mean += 1 / rate
        variance += 1 / rate ** 2
    return mean, max(variance, 1e-9)


def qlm_quantile(position: int, agents: int, handle_seconds: float, abandon_rate: float,
                 level: float = PROMISE_LEVEL) -> float:
    """QLm's p90 promise: the same stages' sum fitted with a gamma of equal mean and variance."""
    mean, variance = _stages(position, Staffing(max(agents, 1)), handle_seconds, abandon_rate, 0.0, 0.0)
    return _gamma_quantile(mean, variance, level)


def _gamma_quantile(mean: float, variance: float, level: float) -> float:
    shape = mean ** 2 / variance
    return float(gammaincinv(shape, level)) * mean / shape


def _correction(stats: DepartmentStats) -> float:
    """Actual / model over recent answered callers: capacity the model cannot see (shared agents, slow lines)."""
    if len(stats.bias) < 20:
        return 1.0
    actual = sum(a for a, _ in stats.bias)
    model = sum(m for _, m in stats.bias)
    return min(max(actual / model, 0.5), 2.5) if model > 0 else 1.0


def _level(stats: DepartmentStats) -> float:
    """The quantile level that kept 90% of recent promises: the empirical 90th percentile of their PITs."""
    if len(stats.pit) < 30:
        return PROMISE_LEVEL
    ordered = sorted(stats.pit)
    return min(max(ordered[min(int(PROMISE_LEVEL * len(ordered)), len(ordered) - 1)], 0.5), 0.995)


def estimate(stats: DepartmentStats, position: int, agents: int | Staffing, now: float) -> Estimate:
    """Ours: expected wait and a calibrated 90% promise for the caller at `position` (1 = next in line)."""
    staffing = agents if isinstance(agents, Staffing) else Staffing(agents)
    horizon = now + HORIZON_SECONDS
    staffing = replace(staffing, changes=tuple(c for c in staffing.changes if now < c[0] <= horizon))
    if position <= 0:
        return Estimate(0.0, 0.0, "ours")
    theta = stats.abandon_rate()
    mean, variance = _stages(position, staffing, stats.handle_seconds(), theta, now, tilt=theta)
    factor = _correction(stats)
    point = factor * mean
    promise = _gamma_quantile(point, factor ** 2 * variance, _level(stats))
    return Estimate(point, promise, "ours", model_seconds=mean, shape=mean ** 2 / variance)


@dataclass(frozen=True)
class HumanPromise:
    """A promise as the caller hears it: the seconds it stands for, the words, and whether it is short."""

    seconds: int
    words: str
    short: bool


def human_promise(seconds: float, short_below: float = SHORT_WAIT_SECONDS) -> HumanPromise:
    """Round a promise UP to a figure people use: "under a minute", "less than 4 minutes", ... "an hour"."""
    minutes = max(math.ceil(seconds / 60), 1)
    figure = next((f for f in HUMAN_MINUTES if minutes <= f), None)
    if figure is None:  # beyond an hour nobody counts minutes: the next quarter hour
        figure = 15 * math.ceil(minutes / 15)
        return HumanPromise(60 * figure, f"more than an hour (about {figure} minutes)", False)
    words = "under a minute" if figure == 1 else f"less than {figure} minutes"
    return HumanPromise(60 * figure, words, seconds < short_below)
