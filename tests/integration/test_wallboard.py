"""The wallboard's figures for now on real Redis and the real database, put there by the store modules as the
app puts them; today's figures as a real RQ worker reads them for the whole centre; and who may open it:
supervisors and administrators, never agents."""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime

import pytest
from rq import Worker

from callflow.domain.clock import FixedClock
from callflow.services import reports, wallboard
from callflow.store import contact_events
from callflow.store.acd import CallerInfo
from callflow.store.agents import add_agent
from callflow.store.callbacks import CallbackState, move, request_callback
from callflow.store.presence import Presence
from callflow.store.queues import MemberKind
from tests import processes
from tests.e2e.conftest import stop
from tests.waiting import wait_for
from webapp import create_app

PASSWORD = "correct horse battery"
LINE = "+442079460100"  # Acme Bank (ivr_scripts/acme_bank.yaml)
NINE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(settings, sessions):
    with sessions() as session:
        add_agent(session, "alice", "Alice", PASSWORD, "+15557770001", ["cards"])
        add_agent(session, "bob", "Bob", PASSWORD, "+15557770002", ["cards", "fraud"])
        add_agent(session, "cleo", "Cleo", PASSWORD, "+15557770003", ["fraud"])
        add_agent(session, "dan", "Dan", PASSWORD, "+15557770004", ["payments"])
        add_agent(session, "sam", "Sam", PASSWORD, "+15557770005", [], role="supervisor")
        add_agent(session, "root", "Root", PASSWORD, "+15557770006", [], role="admin")
    app = create_app(settings)
    app.extensions["callflow"].clock = FixedClock(NINE)
    yield app
    app.extensions["callflow"].close()


@pytest.fixture
def rt(app):
    return app.extensions["callflow"]


@pytest.fixture
def worker(settings, redis, rt):
    """A real `callflow worker` process on the test Redis and database, its clock at the test's 9 o'clock."""
    env = dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
               TWILIO_ACCOUNT_SID=settings.twilio_account_sid, TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
               TWILIO_API_URL="http://127.0.0.1:9", IVR_SCRIPTS=str(settings.ivr_scripts),
               CALLFLOW_INSTANCE=str(settings.instance_path), CALLFLOW_CLOCK_START=NINE.isoformat())
    process = processes.start([sys.executable, "-m", "callflow.cli", "worker"], env=env)
    wait_for(lambda: Worker.all(connection=redis) or process.poll() is not None, what="the RQ worker to start")
    assert process.poll() is None, "the RQ worker exited at start"
    yield process
    stop(process)


def waits(rt, sid: str, department: str, waited: float, priority: int = 0) -> None:
    """A caller in a department's line, as the IVR puts them, `waited` seconds ago."""
    now = rt.clock.timestamp()
    info = CallerInfo(sid, "+15551230000", LINE, department, entered_at=now - waited)
    rt.acd.remember(info)
    rt.acd.queues.join(department, sid, entered_at=now - waited, priority=priority)


def row(board: dict, department: str) -> dict:
    return next(d for line in board["lines"] for d in line["departments"] if d["id"] == department)


def acme(board: dict) -> dict:
    return next(line for line in board["lines"] if line["line"] == "Acme Bank")


