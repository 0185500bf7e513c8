"""How a wallboard figure compares with its target: green, amber or red, so a supervisor across the room sees
which department needs hands before reading a single number.

The service level is judged against the department's own `service_level` in its script; waits against that
target's seconds; the other figures against the thresholds below, which centres commonly hold themselves to
(docs/wallboard.md gives them in a table). A figure with no data yet (no call offered today, nobody waiting) has no colour.
"""

from __future__ import annotations

from dataclasses import dataclass

GOOD, WARN, BAD = "good", "warn", "bad"

SERVICE_LEVEL_WARN_POINTS = 10  # up to this many points under the target percent: amber; further: red
WAIT_WARN_TIMES = 2  # a wait up to the target's seconds: green; up to twice that: amber; longer: red
ABANDONED_PERCENT = (5.0, 10.0)  # at most 5 %: green; at most 10 %: amber; more: red
# At least the first figure: green; at least the second: amber; less: red.
PROMISES_KEPT_PERCENT = (90.0, 80.0)
FIRST_TIME_RIGHT_PERCENT = (85.0, 75.0)
CALLBACKS_CONNECTED_PERCENT = (90.0, 75.0)


@dataclass(frozen=True)
class Target:
    """A department's service-level target: `percent` of calls answered within `seconds`."""

    percent: float
    seconds: float


def at_least(value: float | None, good: float, warn: float) -> str | None:
    """Higher is better."""
    if value is None:
        return None
    return GOOD if value >= good else WARN if value >= warn else BAD


def at_most(value: float | None, good: float, warn: float) -> str | None:
    """Lower is better."""
    if value is None:
        return None
    return GOOD if value <= good else WARN if value <= warn else BAD


def wait(seconds: float | None, target: Target) -> str | None:
    """A wait (the longest now, the average speed of answer today) against the target's seconds."""
    return at_most(seconds, target.seconds, target.seconds * WAIT_WARN_TIMES)


def ratings(now: dict, today: dict, target: Target) -> dict[str, str]:
    """Figure -> rating, for the figures that have a target and a value; the others are left out."""
    longest = wait(now.get("longest_wait"), target)
    rated = {
        "waiting": longest if now.get("waiting") else None,
        "longest_wait": longest,
        "service_level": at_least(today.get("service_level"), target.percent,
                                  target.percent - SERVICE_LEVEL_WARN_POINTS),
        "abandoned_percent": at_most(today.get("abandoned_percent"), *ABANDONED_PERCENT),
        "asa_seconds": wait(today.get("asa_seconds"), target),
        "promises_kept_percent": at_least(today.get("promises_kept_percent"), *PROMISES_KEPT_PERCENT),
        "first_time_right_percent": at_least(today.get("first_time_right_percent"), *FIRST_TIME_RIGHT_PERCENT),
        "callbacks_connected_percent": at_least(today.get("callbacks_connected_percent"),
                                                *CALLBACKS_CONNECTED_PERCENT),
    }
    return {figure: rating for figure, rating in rated.items() if rating is not None}


def worst(rated: list[dict[str, str]]) -> dict[str, str]:
    """A line's (or the centre's) ratings: for each figure, the worst of its departments', so one department
    in trouble colours its line's total, and a total never looks green while a department's figure is red."""
    order = {GOOD: 0, WARN: 1, BAD: 2}
    combined: dict[str, str] = {}
    for ratings_of in rated:
        for figure, rating in ratings_of.items():
            if order[rating] >= order.get(combined.get(figure, GOOD), 0):
                combined[figure] = rating
    return combined
