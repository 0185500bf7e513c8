"""Business hours across time zones, daylight saving changes, holidays and one-off closures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from callflow.domain.script.hours import describe_opening, is_open, next_opening
from callflow.domain.script.model import Closure, Hours, Period

LONDON = ZoneInfo("Europe/London")
DAY = (Period(8 * 60, 20 * 60),)
OFFICE = Hours(
    "Europe/London",
    weekly=(DAY,) * 5 + ((Period(9 * 60, 17 * 60),), ()),
    holidays=(date(2026, 12, 25),),
    closures=(Closure(datetime(2026, 3, 12, 14), datetime(2026, 3, 12, 17), "training"),),
)
EVERY_DAY = Hours("Europe/London", weekly=(DAY,) * 7)
NIGHTS = Hours("America/Chicago", weekly=((Period(22 * 60, 1440),), (Period(0, 7 * 60),)) + ((),) * 5)
NEVER = Hours("UTC")
ALWAYS = Hours("UTC", always_open=True)

OPEN_CASES = [
    ("weekday morning", OFFICE, datetime(2026, 3, 10, 10, 0, tzinfo=UTC), True),
    ("before opening", OFFICE, datetime(2026, 3, 10, 7, 59, tzinfo=UTC), False),
    ("closing minute", OFFICE, datetime(2026, 3, 10, 20, 0, tzinfo=UTC), False),
    ("saturday", OFFICE, datetime(2026, 3, 14, 16, 59, tzinfo=UTC), True),
    ("sunday", OFFICE, datetime(2026, 3, 15, 12, 0, tzinfo=UTC), False),
    ("holiday", OFFICE, datetime(2026, 12, 25, 12, 0, tzinfo=UTC), False),
    ("inside closure", OFFICE, datetime(2026, 3, 12, 14, 30, tzinfo=UTC), False),
    ("after closure", OFFICE, datetime(2026, 3, 12, 17, 0, tzinfo=UTC), True),
    # 07:30 UTC is 07:30 in London before the clocks go forward and 08:30 after.
    ("winter time", EVERY_DAY, datetime(2026, 3, 28, 7, 30, tzinfo=UTC), False),
    ("summer time", EVERY_DAY, datetime(2026, 3, 30, 7, 30, tzinfo=UTC), True),
    ("summer evening", EVERY_DAY, datetime(2026, 7, 1, 19, 30, tzinfo=UTC), False),
    ("another zone's now", EVERY_DAY, datetime(2026, 1, 5, 3, 0, tzinfo=ZoneInfo("America/New_York")), True),
    ("overnight start", NIGHTS, datetime(2026, 1, 5, 22, 30, tzinfo=ZoneInfo("America/Chicago")), True),
    (
        "overnight after midnight",
        NIGHTS,
        datetime(2026, 1, 6, 6, 59, tzinfo=ZoneInfo("America/Chicago")),
        True,
    ),
    ("overnight over", NIGHTS, datetime(2026, 1, 6, 7, 0, tzinfo=ZoneInfo("America/Chicago")), False),
    ("never", NEVER, datetime(2026, 1, 6, 12, 0, tzinfo=UTC), False),
    ("always", ALWAYS, datetime(2026, 12, 25, 3, 0, tzinfo=UTC), True),
]


@pytest.mark.parametrize(
    ("hours", "now", "expected"), [c[1:] for c in OPEN_CASES], ids=[c[0] for c in OPEN_CASES]
)
def test_is_open(hours, now, expected):
    assert is_open(hours, now) is expected


NEXT_CASES = [
    ("open now", OFFICE, datetime(2026, 3, 10, 10, 0, tzinfo=UTC), datetime(2026, 3, 10, 10, 0, tzinfo=UTC)),
    (
        "later today",
        OFFICE,
        datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 8, 0, tzinfo=LONDON),
    ),
    (
        "over the weekend",
        OFFICE,
        datetime(2026, 3, 14, 18, 0, tzinfo=UTC),
        datetime(2026, 3, 16, 8, 0, tzinfo=LONDON),
    ),
    (
        "end of a closure",
        OFFICE,
        datetime(2026, 3, 12, 15, 0, tzinfo=UTC),
        datetime(2026, 3, 12, 17, 0, tzinfo=LONDON),
    ),
    (
        "after a holiday",
        OFFICE,
        datetime(2026, 12, 24, 21, 0, tzinfo=UTC),
        datetime(2026, 12, 26, 9, 0, tzinfo=LONDON),
    ),
    (
        "across the clock change",
        EVERY_DAY,
        datetime(2026, 3, 28, 21, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
    ),
    ("never", NEVER, datetime(2026, 1, 6, 12, 0, tzinfo=UTC), None),
]


@pytest.mark.parametrize(
    ("hours", "now", "expected"), [c[1:] for c in NEXT_CASES], ids=[c[0] for c in NEXT_CASES]
)
def test_next_opening(hours, now, expected):
    assert next_opening(hours, now) == expected


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(OFFICE, datetime(2026, 3, 10, 10, 0))


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        (datetime(2026, 3, 10, 17, 30, tzinfo=UTC), "at 5:30 pm today"),
        (datetime(2026, 3, 11, 8, 0, tzinfo=UTC), "at 8 am tomorrow"),
        (datetime(2026, 3, 14, 9, 0, tzinfo=UTC), "at 9 am on Saturday"),
        (datetime(2026, 3, 30, 7, 0, tzinfo=UTC), "at 8 am on Monday 30 March"),
    ],
)
def test_describe_opening_in_the_departments_zone(opening, expected):
    assert describe_opening(opening, datetime(2026, 3, 10, 12, 0, tzinfo=UTC), "Europe/London") == expected
