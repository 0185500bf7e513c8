"""What a caller hears promised: a wait in the words people use, and a new promise after a broken one.

Pure: seconds in, words out. The spoken scale is fine where waits are short (30 seconds, a minute, a minute
and a half, then every minute to 8) and coarser where nobody counts minutes, so rounding adds little to the
wait: coarse figures ("less than 10 minutes" for a 4-minute estimate) were kept 95.5% of the time at twice the
real wait. A figure near the expected wait is said as "about N minutes" and is kept while the caller is
answered before the next figure is nearer (about 4 minutes: by 4 and a half); one far above the expected wait
(the estimator is unsure: a wait that could be short or long) is said as a bound, "less than N minutes".
The figure itself is the estimator's quantile at the level learnt from promises as heard (`estimates`).

A promise is chosen once, in figures (`kind`, `figure`); its words are said in the caller's language by the
line's messages (`wait_about`, `wait_under`, ...: `callflow/domain/script/messages.py`). `words` is the English,
kept for the hold log and the agents' console.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass

from callflow.domain.script.messages import DEFAULT_MESSAGES

Words = Callable[..., str]  # a line's message by name, placeholders filled in: `Script.message`
ABOUT, UNDER, OVER_AN_HOUR = "about", "under", "over-an-hour"  # how a figure is said

# figures people say, in seconds; beyond the last, the next quarter hour
SCALE = (30, 60, 90, *(60 * m for m in (2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 60)))
# "about N" only when N is within this factor of the expected wait ("about a minute" for a likely 30 s at the
# head of the line, p90 / mean = 2.3 there); further above it, the figure is a bound
ABOUT_WITHIN = 2.5


@dataclass(frozen=True)
class HumanPromise:
    """A promise as the caller hears it: the figure said (seconds), the time by which it is kept, the words."""

    figure: int
    deadline: int  # seconds from the promise: answered by then, the promise was kept
    words: str  # in English
    short: bool = False
    kind: str = UNDER  # ABOUT the figure, UNDER it (a bound), or OVER_AN_HOUR

    def said(self, words: Words | None = None) -> str:
        """The promise in a line's words (its messages in the caller's language); English without them."""
        return self.words if words is None else _said(self.kind, self.figure, words)



def _english(name: str, **values) -> str:
    return DEFAULT_MESSAGES[name].format(**values)


def _duration(seconds: int, words: Words) -> str:
    if seconds < 60:
        return words("wait_seconds", count=seconds)
    if seconds == 60:
        return words("wait_minute")
    if seconds == 90:
        return words("wait_minute_half")
    if seconds == 3600:
        return words("wait_hour")
    return words("wait_minutes", count=seconds // 60)


def _said(kind: str, figure: int, words: Words) -> str:
    if kind == OVER_AN_HOUR:
        return words("wait_over_hour", minutes=figure // 60)
    return words("wait_about" if kind == ABOUT else "wait_under", duration=_duration(figure, words))


def _promise(kind: str, figure: int, deadline: int, short: bool = False) -> HumanPromise:
    return HumanPromise(figure, deadline, _said(kind, figure, _english), short, kind)


def _about_deadline(i: int) -> int:
    """"About SCALE[i]" holds until the next figure is nearer: half-way to it."""
    following = SCALE[i + 1] if i + 1 < len(SCALE) else SCALE[i] + 900
    return (SCALE[i] + following) // 2


def human_promise(promise: float, point: float | None = None, short_below: float = 30.0) -> HumanPromise:
    """The words for a promise of `promise` seconds (the estimator's calibrated upper figure) whose expected
    wait is `point`: "about N" when N is near the expected wait, else (or without a point) "less than N";
    never kept by less than `promise` (every deadline is at or after it)."""
    short = promise < short_below
    if promise > SCALE[-1]:  # beyond an hour nobody counts minutes: the next quarter hour, as a bound
        minutes = 15 * math.ceil(promise / 900)
        return _promise(OVER_AN_HOUR, 60 * minutes, 60 * minutes)
    about = next(i for i in range(len(SCALE)) if _about_deadline(i) >= promise)
    if point is not None and SCALE[about] <= ABOUT_WITHIN * max(point, 1.0) and SCALE[about] >= 60:
        return _promise(ABOUT, SCALE[about], _about_deadline(about), short)
    bound = SCALE[bisect.bisect_left(SCALE, math.ceil(promise))]
    return _promise(UNDER, bound, bound, short)


def next_figure(figure: int) -> HumanPromise:
    """The figure after `figure` on the spoken scale, as a bound."""
    i = bisect.bisect_right(SCALE, figure)
    if i >= len(SCALE):
        minutes = 15 * (figure // 900 + 1)
        return _promise(OVER_AN_HOUR, 60 * minutes, 60 * minutes)
    return _promise(UNDER, SCALE[i], SCALE[i])


def repromise(fresh: HumanPromise, broken_figure: int | None) -> HumanPromise:
    """A new promise after one was broken: the fresh estimate's words, but never the figure just broken
    (a caller who hears "less than 10 minutes" again after ten minutes hears the same promise broken twice):
    then the next figure up."""
    if broken_figure is None or fresh.figure != broken_figure:
        return fresh
    return next_figure(broken_figure)
