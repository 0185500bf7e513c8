"""The e2e ring: the app served over HTTP, a real RQ worker process, and the local carrier calling in.

The carrier plays Twilio: it signs every webhook with the account's auth token and interprets our TwiML.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from rq import Worker
from werkzeug.serving import make_server

from callflow.carrier import Caller, Carrier
from callflow.services import cold_work
from tests import processes
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.waiting import wait_for
from webapp import create_app, warm

RATE = 60.0  # virtual seconds per real second: prompts, holds and rings play 60 times faster
# Virtual time starts on a Tuesday at 10:00 in London, so business hours hold on every machine at any hour.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LINE = "+15005550006"  # the company's Twilio number in the tests
CALLER = "+15551230002"


MAX_SILENCE_SECONDS = 5.0  # no caller hears a longer silence that they did not cause (issue 26)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After every e2e test (its carrier stopped, so every call is over): no caller heard silence over 5 s that
    they did not cause, anywhere in any call: a caller who hears nothing thinks they were cut off."""
    carrier = getattr(item, "funcargs", {}).get("carrier")
    result = yield
    if isinstance(carrier, Carrier):
        heard = callers_silences(carrier)
        SILENCES.extend((item.nodeid, sid, gap) for sid, gap in heard)
        too_long = [(sid, gap) for sid, gap in heard if gap.seconds > MAX_SILENCE_SECONDS]
        assert not too_long, "callers heard silence: " + "; ".join(f"{sid}: {gap}" for sid, gap in too_long)
    return result


SILENCES: list = []  # (test, call sid, longest silence) of every caller's call, for the summary below


def callers_silences(carrier) -> list:
    """(call sid, longest silence) of every caller's call: to the line, and the line's callbacks to them."""
    calls = [c for c in list(carrier.calls.values()) if c.direction == "inbound" and c.to == LINE or _callback(c)]
    return [(c.sid, c.longest_silence()) for c in calls]


def _callback(call) -> bool:
    """A call the line placed to a customer (a callback), not to an agent: its first webhook is a callback's."""
    first = next((e.text for e in list(call.transcript) if e.kind == "request"), "")
    return call.direction == "outbound-api" and "/voice/callback" in first


def pytest_terminal_summary(terminalreporter):
    """The figure the e2e suite measures: the longest silence any caller heard, over every call placed."""
    if SILENCES:
        test, _, gap = max(SILENCES, key=lambda s: s[2].seconds)
        terminalreporter.write_line(f"callers' longest silence over {len(SILENCES)} calls: {gap} ({test})")


@pytest.fixture(autouse=True)
def no_caller_waits_for_cold_work():
    """Fails a test in which a webhook parsed a script or trained a router while a caller waited (issue 22)."""
    cold_work.seen.clear()
    yield
    assert not cold_work.seen, f"callers waited while the app {cold_work.seen}"


@pytest.fixture
def clock_start() -> datetime:
    """When the test's virtual day begins; override in a test module to call at night or on a holiday."""
    return TUESDAY_MORNING


