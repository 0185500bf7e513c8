"""How good each estimator was: error of the point, and whether promises were kept and how tight they were.

Scored callers are those who arrived after the warm-up, had to wait (an estimate was made) and were served
(callers on the line and callbacks whose turn came); abandoned callers have no actual wait to compare with.
Tightness is mean promise / mean actual wait; for point-only methods the promise is the point itself.
Ours is also scored as heard: the figure said ("about 4 minutes": 240 s) against the wait, kept when answered by
its deadline (4 and a half minutes), for first promises and, separately, for promises made after a broken one
(against the rest of the wait from when each was made; each such promise a served caller was given counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

METHODS = ("asterisk", "twilio", "erlang C", "QL", "HOL", "LES", "QLm", "ours, no ages", "ours, no rota", "ours",
           "oracle")
PROMISING = ("QLm", "ours, no ages", "ours, no rota", "ours", "oracle")  # promise: an upper quantile, not the point
REFERENCE = ("oracle",)  # scored only where it exists (see callflow/sim/oracle.py)


@dataclass(frozen=True)
class Score:
    """One estimator over one scenario's scored callers."""

    method: str
    callers: int
    mae: float
    rmse: float
    bias: float
    kept: float
    tightness: float


@dataclass(frozen=True)
class Outcome:
    """What happened to a scenario's callers, and the scores."""

    scores: dict[str, Score]
    heard_kept: float  # ours as heard ("about 4 minutes", "less than 90 seconds"), first promises
    heard_tightness: float  # mean figure heard / mean wait
    fresh_kept: float  # promises after a broken one, as heard
    fresh_tightness: float  # mean figure heard / mean rest of the wait
    fresh_made: int
    served: int
    abandoned: int
    callbacks_left: int
    waited_share: float
    mean_wait: float


def score(simulations) -> Outcome:
    """Pool the scored callers of every replication and score each method."""
    rows, counts = [], {"served": 0, "abandoned": 0, "callback": 0, "scored": 0}
    fresh = []  # (rest of the wait, heard) of each promise after a broken one to a scored caller served
    for sim in simulations:
        for caller in sim.callers.values():
            if not caller.scored:
                continue
            counts["scored"] += 1
            counts[caller.state] = counts.get(caller.state, 0) + 1
            if caller.state == "served" and caller.predictions:
                rows.append((caller.served_at - caller.entered, caller.predictions, caller.heard))
                fresh += [(caller.served_at - at, heard) for at, heard in caller.fresh]
    actual = [a for a, _, _ in rows]
    mean_actual = sum(actual) / len(actual) if actual else math.nan
    scores = {}
    for method in METHODS:
        if method in REFERENCE and not all(method in p for _, p, _ in rows):
            continue
        errors = [p[method][0] - a for a, p, _ in rows]
        promises = [p[method][1] for _, p, _ in rows]
        n = len(errors) or 1
        scores[method] = Score(method, len(errors), sum(map(abs, errors)) / n,
                               math.sqrt(sum(e * e for e in errors) / n), sum(errors) / n,
                               sum(a <= q for a, q in zip(actual, promises, strict=True)) / n,
                               sum(promises) / n / mean_actual)
    first_kept, first_tight = _as_heard([(a, h) for a, _, h in rows])
    fresh_kept, fresh_tight = _as_heard(fresh)
    return Outcome(scores, first_kept, first_tight, fresh_kept, fresh_tight, len(fresh),
                   counts["served"], counts["abandoned"], counts.get("callback", 0),
                   len(rows) / max(counts["scored"], 1), mean_actual)


def _as_heard(pairs) -> tuple[float, float]:
    """Share of promises kept by their deadline, and mean figure heard / mean wait, over (wait, heard) pairs."""
    if not pairs:
        return math.nan, math.nan
    kept = sum(wait <= heard.deadline for wait, heard in pairs) / len(pairs)
    return kept, sum(h.figure for _, h in pairs) / max(sum(wait for wait, _ in pairs), 1e-9)
