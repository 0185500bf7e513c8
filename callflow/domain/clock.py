"""The one clock every process shares, able to run faster than real time.

Nothing in the domain reads the system clock: it is given `now`. This module is where `now` comes from.
With `CALLFLOW_CLOCK_RATE=60` an hour of contact-centre time passes in a real minute. For web processes,
workers and the local carrier to agree on the time, they share an anchor: the real instant at which
virtual time equals real time. It is stored once in Redis (first process wins) or given explicitly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

ANCHOR_KEY = "callflow:clock:anchor"


class Clock:
    """Virtual time = start + (real time - anchor) * rate; `start` defaults to the anchor itself.

    A `start` lets a demo or a test begin its day at a chosen moment (a Tuesday at 10:00, a Sunday night)
    whatever the wall clock says, so business hours behave the same on every machine.
    """

    def __init__(self, rate: float = 1.0, anchor: float | None = None, real=time.time,
                 start: float | None = None):
        if rate <= 0:
            raise ValueError(f"CALLFLOW_CLOCK_RATE must be positive, got {rate}")
        self.rate = float(rate)
        self._real = real
        self.anchor = real() if anchor is None else float(anchor)
        self.start = self.anchor if start is None else float(start)

    @classmethod
    def shared(cls, redis, rate: float = 1.0, start: datetime | None = None) -> Clock:
        """A clock whose anchor (and start) is agreed through Redis, so every process reads the same time."""
        if rate == 1.0 and start is None:
            return cls(1.0)
        now = time.time()
        proposed = f"{now!r} {start.timestamp() if start else now!r}"
        redis.set(ANCHOR_KEY, proposed, nx=True)
        anchor, agreed_start = (float(v) for v in redis.get(ANCHOR_KEY).split())
        return cls(rate, anchor=anchor, start=agreed_start)

    def timestamp(self) -> float:
        """Virtual seconds since the epoch."""
        return self.start + (self._real() - self.anchor) * self.rate

    def now(self) -> datetime:
        """Virtual now, timezone-aware UTC."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def real_instant(self, virtual: float) -> float:
        """The wall-clock instant (epoch seconds) at which this clock reads `virtual`."""
        return self.anchor + (virtual - self.start) / self.rate

    def virtual_instant(self, real: float) -> float:
        """What this clock reads at a wall-clock instant (to compare two clocks' readings)."""
        return self.start + (real - self.anchor) * self.rate

    def real_seconds(self, virtual_seconds: float) -> float:
        """How long a virtual duration lasts on the wall clock (for sleeps and RQ delays)."""
        return virtual_seconds / self.rate

    def real_delay(self, delay: timedelta) -> timedelta:
        """Scale a virtual delay to the real delay RQ should wait."""
        return timedelta(seconds=self.real_seconds(delay.total_seconds()))

    def virtual_seconds(self, real_seconds: float) -> float:
        """How much virtual time passes during a real duration."""
        return real_seconds * self.rate


class FixedClock(Clock):
    """A clock that only moves when told: for pure tests of time-dependent decisions."""

    def __init__(self, start: datetime):
        super().__init__(1.0, anchor=0.0, real=lambda: 0.0, start=0.0)
        self._now = start.timestamp()

    def timestamp(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self._now += seconds
