"""One clock for every process, running N times faster than real time when asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callflow.domain.clock import Clock, FixedClock


class WallClock:
    """A wall clock the test moves by hand."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_a_fast_clock_runs_rate_times_faster_from_its_anchor():
    wall = WallClock(1_000_000.0)
    clock = Clock(rate=60, anchor=1_000_000.0, real=wall)
    wall.now += 10  # ten real seconds
    assert clock.timestamp() == pytest.approx(1_000_600.0)  # ten virtual minutes


def test_two_processes_with_the_same_anchor_agree_on_the_time():
    wall = WallClock(5_000.0)
    web = Clock(rate=30, anchor=4_000.0, real=wall)
    worker = Clock(rate=30, anchor=4_000.0, real=wall)
    assert web.now() == worker.now()
    assert web.now() == datetime.fromtimestamp(4_000 + 1_000 * 30, UTC)


def test_rq_delays_are_scaled_to_real_time():
    clock = Clock(rate=60)
    assert clock.real_delay(timedelta(minutes=15)) == timedelta(seconds=15)
    assert clock.virtual_seconds(2) == 120


def test_shared_clock_takes_its_anchor_from_redis(redis):
    first = Clock.shared(redis, rate=10)
    second = Clock.shared(redis, rate=10)
    assert first.anchor == second.anchor


def test_rate_must_be_positive():
    with pytest.raises(ValueError, match="CALLFLOW_CLOCK_RATE"):
        Clock(rate=0)


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    clock.advance(90)
    assert clock.now() == datetime(2026, 11, 23, 9, 1, 30, tzinfo=UTC)


def test_a_shared_clock_can_start_its_day_at_a_chosen_moment(redis):
    tuesday_ten = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    web = Clock.shared(redis, rate=60, start=tuesday_ten)
    worker = Clock.shared(redis, rate=60, start=datetime(2030, 1, 1, tzinfo=UTC))  # the first process won
    assert abs((web.now() - tuesday_ten).total_seconds()) < 600
    assert abs(web.timestamp() - worker.timestamp()) < 1


def test_a_clock_start_moves_virtual_time_without_changing_its_speed():
    wall = WallClock(1_000.0)
    clock = Clock(rate=2, anchor=1_000.0, real=wall, start=50_000.0)
    wall.now += 30
    assert clock.timestamp() == 50_060.0
