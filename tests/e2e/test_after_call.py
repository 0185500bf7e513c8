"""After the call, on a line that asks for it: the caller rates the call on the keypad once the agent hangs up,
and receives one SMS listing the actions the agent promised once the agent files the disposition.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from callflow import jobs
from callflow.carrier import Caller, press, say, silence
from callflow.store.after_call import SURVEY_QUESTION
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from callflow.store.summaries import get_summary
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN = "+15557770001"
PASSWORD = "correct horse battery"
PROMISED = "We've blocked your card\na new one arrives in 3-5 days"
WITHHELD = "+266696687"  # what Twilio shows for a withheld caller ID: not a number anyone can text


def acme_after_call(settings, tmp_path, after_call: str = "{sms_actions: true, survey: true}"):
    """The repository's scripts, with Acme Bank's line given these `after_call:` settings."""
    folder = tmp_path / "ivr_scripts"
    shutil.copytree(settings.ivr_scripts, folder)
    script = folder / "acme_bank.yaml"
    script.write_text(script.read_text().replace("company: Acme Bank\n",
                                                 f"company: Acme Bank\nafter_call: {after_call}\n", 1))
    return dataclasses.replace(settings, ivr_scripts=folder)


@pytest.fixture
def settings(settings, tmp_path):
    """Acme Bank's line sending the SMS and asking the survey."""
    return acme_after_call(settings, tmp_path)


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", PASSWORD, ANN, ["fraud"])
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    return app, runtime


def summary_of(sessions, sid: str, ready=lambda s: s["ended_at"]) -> dict:
    def written():
        with sessions() as session:
            found = get_summary(session, sid)
            return found if found and ready(found) else None

    return wait_for(written, timeout=30, what=f"the summary of {sid}")


def file_disposition_in_console(app, sid: str, promised: str, login: str = "ann") -> None:
    """The agent (Ann) logs in to the console and files the call's disposition with the actions promised."""
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "login-form"
    client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": "login-form"})
    with client.session_transaction() as cookie:
        token = cookie["csrf_token"]
    answer = client.post(f"/console/calls/{sid}/disposition", headers={"X-CSRF-Token": token,
                                                                       "Accept": "application/json"},
                         data={"outcome": "resolved", "notes": "Card blocked.", "promised": promised})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_the_caller_rates_the_call_on_the_keypad_after_the_agent_hangs_up(centre, worker, carrier, sessions):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card"), press("4")]))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "Fraud team, Ann speaking." in [e.text for e in call.entries("talk")]
    assert heard.index(SURVEY_QUESTION) > heard.index("I'll put you through")
    assert heard.endswith("Thank you, your answer helps us improve. Thank you for calling Acme Bank. Goodbye.")
    assert summary_of(sessions, call.sid)["survey_score"] == 4


def test_no_answer_to_the_survey_stores_nothing_and_the_call_ends_politely(centre, worker, carrier, sessions):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card"), silence()]))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert SURVEY_QUESTION in heard and heard.endswith("Thank you for calling Acme Bank. Goodbye.")
    assert call.entries("hangup")
    summary = summary_of(sessions, call.sid)
    assert summary["survey_score"] is None and summary["agents"] == ["ann"]


def test_the_promised_actions_are_texted_once_when_the_disposition_is_filed(centre, worker, carrier, sessions):
    app, runtime = centre
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card"), press("5")]))
    call.wait(timeout=60)
    file_disposition_in_console(app, call.sid, PROMISED)
    sms = wait_for(lambda: [m for m in carrier.messages if m.to == CALLER], timeout=30, what="the SMS")
    assert [(m.from_, m.body) for m in sms] == [
        (LINE, "Acme Bank: as promised on your call today: We've blocked your card; a new one arrives in 3-5 days.")]

    again = runtime.jobs.enqueue(jobs.disposition_filed, call.sid)  # the disposition job runs a second time
    wait_for(lambda: again.get_status(refresh=True) in ("finished", "failed"), timeout=30, what="the second run")
    assert again.get_status() == "finished"
    assert len([m for m in carrier.messages if m.to == CALLER]) == 1
    summary = summary_of(sessions, call.sid, ready=lambda s: s["dispositions"])
    assert summary["sms_sent"] is True and summary["survey_score"] == 5
    assert summary["actions_promised"] == PROMISED.split("\n")


def test_a_withheld_number_gets_no_sms(centre, worker, carrier, sessions):
    app, _ = centre
    call = carrier.place_call(from_=WITHHELD, to=LINE, caller=Caller([say("I lost my card"), press("3")]))
    call.wait(timeout=60)
    file_disposition_in_console(app, call.sid, PROMISED)
    summary = summary_of(sessions, call.sid, ready=lambda s: s["dispositions"])  # written after the SMS step
    assert summary["sms_sent"] is False and summary["actions_promised"] == PROMISED.split("\n")
    assert carrier.messages == []
