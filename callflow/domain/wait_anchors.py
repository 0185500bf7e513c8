"""The field's wait estimators, as published: what ours (`estimates.py`) is measured against.

Asterisk app_queue's announced hold time, Twilio's AvgQueueTime, Erlang C, and Ibrahim & Whitt's QL, HOL, LES
and QLm (sources in RESEARCH.md and in each docstring); `callflow simulate` scores each beside ours
(docs/benchmarks.md). Apart from ours so that each module holds one method: these are a few lines of
arithmetic each and never change, while ours is the one we tune. QLm's p90 promise (`qlm_quantile`) stays
with ours, whose stages it shares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


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
