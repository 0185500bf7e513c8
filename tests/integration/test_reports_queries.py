"""The report's queries on the real database: events appended as the workers append them, figures checked
exactly against what a person counts by hand, on PostgreSQL (TEST_DATABASE_URL) and on SQLite alike."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from callflow.runtime import Runtime
from callflow.services.reports import ReportInvalid, report
from callflow.store import contact_events, db

DAY = datetime(2026, 12, 1, tzinfo=UTC)  # London keeps UTC in December


def at(clock: str, day: datetime = DAY) -> float:
    hours, minutes, seconds = (int(p) for p in clock.split(":"))
    return day.replace(hour=hours, minute=minutes, second=seconds).timestamp()


def event(call, kind, clock, department=None, seconds=None, figure=None, detail=None, day=DAY):
    n = event.count = getattr(event, "count", 0) + 1
    return {"key": f"{call}:test:{n}", "call_sid": call, "kind": kind, "at": at(clock, day), "line": "+442079460100",
            "department": department, "seconds": seconds, "figure": figure, "detail": detail}


# A morning at Acme Bank: cards' target is 60 s, fraud's 30 s (ivr_scripts/acme_bank.yaml).
MORNING = [
    event("c0", "queued", "23:59:59", "cards", day=datetime(2026, 11, 30, tzinfo=UTC)),  # the day before
    event("c1", "entered-line", "09:00:00"),
    event("c1", "queued", "09:00:00", "cards"),
    event("c1", "promise-made", "09:00:02", "cards", figure=30),
    event("c1", "promise-kept", "09:00:20", "cards", seconds=18, figure=30),
    event("c1", "answered", "09:00:20", "cards", seconds=20),
    event("c1", "talk-ended", "09:02:20", "cards", seconds=120),
    event("c1", "wrap-up", "09:02:50", "cards", seconds=30),
    event("c1", "contact-ended", "09:02:20", "cards", seconds=140, figure=1),
    event("c1", "survey", "09:02:40", "cards", figure=5),
    event("c2", "queued", "09:05:00", "cards"),
    event("c2", "abandoned", "09:05:03", "cards", seconds=3),  # short: left out
    event("c3", "queued", "09:10:00", "cards"),
    event("c3", "promise-made", "09:10:05", "cards", figure=60),
    event("c3", "promise-broken", "09:11:10", "cards", seconds=65, figure=60),
    event("c3", "abandoned", "09:11:10", "cards", seconds=70),
    event("c4", "queued", "09:20:00", "cards"),
    event("c4", "answered", "09:21:30", "cards", seconds=90),
    event("c4", "transferred", "09:24:00", "cards", detail={"to": "fraud", "warm": True}),
    event("c4", "talk-ended", "09:24:50", "cards", seconds=200),
    event("c4", "wrap-up", "09:25:00", "cards", seconds=10),
    event("c4", "queued", "09:25:00", "fraud"),
    event("c4", "answered", "09:25:10", "fraud", seconds=10),
    event("c4", "talk-ended", "09:26:10", "fraud", seconds=60),
    event("c4", "wrap-up", "09:26:30", "fraud", seconds=20),
    event("c4", "contact-ended", "09:26:10", "cards", seconds=370, figure=0),
    event("c4", "survey", "09:26:30", "fraud", figure=3),
    event("c5", "queued", "10:40:00", "fraud"),
    event("c5", "abandoned", "10:40:40", "fraud", seconds=40),
    event("c6", "callback-requested", "10:50:00", "cards", detail={"due": None}),
    event("c6", "callback-connected", "11:30:00", "cards", detail={"attempt": 1}),
    event("c7", "queued", "00:00:00", "cards", day=datetime(2026, 12, 2, tzinfo=UTC)),  # the period's end
]


@pytest.fixture(params=["configured", "sqlite"])
def rt(request, settings, sessions, tmp_path):
    """A runtime on the configured database (PostgreSQL with TEST_DATABASE_URL) or on a fresh SQLite."""
    if request.param == "sqlite":
        if settings.database_url.startswith("sqlite"):
            pytest.skip("the configured database is SQLite already")
        url = f"sqlite:///{tmp_path / 'reports.sqlite3'}"
        db.upgrade(url)
        settings = dataclasses.replace(settings, database_url=url)
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def logged(rt, events) -> None:
    with rt.sessions.begin() as session:
        contact_events.append(session, events)


def test_a_days_figures_per_department_and_for_the_line(rt):
    logged(rt, MORNING)
    result = report(rt, datetime(2026, 12, 1), datetime(2026, 12, 2))
    cards, fraud, totals = result["departments"]["cards"], result["departments"]["fraud"], result["totals"]
    assert {k: cards[k] for k in ("offered", "answered", "abandoned", "short_abandoned", "answered_within_target",
                                  "abandoned_after_target", "transfers_out", "callbacks_requested",
                                  "callbacks_connected", "promises_made", "promises_kept", "first_time_right",
                                  "contacts")} == {
        "offered": 4, "answered": 2, "abandoned": 1, "short_abandoned": 1, "answered_within_target": 1,
        "abandoned_after_target": 1, "transfers_out": 1, "callbacks_requested": 1, "callbacks_connected": 1,
        "promises_made": 2, "promises_kept": 1, "first_time_right": 1, "contacts": 2}
    assert cards["service_level"] == pytest.approx(100 / 3)  # 1 within 60 s / (2 answered + 1 after 60 s)
    assert cards["asa_seconds"] == 55  # (20 + 90) / 2
    assert cards["aht_seconds"] == 180  # (120 + 200 talk + 30 + 10 wrap-up) / 2
    assert cards["longest_wait_seconds"] == 90
    assert cards["csat_average"] == 5
    assert fraud["offered"] == 2 and fraud["answered"] == 1 and fraud["abandoned"] == 1
    assert fraud["service_level"] == 50  # 1 within 30 s / (1 answered + 1 abandoned after 30 s)
    assert fraud["aht_seconds"] == 80 and fraud["csat_average"] == 3 and fraud["first_time_right_percent"] is None
    assert result["departments"]["fees"]["offered"] == 0  # every line's departments are listed
    assert result["departments"]["fees"]["service_level"] is None
    assert totals["offered"] == 6 and totals["answered"] == 3 and totals["abandoned"] == 2
    assert totals["service_level"] == 40  # (1 + 1) / (3 + 2)
    assert totals["asa_seconds"] == 40 and totals["aht_seconds"] == pytest.approx(440 / 3)
    assert totals["csat_average"] == 4 and totals["first_time_right_percent"] == 50
    assert result["transfers"] == [{"from": "cards", "to": "fraud", "transfers": 1, "warm": 1, "cold": 0}]
    error = result["estimate_error"]
    assert (error["promises"], error["kept"], error["broken"]) == (2, 1, 1)
    assert error["mean_error_seconds"] == -3.5 and error["mean_absolute_error_seconds"] == 8.5
    assert [b["promises"] for b in error["bins"]] == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    waits = {b["wait"]: (b["answered"], b["abandoned"]) for b in result["waits"]}
    assert waits["< 10 s"] == (0, 1) and waits["10 to 20 s"] == (1, 0) and waits["20 to 30 s"] == (1, 0)
    assert waits["30 to 45 s"] == (0, 1) and waits["60 to 90 s"] == (0, 1) and waits["90 to 120 s"] == (1, 0)


def test_the_figures_alone_skip_transfers_estimate_error_and_waits(rt):
    logged(rt, MORNING)
    full = report(rt, datetime(2026, 12, 1), datetime(2026, 12, 2))
    alone = report(rt, datetime(2026, 12, 1), datetime(2026, 12, 2), figures_only=True)
    assert alone["departments"] == full["departments"] and alone["totals"] == full["totals"]
    assert alone["period"] == full["period"] and alone["targets"] == full["targets"]
    assert not {"transfers", "estimate_error", "waits"} & set(alone)


def test_hourly_and_quarter_hour_intervals(rt):
    logged(rt, MORNING)
    hourly = report(rt, datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 12), interval="hour")
    assert [(r["interval"], r["offered"], r["answered"], r["abandoned"]) for r in hourly["totals_by_interval"]] == [
        ("2026-12-01T09:00:00+00:00", 5, 3, 1), ("2026-12-01T10:00:00+00:00", 1, 0, 1),
        ("2026-12-01T11:00:00+00:00", 0, 0, 0)]
    cards = [r for r in hourly["rows"] if r["department"] == "cards"]
    assert [(r["offered"], r["callbacks_requested"], r["callbacks_connected"]) for r in cards] == [
        (4, 0, 0), (0, 1, 0), (0, 0, 1)]
    quarters = report(rt, datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 10), department="cards", interval="15m")
    assert [r["offered"] for r in quarters["rows"]] == [3, 1, 0, 0]
    assert list(quarters["departments"]) == ["cards"] and quarters["totals"]["offered"] == 4


def test_days_are_the_lines_local_days_across_a_change_of_clock(rt):
    spring = datetime(2026, 3, 28, tzinfo=UTC)  # London goes to summer time on 29 March 2026
    logged(rt, [
        event("s1", "queued", "23:30:00", "cards", day=spring),  # 28 March, 23:30 GMT
        event("s2", "queued", "23:30:00", "cards", day=spring.replace(day=29)),  # 30 March, 00:30 BST
        event("s3", "queued", "22:30:00", "cards", day=spring.replace(day=29)),  # 29 March, 23:30 BST
    ])
    result = report(rt, datetime(2026, 3, 28), datetime(2026, 3, 31), interval="day")
    assert [(r["interval"], r["offered"]) for r in result["totals_by_interval"]] == [
        ("2026-03-28T00:00:00+00:00", 1), ("2026-03-29T00:00:00+00:00", 1), ("2026-03-30T00:00:00+01:00", 1)]


def test_bad_requests_name_what_to_fix(rt):
    with pytest.raises(ReportInvalid) as bad:
        report(rt, datetime(2026, 12, 2), datetime(2026, 12, 1))
    assert bad.value.option == "to"
    with pytest.raises(ReportInvalid) as bad:
        report(rt, datetime(2026, 12, 1), datetime(2026, 12, 2), interval="week")
    assert bad.value.option == "interval"
    with pytest.raises(ReportInvalid) as bad:
        report(rt, datetime(2026, 12, 1), datetime(2026, 12, 2), department="cardz")
    assert bad.value.option == "department"