def test_callers_waiting_the_longest_wait_callbacks_and_agents_now(rt, sessions):
    for number, waited in enumerate((30, 95, 12)):
        waits(rt, f"CA{number}", "cards", waited)
    waits(rt, "CA-transferred", "cards", 20, priority=1)  # ahead in line, but has not waited longest
    # A callback holds a place older than everyone's: it is a callback waiting, not a caller.
    now = rt.clock.timestamp()
    rt.acd.queues.join("cards", "CA-callback", entered_at=now - 600, kind=MemberKind.CALLBACK)
    with sessions() as db:
        request_callback(db, "CA-callback", "+15551230009", LINE, "cards", NINE)
        booked = request_callback(db, "CA-booked", "+15551230008", LINE, "fraud", NINE,
                                  due_at=NINE.replace(hour=15))
        done = request_callback(db, "CA-done", "+15551230007", LINE, "fraud", NINE)
        assert booked.state == CallbackState.SCHEDULED.value
        assert move(db, done.id, CallbackState.GIVEN_UP, NINE)  # over: no longer waiting
    waits(rt, "CA-fraud", "fraud", 75)
    rt.acd.set_presence("alice", Presence.AVAILABLE, ["cards"], now)
    rt.acd.set_presence("bob", Presence.ON_CALL, ["cards", "fraud"], now, call="CA-x")
    rt.acd.set_presence("cleo", Presence.WRAP_UP, ["fraud"], now)
    # dan never set a presence: away

    board = wallboard.board(rt)

    cards, fraud, payments = row(board, "cards"), row(board, "fraud"), row(board, "payments")
    assert cards["now"] == {"waiting": 4, "longest_wait": 95.0, "callbacks_waiting": 1,
                            "agents": {"available": 1, "ringing": 0, "on_call": 1, "wrap_up": 0, "away": 0}}
    assert fraud["now"] == {"waiting": 1, "longest_wait": 75.0, "callbacks_waiting": 1,
                            "agents": {"available": 0, "ringing": 0, "on_call": 1, "wrap_up": 1, "away": 0}}
    assert payments["now"]["waiting"] == 0 and payments["now"]["longest_wait"] is None
    assert payments["now"]["agents"]["away"] == 1
    line = acme(board)["total"]["now"]
    assert line["waiting"] == 5 and line["longest_wait"] == 95.0 and line["callbacks_waiting"] == 2
    assert line["agents"] == {"available": 1, "ringing": 0, "on_call": 1, "wrap_up": 1, "away": 1}  # bob once
    # Cards' target is 80 % in 60 s: a 95 s wait is amber (up to twice the target's seconds).
    assert cards["target"] == {"percent": 80, "seconds": 60}
    assert cards["ratings"]["longest_wait"] == "warn" and cards["ratings"]["waiting"] == "warn"
    assert "waiting" not in payments["ratings"]  # nobody waits: nothing to judge
    assert acme(board)["total"]["ratings"]["longest_wait"] == "bad"  # fraud's 75 s is past twice its 30 s


def test_the_longest_wait_is_the_oldest_caller_even_behind_many_higher_priority_places(rt):
    for number in range(40):  # more than one walk's chunk of transferred callers ahead
        waits(rt, f"CA-t{number}", "cards", 10 + number, priority=1)
    waits(rt, "CA-old", "cards", 500)
    waits(rt, "CA-new", "cards", 5)
    cards = row(wallboard.board(rt), "cards")
    assert cards["now"]["waiting"] == 42 and cards["now"]["longest_wait"] == 500.0
    assert cards["ratings"]["longest_wait"] == "bad"


def logged(rt, *events) -> None:
    """Events in the log as the workers write them, at clock times of the test's day."""
    rows = []
    for n, (call, kind, clock, department, seconds, figure) in enumerate(events):
        hours, minutes = (int(part) for part in clock.split(":"))
        rows.append({"key": f"{call}:wallboard:{n}", "call_sid": call, "kind": kind, "line": LINE,
                     "at": NINE.replace(hour=hours, minute=minutes).timestamp(), "department": department,
                     "seconds": seconds, "figure": figure})
    with rt.sessions.begin() as session:
        contact_events.append(session, rows)


def ready(board: dict) -> dict | None:
    return board if board["today_ready"] else None


