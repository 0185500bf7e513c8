"""The report's figures from the log's counts, computed by hand: what counts as offered, answered in time,
abandoned or short, how service level, ASA and AHT divide, and where days and hours begin."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from callflow.domain.reports import (
    boundaries,
    build_report,
    estimate_error,
    figures,
    sql_buckets,
    transfer_table,
    waits_histogram,
)

LONDON = ZoneInfo("Europe/London")


def row(department="cards", bucket=0, **counts):
    """A row of the database's counts (`period_counts`): kinds' counts are named by the kind ("promise-made")."""
    return {"department": department, "bucket": bucket, **counts}


def tally(*rows):
    return build_report(list(rows), [0], None, UTC, [])["totals"]


def test_service_level_leaves_short_abandons_out_and_counts_abandons_after_the_target():
    # 10 offered: 6 answered (4 within the target), 2 short abandons, 2 abandoned (1 after the target)
    got = tally(row(queued=10, answered=6, answered_wait=240, answered_wait_max=95, answered_within_target=4,
                    abandoned=4, abandoned_wait_max=100, abandoned_short=2, abandoned_after_target=1))
    assert got["offered"] == 10 and got["answered"] == 6
    assert got["abandoned"] == 2 and got["short_abandoned"] == 2
    assert got["answered_within_target"] == 4
    assert got["service_level"] == pytest.approx(4 / 7 * 100)  # 4 / (6 + 1)
    assert got["abandoned_percent"] == 25  # 2 / (6 + 2)
    assert got["asa_seconds"] == 40  # 240 / 6
    assert got["longest_wait_seconds"] == 100  # an abandon waited longest


def test_aht_adds_talk_and_wrap_up_over_answered_calls():
    got = tally(row(answered=4, answered_wait=0, answered_wait_max=0, talk=1000, wrap_up=200))
    assert got["aht_seconds"] == 300  # (1000 + 200) / 4
    assert (got["talk_seconds"], got["wrap_up_seconds"]) == (1000, 200)


def test_ratios_without_a_denominator_are_none():
    got = figures({})
    assert got["offered"] == 0
    for key in ("service_level", "asa_seconds", "aht_seconds", "longest_wait_seconds", "csat_average",
                "promise_kept_percent", "first_time_right_percent", "callbacks_connected_percent"):
        assert got[key] is None, key


def test_promises_callbacks_first_time_right_and_csat():
    got = tally(row(**{"promise-made": 5, "promise-kept": 3, "promise-broken": 1, "callback-requested": 4,
                       "callback-connected": 3, "contact-ended": 8, "survey": 3}, first_time_right=6,
                    survey_score=13, surveys=3))
    assert (got["promises_made"], got["promises_kept"], got["promise_kept_percent"]) == (5, 3, 75)
    assert (got["callbacks_requested"], got["callbacks_connected"], got["callbacks_connected_percent"]) == (4, 3, 75)
    assert (got["contacts"], got["first_time_right"], got["first_time_right_percent"]) == (8, 6, 75)
    assert got["csat_average"] == pytest.approx(13 / 3)


def test_departments_and_totals_each_use_their_own_counts():
    result = build_report([row("cards", answered=2, answered_wait=20, answered_within_target=2),
                           row("fraud", answered=1, answered_wait=50, abandoned=1, abandoned_after_target=1,
                               abandoned_wait_max=45)],
                          [0], None, UTC, ["cards", "fraud", "fees"])
    assert list(result["departments"]) == ["cards", "fraud", "fees"]
    assert result["departments"]["cards"]["service_level"] == 100
    assert result["departments"]["fraud"]["service_level"] == 0
    assert result["departments"]["fees"]["offered"] == 0
    assert result["totals"]["service_level"] == 50  # 2 / (3 + 1)
    assert result["totals"]["asa_seconds"] == pytest.approx(70 / 3)
    assert result["totals"]["longest_wait_seconds"] == 45


def test_local_days_follow_the_change_of_clock():
    bounds = boundaries(datetime(2026, 3, 28, tzinfo=LONDON), datetime(2026, 3, 31, tzinfo=LONDON), "day", LONDON)
    assert [b2 - b1 for b1, b2 in pairwise(bounds)] == [86400, 82800]  # the 29th has 23 h
    assert sql_buckets(bounds, "day") == (900, 0)  # quarter hours, folded into local days
    summer = boundaries(datetime(2026, 6, 1, tzinfo=LONDON), datetime(2026, 6, 3, tzinfo=LONDON), "day", LONDON)
    assert summer == [int(datetime(2026, 5, 31, 23, tzinfo=UTC).timestamp()),
                      int(datetime(2026, 6, 1, 23, tzinfo=UTC).timestamp())]
    size, offset = sql_buckets(summer, "day")
    assert size == 86400 and (summer[0] + offset) % size == 0  # whole days in SQL, shifted an hour


def test_hours_of_a_half_hour_zone_and_quarter_hours():
    kolkata = ZoneInfo("Asia/Kolkata")
    bounds = boundaries(datetime(2026, 1, 1, 9, 10, tzinfo=kolkata), datetime(2026, 1, 1, 11, tzinfo=kolkata),
                        "hour", kolkata)
    assert [datetime.fromtimestamp(b, kolkata).strftime("%H:%M") for b in bounds] == ["09:00", "10:00"]
    assert sql_buckets(bounds, "hour") == (3600, 1800)
    quarters = boundaries(datetime(2026, 1, 1, 9, 10, tzinfo=UTC), datetime(2026, 1, 1, 9, 45, tzinfo=UTC), "15m",
                          UTC)
    assert [datetime.fromtimestamp(b, UTC).strftime("%H:%M") for b in quarters] == ["09:00", "09:15", "09:30"]
    with pytest.raises(ValueError, match="interval must be one of 15m, hour, day"):
        boundaries(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC), "week", UTC)


def test_intervals_fold_quarter_hour_buckets_into_local_hours():
    start = int(datetime(2026, 1, 1, 9, tzinfo=UTC).timestamp())
    bounds = [start, start + 3600]
    result = build_report([row(bucket=start, queued=2), row(bucket=start + 2700, queued=1),
                           row(bucket=start + 3600, queued=4)], bounds, "hour", UTC, ["cards", "fees"])
    assert [(r["interval"], r["offered"]) for r in result["rows"]] == [
        ("2026-01-01T09:00:00+00:00", 3), ("2026-01-01T10:00:00+00:00", 4)]
    assert result["totals"]["offered"] == 7
    assert {r["department"] for r in result["rows"]} == {"cards"}  # quiet departments: in the period's figures only
    assert result["departments"]["fees"]["offered"] == 0


def test_transfers_estimate_error_and_waits():
    assert transfer_table([{"from": "cards", "count": 2, "to": "fraud", "warm": True},
                           {"from": "cards", "count": 3, "to": "fraud", "warm": False},
                           {"from": "fees", "count": 1, "to": "account", "warm": False}]) == [
        {"from": "cards", "to": "fraud", "transfers": 5, "warm": 2, "cold": 3},
        {"from": "fees", "to": "account", "transfers": 1, "warm": 0, "cold": 1}]
    error = estimate_error([
        {"department": "cards", "kind": "promise-kept", "bin": 4, "count": 2, "promised_sum": 120,
         "waited_sum": 90, "error_sum": -30, "abs_error_sum": 30},
        {"department": "cards", "kind": "promise-broken", "bin": 7, "count": 1, "promised_sum": 60,
         "waited_sum": 100, "error_sum": 40, "abs_error_sum": 40}])
    assert (error["promises"], error["kept"], error["broken"]) == (3, 2, 1)
    assert error["mean_error_seconds"] == pytest.approx(10 / 3) and error["mean_absolute_error_seconds"] == 70 / 3
    assert error["bins"][4] == {"error": "-30 to -10 s", "promises": 2}
    assert error["bins"][7] == {"error": "30 to 60 s", "promises": 1}
    waits = waits_histogram([{"kind": "answered", "bin": 0, "count": 5}, {"kind": "abandoned", "bin": 10, "count": 2}])
    assert waits[0] == {"wait": "< 10 s", "answered": 5, "abandoned": 0}
    assert waits[-1] == {"wait": ">= 600 s", "answered": 0, "abandoned": 2}


def test_folded_quarter_hours_add_up_waits_and_keep_the_longest_and_quiet_rows_are_zeros_of_their_own():
    start = int(datetime(2026, 1, 1, 9, tzinfo=UTC).timestamp())
    bounds = [start, start + 3600, start + 7200]
    result = build_report([row(bucket=start, queued=2, answered=2, answered_wait=30.5, answered_wait_max=20.5),
                           row(bucket=start + 900, queued=1, abandoned=1, abandoned_wait_max=50),
                           row(bucket=start + 1800, queued=1, answered=1, answered_wait=4.5, answered_wait_max=4.5),
                           row("fees", bucket=start + 7200, queued=1)], bounds, "hour", UTC, ["cards", "fees"])
    nine = result["rows"][0]
    assert (nine["offered"], nine["answered"], nine["asa_seconds"], nine["longest_wait_seconds"]) == (4, 3, 35 / 3, 50)
    quiet = [r for r in result["rows"] if r["offered"] == 0]
    assert len(quiet) == 4 and all(r == {"department": r["department"], "interval": r["interval"], **figures({})}
                                   for r in quiet)
    quiet[0]["offered"] = 99  # a caller that changes one row changes no other
    assert [r["offered"] for r in quiet[1:]] == [0, 0, 0] and figures({})["offered"] == 0
    assert result["totals"]["longest_wait_seconds"] == 50 and result["totals"]["offered"] == 5