@pytest.fixture
def app_server(settings, clock_start, sessions):
    """The Flask app answering on a free local port, on an emptied database; PUBLIC_URL is that address."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    public_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(dataclasses.replace(settings, public_url=public_url, clock_rate=RATE,
                                         clock_start=clock_start))
    server.app = app
    warm.warm_up_app(app)  # ready before its first caller, as gunicorn's post_worker_init does (issue 22)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, public_url
    server.shutdown()
    app.extensions["callflow"].close()


@pytest.fixture
def worker(settings, redis, clock_start, carrier):
    """A real `callflow worker` process on the test Redis and database."""
    env = dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
               TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
               IVR_SCRIPTS=str(settings.ivr_scripts), CALLFLOW_INSTANCE=str(settings.instance_path),
               CALLFLOW_CLOCK_RATE=str(RATE), CALLFLOW_CLOCK_START=clock_start.isoformat(),
               TWILIO_API_URL=carrier.url, PUBLIC_URL=carrier.numbers[LINE].voice_url.rsplit("/voice/", 1)[0])
    process = processes.start([sys.executable, "-m", "callflow.cli", "worker"], env=env)
    wait_for(lambda: Worker.all(connection=redis) or process.poll() is not None, what="the RQ worker to start")
    assert process.poll() is None, "the RQ worker exited at start"
    yield process
    try:
        _every_call_has_one_summary(carrier, sessions_for(settings))
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop a worker as a deploy does (SIGTERM: RQ finishes the job in hand), then kill it if a loaded machine
    keeps it past 30 s: how long it takes to stop is not what these tests judge."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def sessions_for(settings):
    from callflow.store import db

    return db.session_factory(db.make_engine(settings.database_url))


def _every_call_has_one_summary(carrier, sessions) -> None:
    """Whatever a test did, every finished call to the line must end with exactly one complete summary."""
    from callflow.store.models import Summary

    finished = [c.sid for c in list(carrier.calls.values())
                if c.direction == "inbound" and c.to == LINE and c.done.is_set()]

    def all_written():
        with sessions() as session:
            return all(session.get(Summary, sid) is not None for sid in finished)

    wait_for(all_written, timeout=30, what=f"summaries of {len(finished)} calls")
    _summaries_agree_with_the_event_log(finished, sessions)


def _summaries_agree_with_the_event_log(finished: list[str], sessions) -> None:
    """Every finished call's summary tells what its events in the log tell (issue 21: never disagree)."""
    from callflow.store.contact_events import events_of
    from callflow.store.summaries import get_summary

    with sessions() as session:
        for sid in finished:
            summary, events = get_summary(session, sid), events_of(session, sid)
            told = {
                "departments": [e["department"] for e in events if e["kind"] == "queued"] or summary["departments"],
                "waits_seconds": [round(e["seconds"]) for e in events if e["kind"] == "answered"],
                "agents": [e["agent"] for e in events if e["kind"] in ("answered", "callback-connected")],
                "transfers": len([e for e in events if e["kind"] == "transferred"]),
                "promises": len([e for e in events if e["kind"] == "promise-made"]),
                "ended": len([e for e in events if e["kind"] == "contact-ended"]),
                "language": next(((e["detail"] or {}).get("language") for e in events if e["kind"] == "entered-line"),
                                 summary.get("language")),
            }
            summarised = {key: summary[key] for key in ("departments", "waits_seconds", "agents")}
            summarised |= {"transfers": len(summary["transfers"]), "promises": len(summary["promises"]),
                           "ended": 1 if summary["ended_at"] else 0, "language": summary.get("language")}
            assert told == summarised, f"{sid}: the log says {told}, the summary {summarised}"


@pytest.fixture
def carrier(app_server):
    """The local carrier with the company's line pointed at the app, and the app's REST client at the carrier."""
    _, public_url = app_server
    phone_company = Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=RATE)
    phone_company.start()
    phone_company.add_number(LINE, voice_url=f"{public_url}/voice/incoming",
                             status_callback=f"{public_url}/voice/status")
    runtime = app_server[0].extensions["callflow"]  # the app's REST calls (agents, callbacks) reach the carrier
    runtime.settings = dataclasses.replace(runtime.settings, twilio_api_url=phone_company.url)
    yield phone_company
    phone_company.stop()


def call_in(carrier, *answers, caller: str = CALLER, patience: float = 5.0, timeout: float = 60.0):
    """Place a call to the line that answers prompts in turn and holds `patience` virtual seconds."""
    call = carrier.place_call(from_=caller, to=LINE, caller=Caller(list(answers), patience=patience))
    call.wait(timeout=timeout)
    assert not call.entries("application-error"), call.entries("application-error")
    return call


def enqueued_in(call) -> list[str]:
    """The queues a call was put in, in order."""
    return [entry.text for entry in call.entries("enqueued")]