def test_todays_figures_are_the_reports_since_the_lines_midnight_read_by_a_worker(rt, worker):
    logged(rt,
           ("c1", "queued", "08:00", "cards", None, None), ("c1", "answered", "08:01", "cards", 20, None),
           ("c1", "talk-ended", "08:05", "cards", 200, None), ("c1", "wrap-up", "08:06", "cards", 40, None),
           ("c1", "contact-ended", "08:05", "cards", 260, 1),
           ("c2", "queued", "08:10", "cards", None, None), ("c2", "answered", "08:13", "cards", 100, None),
           ("c2", "talk-ended", "08:15", "cards", 100, None), ("c2", "wrap-up", "08:16", "cards", 20, None),
           ("c2", "contact-ended", "08:15", "cards", 230, 1),
           ("c3", "queued", "08:20", "cards", None, None), ("c3", "abandoned", "08:22", "cards", 90, None),
           ("c4", "queued", "08:30", "fraud", None, None), ("c4", "answered", "08:31", "fraud", 10, None),
           ("c4", "contact-ended", "08:33", "fraud", 120, 0))
    with rt.sessions.begin() as session:  # yesterday's call, at 23:00 on 30 November
        contact_events.append(session, [{"key": "y0:q", "call_sid": "y0", "kind": "queued", "line": LINE,
                                         "at": NINE.timestamp() - 10 * 3600, "department": "cards"}])
    # The first refresh asks the worker and does not wait for it; a refresh after its answer shows the day.
    board = wait_for(lambda: ready(wallboard.board(rt)), timeout=30, what="the worker's figures of today")
    assert NINE.timestamp() <= board["today_at"] <= board["at"] + 300  # the worker's clock started at 9 too
    expected = reports.report(rt, datetime(2026, 12, 1), datetime(2026, 12, 1, 9, 0, 1))["departments"]
    cards = row(board, "cards")["today"]
    assert (cards["offered"], cards["answered"], cards["abandoned"]) == (3, 2, 1) == \
        (expected["cards"]["offered"], expected["cards"]["answered"], expected["cards"]["abandoned"])
    assert cards["service_level"] == pytest.approx(expected["cards"]["service_level"]) == pytest.approx(100 / 3)
    assert cards["asa_seconds"] == expected["cards"]["asa_seconds"] == 60
    assert cards["aht_seconds"] == expected["cards"]["aht_seconds"] == 180
    assert cards["abandoned_percent"] == pytest.approx(100 / 3)
    assert row(board, "cards")["ratings"]["service_level"] == "bad"  # a third, against 80 %
    total = acme(board)["total"]["today"]
    assert (total["offered"], total["answered"], total["abandoned"]) == (4, 3, 1)
    assert total["service_level"] == pytest.approx(50)  # (1 + 1) / (3 answered + 1 abandoned after its target)
    assert total["asa_seconds"] == pytest.approx(130 / 3)
    assert total["first_time_right_percent"] == pytest.approx(200 / 3)  # c1 and c2, not c4


def test_today_is_empty_but_the_board_still_answers_without_the_days_figures(rt):
    board = wallboard.board(rt)
    assert board["today_ready"] is False and board["today_at"] is None
    cards = row(board, "cards")
    assert cards["today"]["offered"] == 0 and cards["today"]["service_level"] is None
    assert "service_level" not in cards["ratings"]  # nothing to judge yet
    assert cards["now"]["agents"]["away"] == 2  # the figures for now are up all the same


def test_every_refresh_asks_for_todays_figures_once_and_none_waits_for_them(rt):
    """No worker here: the refreshes answer at once with what is stored, and however many screens refresh,
    one job is asked for until a worker answers it."""
    logged(rt, ("c1", "queued", "08:00", "cards", None, None), ("c1", "abandoned", "08:02", "cards", 90, None))
    boards = [wallboard.board(rt) for _ in range(5)]
    assert [board["today_ready"] for board in boards] == [False] * 5
    assert [job.func_name for job in rt.jobs.get_jobs()] == ["callflow.jobs.refresh_wallboard_today"]
    assert wallboard.refresh_today(rt) is True  # what the worker's job runs
    board = wallboard.board(rt)
    assert board["today_ready"] is True and board["today_at"] == NINE.timestamp()
    assert row(board, "cards")["today"]["abandoned"] == 1


def csrf_of(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)


def logged_in(app, login: str):
    client = app.test_client()
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf_of(client)})
    assert answer.status_code == 303
    return client


@pytest.mark.parametrize("login", ["sam", "root"])
def test_supervisors_and_administrators_open_the_wallboard(app, rt, login):
    waits(rt, "CA1", "cards", 75)
    client = logged_in(app, login)
    page = client.get("/wallboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-cell="cards:waiting">1<' in html and 'data-cell="cards:longest_wait">1:15<' in html
    data = client.get("/wallboard/data", headers={"Accept": "application/json"}).get_json()
    assert data["cells"]["cards:waiting"] == ["1", "warn"]
    assert data["cells"]["cards:longest_wait"] == ["1:15", "warn"]
    assert data["cells"]["board:today"] == ["Today's figures are not available yet", ""]  # no worker here
    assert 'data-cell="board:today">Today&#39;s figures are not available yet<' in html
    assert row(data["board"], "cards")["now"]["waiting"] == 1


def test_agents_are_refused_and_strangers_sent_to_log_in(app):
    agent = logged_in(app, "alice")
    assert agent.get("/wallboard").status_code == 403
    assert agent.get("/wallboard/data", headers={"Accept": "application/json"}).status_code == 403
    stranger = app.test_client()
    assert stranger.get("/wallboard").status_code == 302
    assert stranger.get("/wallboard/data", headers={"Accept": "application/json"}).status_code == 401
