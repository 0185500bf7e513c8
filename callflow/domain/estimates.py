"""Wait estimates, pure: the anchors from the field side by side with ours, and the promise a caller hears.

No I/O and no clock: the hold manager passes the position (callbacks holding places count), the agents at work
and `now`. A department's history is a small `DepartmentStats` (`wait_history.py`: rolling windows of N
samples, JSON-friendly so it can live in Redis), changed only by `on_answered`, `on_abandoned` and
`on_handled`, which return new stats.

Anchors (`wait_anchors.py`; sources in RESEARCH.md and in each docstring): Asterisk app_queue, Twilio's
AvgQueueTime, Erlang C, and Ibrahim & Whitt's QL, HOL, LES and QLm. Ours walks the queue ahead stage by stage
like QLm, with rates measured per department, conditioned on the caller staying (callers served are those
whose patience outlasted the wait), callbacks ahead that never give up, staffing changes within the horizon
(agents back from a break take the next callers at once), agents who will take another department's waiting
callers first left out, and the first stage (until the next agent is free) read from the busy agents' calls'
ages against the department's own handle-time distribution, each call followed by its wrap-up; the promise is
read from a fitted gamma at a level recalibrated on the department's own recent callers so "less than N" holds
9 times in 10. (A learnt actual/model correction was tried and dropped: on seeds the benchmark does not score
it added noise in steady lines and lagged in a changing day.) The caller hears the promise in words, at a
level learnt from promises as heard (`heard_level`); a promise after a broken one is read at a level learnt
from such promises alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import gammainc, gammaincinv

from callflow.domain.wait_anchors import (
    asterisk,
    asterisk_update,
    erlang_c,
    erlang_c_wait,
    hol,
    les,
    ql,
    qlm,
    twilio_naive,
)
from callflow.domain.wait_history import (
    PRIOR_HANDLE_SECONDS,
    PRIOR_PATIENCE_SECONDS,
    PROMISE_LEVEL,
    DepartmentStats,
)

# The field's anchors (`wait_anchors.py`) and a department's history (`wait_history.py`) have modules of their
# own; callers know them as `estimates.<name>` too.
__all__ = [
    "HORIZON_SECONDS", "PRIOR_HANDLE_SECONDS", "PRIOR_PATIENCE_SECONDS", "PROMISE_LEVEL",
    "SHORT_WAIT_SECONDS", "WINDOW", "DepartmentStats", "Estimate", "Staffing", "asterisk",
    "asterisk_update", "erlang_c", "erlang_c_wait", "estimate", "hol", "les", "on_abandoned",
    "on_answered", "on_handled", "on_repromise_broken", "ql", "qlm", "qlm_quantile", "staffing_from",
    "twilio_naive",
]

WINDOW = 500  # samples per rolling window: a stable mean (200 measured worse), yet a few hours of a busy line
HORIZON_SECONDS = 7200.0  # staffing changes further ahead than this are ignored
SHORT_WAIT_SECONDS = 30.0  # below this the hold manager says the wait without asking
MIN_HANDLES_FOR_AGES = 50  # below this only a call longer than any seen is read by its age, with a heavy tail
TAIL = 10  # beyond the 10th-longest handle seen, residuals are exponential with the top ten's mean excess


@dataclass(frozen=True)
class Estimate:
    """A wait estimate: the expected wait, the promise (upper quantile, or the point for point-only methods).

    `shape` is ours alone: the fitted gamma's shape, kept with the caller so `on_answered` can learn from how
    the wait really went (where it fell in the promised distribution). The caller hears `spoken_seconds` in
    words (`callflow/domain/promise_words.py`): the quantile at `level`, learnt from promises as heard; `slack` is how
    far above that level the deadline of the words said stands (`heard`).
    """

    point_seconds: float
    promise_seconds: float
    method: str
    shape: float | None = None
    spoken_seconds: float | None = None
    level: float = PROMISE_LEVEL
    slack: float = 0.0

    @property
    def to_say(self) -> float:
        """The figure to put into words: the quantile learnt from promises as heard (the promise otherwise)."""
        return self.promise_seconds if self.spoken_seconds is None else self.spoken_seconds

    def heard(self, deadline: float) -> Estimate:
        """This estimate as said to the caller, kept while answered within `deadline` seconds: the level is
        then learnt from the promises as heard (rounding to spoken figures moves each deadline a little above
        or below the quantile; a level learnt without that kept 94.9% at 1.73 times the wait in steady 0.95)."""
        if not self.shape:
            return self
        return replace(self, slack=float(gammainc(self.shape, deadline * self.shape / max(self.point_seconds, 1e-9)))
                       - self.level)


@dataclass(frozen=True)
class Staffing:
    """Agents at work for a department now, and known changes ahead: (at, +n back from a break / -n leaving).

    `on_call` (when each busy agent's current call started) and `wrap_up_until` (when each agent wrapping up is
    due back) are what presence records; with them the next free agent is read from the calls' ages rather
    than assumed memoryless. Empty: every agent at work counts as busy on a fresh call (QLm's assumption).
    """

    working: int
    changes: tuple[tuple[float, int], ...] = ()
    on_call: tuple[float, ...] = ()
    wrap_up_until: tuple[float, ...] = ()
    elsewhere: int = 0  # of `working`, agents who will take another department's waiting callers first
    # the wrap-up that follows each call (part of the department's handle times): an agent on a call is free
    # only after it, so the next free agent is rarely one still talking. Fixed (the set time) or exponential.
    wrap_up_seconds: float = 0.0
    wrap_up_fixed: bool = True


def staffing_from(at_work, wrap_up_seconds: float, changes: tuple[tuple[float, int], ...] = (),
                  department: str | None = None, waiting_elsewhere=()) -> Staffing:
    """Staffing from agents' presence records (`state`, `since`, `departments`): calls' start times and
    wrap-ups' ends. An agent who serves other departments first (earlier in their list) while those have callers
    waiting (`waiting_elsewhere`) will take one of them when free: counted as `elsewhere`, not as the next free."""
    ours, elsewhere = [], 0
    for p in at_work:
        first = p.departments[:p.departments.index(department)] if department in p.departments else ()
        if any(d in waiting_elsewhere for d in first):
            elsewhere += 1
        else:
            ours.append((str(getattr(p.state, "value", p.state)), p.since))
    return Staffing(len(ours) + elsewhere, changes, tuple(since for state, since in ours if state == "on-call"),
                    tuple(since + wrap_up_seconds for state, since in ours if state == "wrap-up"), elsewhere,
                    wrap_up_seconds)


def _keep(window: list, item) -> list:
    return [*window[-(WINDOW - 1):], item]


def on_answered(stats: DepartmentStats, waited: float, now: float, estimate: Estimate | None = None,
                repromised: tuple[Estimate, float] | None = None) -> DepartmentStats:
    """An agent picked up a caller (every caller, waits of 0 included); pass ours if the caller was given one,
    and the last promise made after a broken one with when it was made (`repromised`), if any."""
    waited, now = round(waited, 1), round(now, 1)  # tenths of a second: plenty, and a short JSON
    stats = replace(stats, holdtime=asterisk_update(stats.holdtime, waited), last_entered_wait=waited,
                    waits=_keep(stats.waits, [waited, 0]), departures=_keep(stats.departures, now))
    if estimate is not None and estimate.shape:
        pit = _pit(estimate, waited)
        stats = replace(stats, pit=_keep(stats.pit, pit), heard=_keep(stats.heard, round(pit - estimate.slack, 4)))
    if repromised is not None and repromised[0].shape:
        again = repromised[0]
        stats = replace(stats, repit=_keep(stats.repit, round(_pit(again, now - repromised[1]) - again.slack, 4)))
    return stats


def on_repromise_broken(stats: DepartmentStats) -> DepartmentStats:
    """A promise made after a broken one was broken too (its caller is promised again, and only the last
    promise is learnt from at the answer, so this is the one chance to count it): above any level."""
    return replace(stats, repit=_keep(stats.repit, 1.0))


def _pit(estimate: Estimate, waited: float) -> float:
    """Where a wait fell in the gamma an estimate promised: F(waited)."""
    return round(float(gammainc(estimate.shape, max(waited, 0.0) / (estimate.point_seconds / estimate.shape))), 4)


def on_abandoned(stats: DepartmentStats, waited: float, now: float) -> DepartmentStats:
    """A caller hung up while waiting (Asterisk's H ignores them; patience learns from them)."""
    return replace(stats, waits=_keep(stats.waits, [round(waited, 1), 1]), departures=_keep(stats.departures, round(now, 1)))


def on_handled(stats: DepartmentStats, handle_seconds: float) -> DepartmentStats:
    """An agent finished a call, wrap-up included."""
    return replace(stats, handles=_keep(stats.handles, round(handle_seconds, 1)))


# --- ours --------------------------------------------------------------------------------------------------

def _stages(position: int, staffing: Staffing, handle: float, theta: float, now: float,
            tilt: float, patient: int = 0) -> tuple[float, float]:
    """Mean and variance of the wait, walking the n + 1 exponential stages ahead (n = position - 1).

    With k ahead the line moves at s(t) mu + k theta, s(t) read from the staffing at the time the stage starts.
    Agents due back (+n) are free the moment they return and each takes the next caller in line: n stages
    pass at once (without this the line was thought to drain only at the new rate, and deep callers waiting
    for a shift or a lunch wave to return were told far too long).
    `tilt` = theta conditions on the caller's own exponential patience outlasting the wait: each stage's rate
    grows by theta, so E[W | served] = sum 1 / (s mu + (k + 1) theta); tilt = 0 gives QLm's virtual wait.
    """
    changes, i, agents = sorted(staffing.changes), 0, staffing.working
    mean = variance = 0.0
    k = position - 1
    while k >= 0:
        while True:
            while i < len(changes) and changes[i][0] <= now + mean:
                agents, i = agents + changes[i][1], i + 1
                if changes[i - 1][1] > 0:  # agents back are free at once: each takes the next caller in line
                    k -= changes[i - 1][1]
            if k < 0:
                return mean, max(variance, 1e-9)
            if agents > 0:
                break
            # nobody at work: the line waits for the next agent due, or (none known) a horizon's worth
            later = [at for at, delta in changes[i:] if delta > 0]
            if not later:
                agents, mean = 1, mean + HORIZON_SECONDS
                break
            mean = later[0] - now
        # agents taking another department's callers first serve this line only once theirs is empty: left
        # out while anyone else is at work here
        serving = agents - staffing.elsewhere if agents > staffing.elsewhere else agents
        rate = serving / handle + max(k - patient, 0) * theta + tilt
        mean += 1 / rate
        variance += 1 / rate ** 2
        k -= 1
    return mean, max(variance, 1e-9)


def qlm_quantile(position: int, agents: int, handle_seconds: float, abandon_rate: float,
                 level: float = PROMISE_LEVEL) -> float:
    """QLm's p90 promise: the same stages' sum fitted with a gamma of equal mean and variance."""
    mean, variance = _stages(position, Staffing(max(agents, 1)), handle_seconds, abandon_rate, 0.0, 0.0)
    return _gamma_quantile(mean, variance, level)


def _gamma_quantile(mean: float, variance: float, level: float) -> float:
    shape = mean ** 2 / variance
    return float(gammaincinv(shape, level)) * mean / shape


def _residual_survival(handles: np.ndarray, ages: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """P(a call of age a lasts t more | it lasted a), one row per age, from the department's handle times.

    Empirical survival up to the 11th-longest call seen, an exponential tail with the top ten's mean excess
    beyond it: no family assumed, so exponential handle times give memoryless residuals and lognormal ones
    give the long residuals of long calls.
    """
    n, knot = len(handles), handles[-TAIL - 1]
    excess = max(float(handles[-TAIL:].mean() - knot), 1.0)

    def survival(x: np.ndarray) -> np.ndarray:
        above = (n - np.searchsorted(handles, x, side="right")) / n
        return np.where(x <= knot, above, TAIL / n * np.exp(-(x - knot) / excess))

    return survival(ages[:, None] + grid[None, :]) / np.maximum(survival(ages), 1e-12)[:, None]


def _thin_residual_survival(talk_mean: float, ages: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """P(a call of age a lasts t more) while the department has too few calls to read ages against: a Lomax
    (Pareto II, shape 3) with the mean talk time, whose residual grows with the age (a call that has run half
    an hour is expected to run a good while yet: the calls here can be long), not the memoryless exponential
    that told a caller behind a 35-minute call "less than 10 minutes" at every turn."""
    scale = 2 * max(talk_mean, 1.0)  # Lomax(3, scale) has mean scale / 2; the residual at age a, (scale + a) / 2
    base = scale + ages[:, None]
    return (base / (base + grid[None, :])) ** 3


def _on_call_survival(stats: DepartmentStats, ages: np.ndarray, grid: np.ndarray, staffing: Staffing) -> np.ndarray:
    """P(an agent whose call is `age` old is not free t from now): the call's residual talk (handle times less
    the wrap-up) followed by the wrap-up, fixed (a shift) or exponential (a convolution, exact for a talk
    survival linear between grid points)."""
    wrap = staffing.wrap_up_seconds
    if len(stats.handles) >= MIN_HANDLES_FOR_AGES:
        talks = np.maximum(stats.sorted_handles - max(wrap, 0.0), 0.0)

        def residual(g):
            return _residual_survival(talks, ages, g)
    else:
        def residual(g):
            return _thin_residual_survival(stats.handle_seconds() - max(wrap, 0.0), ages, g)
    if wrap <= 0:
        return residual(grid)
    if staffing.wrap_up_fixed:
        return residual(np.maximum(grid - wrap, 0.0))
    talk = residual(grid)  # S(t); G = S + D with dD/dt = -D / wrap - S'(t), D(0) = 0
    steps = np.diff(grid)
    decay = np.exp(-steps / wrap)
    forcing = -(np.diff(talk, axis=1) / np.maximum(steps, 1e-12)) * wrap * (1 - decay)  # per step, >= 0
    # D_i = sum_{j < i} forcing_j exp(-(t_i - t_{j+1}) / wrap): one lower-triangular kernel for every age
    lag = grid[1:, None] - grid[None, 1:]
    kernel = np.where(lag >= 0, np.exp(-np.maximum(lag, 0.0) / wrap), 0.0)
    lagging = np.concatenate([np.zeros((len(ages), 1)), forcing @ kernel.T], axis=1)
    return np.minimum(talk + lagging, 1.0)


def _next_free(stats: DepartmentStats, staffing: Staffing, now: float, competing: float,
               tilt: float) -> tuple[float, float]:
    """Mean and variance of the first stage: until an agent frees up (read from the calls' ages) or, at rate
    `competing`, someone ahead gives up; conditioned, like `_stages`, on the caller's own exponential patience
    (rate `tilt`) outlasting it: the stage's density is reweighted by exp(-tilt t)."""
    ages = np.maximum(now - np.asarray(staffing.on_call, dtype=float), 0.0)
    fresh = max(staffing.working - staffing.elsewhere - len(ages) - len(staffing.wrap_up_until), 0)  # ringing
    ages = np.concatenate([ages, np.zeros(fresh)])
    wraps = np.maximum(np.asarray(staffing.wrap_up_until, dtype=float) - now, 1.0)
    longest = float(stats.sorted_handles[-1]) if len(stats.handles) >= MIN_HANDLES_FOR_AGES \
        else 12 * (2 * stats.handle_seconds() + float(ages.max(initial=0.0)))  # the Lomax's tail, to 1/13 ** 3
    scale = stats.handle_seconds() / max(staffing.working, 1) * 12 + longest
    grid = scale * np.linspace(0.0, 1.0, 121) ** 2  # dense where the first agent usually frees
    log_s = -(competing + tilt) * grid - (grid[:, None] / wraps[None, :]).sum(axis=1)
    if len(ages):
        log_s += np.log(np.maximum(_on_call_survival(stats, ages, grid, staffing), 1e-300)).sum(axis=0)
    weighted = np.exp(log_s)  # H(t) = P(stage > t) exp(-tilt t)
    # P(stage > t | served) = (H(t) - tilt * integral_t^inf H) / Z, Z = 1 - tilt * integral_0^inf H
    steps = np.diff(grid) * (weighted[1:] + weighted[:-1]) / 2
    beyond = np.concatenate([np.cumsum(steps[::-1])[::-1], [0.0]])
    survive = (weighted - tilt * beyond) / max(1.0 - tilt * beyond[0], 1e-12)
    mean = float(np.trapezoid(survive, grid))
    second = 2 * float(np.trapezoid(grid * survive, grid))
    return mean, max(second - mean * mean, 1e-9)


def _overrun(stats: DepartmentStats, staffing: Staffing, now: float) -> bool:
    """With too few calls to read ages against, is a call running longer than any seen (than the prior handle
    time, before any)? Then its age says more than the memoryless stages; younger calls are left to them, as
    a heavy tail read for every call over-estimated the three departments' small lines (docs/benchmarks.md)."""
    longest = max(stats.handles, default=stats.handle_seconds())
    return any(now - since > longest for since in staffing.on_call)


def estimate(stats: DepartmentStats, position: int, agents: int | Staffing, now: float,
             callbacks_ahead: int = 0, again: bool = False) -> Estimate:
    """Ours: expected wait and a calibrated 90% promise for the caller at `position` (1 = next in line).

    `callbacks_ahead`: places ahead held by callbacks, which wait for their turn without giving up. `again`: the
    promise follows a broken one, so it is read at the level learnt from such promises (`repromise_level`).
    """
    staffing = agents if isinstance(agents, Staffing) else Staffing(agents)
    horizon = now + HORIZON_SECONDS
    staffing = replace(staffing, changes=tuple(c for c in staffing.changes if now < c[0] <= horizon))
    if position <= 0:
        return Estimate(0.0, 0.0, "ours")
    theta = stats.abandon_rate()
    handle = stats.handle_seconds()
    mean, variance = _stages(position, staffing, handle, theta, now, tilt=theta,
                             patient=min(callbacks_ahead, position - 1))
    if (staffing.on_call or staffing.wrap_up_until) and staffing.working > staffing.elsewhere \
            and (len(stats.handles) >= MIN_HANDLES_FOR_AGES or _overrun(stats, staffing, now)):
        ahead = max(position - 1 - callbacks_ahead, 0)
        serving = staffing.working - staffing.elsewhere
        stationary = 1 / (serving / handle + ahead * theta + theta)
        first_mean, first_variance = _next_free(stats, staffing, now, ahead * theta, theta)
        mean += first_mean - stationary
        variance = max(variance + first_variance - stationary ** 2, 1e-9)
    spoken = stats.repromise_level if again else stats.heard_level
    return Estimate(mean, _gamma_quantile(mean, variance, stats.promise_level), "ours", shape=mean ** 2 / variance,
                    spoken_seconds=_gamma_quantile(mean, variance, spoken), level=spoken)



def not_before(estimate: Estimate, seconds: float) -> Estimate:
    """An estimate for a caller nobody may take for `seconds` yet (a caller who needs an interpreter, until the
    line's interpreter wait lets any agent take them): every figure at least that. Raised, it is no longer the
    fitted distribution, so the calibration does not learn from it (`shape` dropped)."""
    if seconds <= 0:
        return estimate
    if estimate.point_seconds >= seconds:
        return estimate
    return replace(estimate, point_seconds=seconds, promise_seconds=max(estimate.promise_seconds, seconds),
                   spoken_seconds=None if estimate.spoken_seconds is None else max(estimate.spoken_seconds, seconds),
                   method=estimate.method + "+interpreter-wait", shape=None)


def sooner(speakers: Estimate, anyone: Estimate) -> Estimate:
    """A caller whose language only some agents speak is taken by whichever comes first: a speaker, or (after
    the interpreter wait) any agent. The smaller promise is still kept at its level, since the wait is at most
    either path's."""
    return speakers if speakers.to_say <= anyone.to_say else anyone
