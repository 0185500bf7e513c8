"""Which moment a keyed callback time means, and which are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callflow.domain.callback_times import TimeRefusal, choose, parse, refusal_words, spoken_time
from tests.unit.script.test_hours import OFFICE

LONDON = ZoneInfo("Europe/London")
TUESDAY_10AM = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("digits", "expected"), [("1530", (15, 30)), ("930", (9, 30)), ("15", (15, 0)),
                                                  ("0900#", (9, 0)), ("2400", None), ("1260", None),
                                                  ("", None), ("12345", None), ("1*30", None)])
def test_parse(digits, expected):
    assert parse(digits) == expected


@pytest.mark.parametrize(("digits", "now", "expected"), [
    ("1530", TUESDAY_10AM, datetime(2026, 3, 10, 15, 30, tzinfo=LONDON)),  # later today
    ("1005", TUESDAY_10AM, datetime(2026, 3, 11, 10, 5, tzinfo=LONDON)),  # too soon today: tomorrow
    ("0900", TUESDAY_10AM, datetime(2026, 3, 11, 9, 0, tzinfo=LONDON)),  # gone today: tomorrow
    ("1600", datetime(2026, 3, 14, 12, 0, tzinfo=UTC), datetime(2026, 3, 14, 16, 0, tzinfo=LONDON)),  # Saturday
    ("1800", datetime(2026, 3, 14, 12, 0, tzinfo=UTC), datetime(2026, 3, 16, 18, 0, tzinfo=LONDON)),  # not Sat/Sun
    # Not Saturday (opens at 9) nor Sunday; on Monday the clocks have gone forward: 08:30 in London is 07:30 UTC.
    ("0830", datetime(2026, 3, 27, 12, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 30, tzinfo=UTC)),
])
def test_the_next_open_moment_at_the_keyed_time(digits, now, expected):
    assert choose(OFFICE, "Europe/London", digits, now).at == expected


def test_a_closed_hour_and_a_non_time_are_refused_with_a_reason():
    night = choose(OFFICE, "Europe/London", "0300", TUESDAY_10AM)
    assert (night.at, night.refusal) == (None, TimeRefusal.CLOSED)
    assert refusal_words(night.refusal, OFFICE, TUESDAY_10AM).endswith("We're next open at 10:10 am today.")
    assert choose(OFFICE, "Europe/London", "9999", TUESDAY_10AM).refusal is TimeRefusal.NOT_A_TIME


def test_without_hours_any_time_will_do_and_it_is_said_the_way_an_agent_would():
    at = choose(None, "Europe/London", "0300", TUESDAY_10AM).at
    assert at == datetime(2026, 3, 11, 3, 0, tzinfo=LONDON)
    assert spoken_time(at, TUESDAY_10AM) == "at 3 am tomorrow"
