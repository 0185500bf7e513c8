"""Every call leaves one summary: what the caller said, where they went, how they waited, who helped, the outcome."""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press, say
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from callflow.store.summaries import get_summary
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN = "+15557770001"


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", ANN, ["fraud"])
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))
    return runtime


def summary_of(sessions, sid: str) -> dict:
    def written():
        with sessions() as session:
            found = get_summary(session, sid)
            return found if found and found["ended_at"] else None

    return wait_for(written, timeout=30, what=f"the summary of {sid}")


def test_a_call_answered_by_an_agent_is_summarised(centre, worker, carrier, sessions):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card")]))
    call.wait(timeout=60)
    summary = summary_of(sessions, call.sid)
    assert (summary["caller"], summary["line"]) == (CALLER, LINE)
    assert summary["words"] == ["I lost my card"]
    assert summary["departments"] == ["fraud"] and summary["first_department_right"] is True
    assert summary["agents"] == ["ann"] and summary["talk_seconds"] > 0
    assert summary["permission_asked"] is False and summary["outcome"] == "connected"
    assert any(step.startswith("steer:route:fraud") for step in summary["ivr_path"])


def test_a_caller_who_gives_up_on_hold_is_summarised_with_the_promise_made(centre, worker, carrier, sessions):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1")], patience=20))
    call.wait(timeout=60)
    summary = summary_of(sessions, call.sid)
    assert summary["permission_asked"] is True and summary["hold_answer"] == "hold-accepted"
    assert summary["promises"] and summary["promises"][0]["seconds"] >= 60
    assert summary["outcome"] == "abandoned" and summary["agents"] == []
    assert runtime.acd.queues.size("fraud") == 0  # the caller who left holds no place
