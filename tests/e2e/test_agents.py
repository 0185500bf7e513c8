"""Routed callers reach a free agent: the longest-idle agent is rung, hears a whisper, and the two are bridged.

Everything is real: the app, an RQ worker process ringing agents through the twilio REST client, and the
local carrier playing both the caller's phone and the agents' phones.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press, say
from callflow.store.agents import add_agent
from callflow.store.presence import Presence, PresenceBoard
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

ANN, BOB = "+15557770001", "+15557770002"


@pytest.fixture
def rest_settings(settings, carrier, app_server):
    """The app's and the worker's twilio client point at the carrier (TWILIO_API_URL)."""
    app, _ = app_server
    runtime = app.extensions["callflow"]
    return runtime


@pytest.fixture
def staff(sessions, carrier):
    def hire(login: str, reach: str, departments: list[str], phone: Caller) -> None:
        with sessions() as session:
            add_agent(session, login, login.title(), "correct horse battery", reach, departments)
        carrier.add_phone(reach, phone)

    return hire


def available(runtime, login: str, departments: list[str]) -> None:
    runtime.acd.set_presence(login, Presence.AVAILABLE, departments, runtime.clock.timestamp())


def agent_call(carrier, reach: str):
    return wait_for(lambda: next((c for c in carrier.calls.values() if c.to == reach), None),
                    timeout=20, what=f"a call to {reach}")


def test_a_free_agent_is_rung_hears_the_whisper_and_talks_to_the_caller(rest_settings, worker, staff, carrier):
    staff("ann", ANN, ["fraud"], Caller(talk=["Fraud team, Ann speaking."], hang_up_after=30))
    available(rest_settings, "ann", ["fraud"])
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card")],
                                                                    talk=["Hello, I lost my card."]))
    call.wait(timeout=60)
    ann = agent_call(carrier, ANN).wait(timeout=30)
    whisper = ann.heard_text()
    assert "Fraud and Security call from" in whisper and "They said: I lost my card" in whisper
    assert "Fraud team, Ann speaking." in [e.text for e in call.entries("talk")]
    assert "Hello, I lost my card." in [e.text for e in ann.entries("talk")]
    assert "Thank you for holding" not in call.heard_text()  # answered at once: never held
    assert not call.entries("application-error") and not ann.entries("application-error")


def test_a_caller_who_held_is_thanked_when_an_agent_frees_up(rest_settings, worker, staff, carrier, app_server):
    staff("bob", BOB, ["fraud"], Caller(talk=["Fraud team, Bob here."], hang_up_after=20))
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1", expect="hold")]))
    call.wait_for("enqueued", timeout=30)
    from callflow.services.agents import set_presence

    app, _ = app_server
    set_presence(app.extensions["callflow"], "bob", "available")  # as the console does when Bob clicks it
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "Thank you for holding. I'm connecting you now." in heard
    assert "Fraud team, Bob here." in [e.text for e in call.entries("talk")]


def test_an_agent_who_does_not_answer_is_set_away_and_the_next_agent_gets_the_caller(
        rest_settings, worker, staff, carrier, redis):
    staff("ann", ANN, ["cards"], Caller(pickup="no-answer"))
    staff("bob", BOB, ["cards"], Caller(talk=["Cards, Bob speaking."], hang_up_after=20))
    runtime = rest_settings
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["cards"], runtime.clock.timestamp() - 600)  # idle longest
    runtime.acd.set_presence("bob", Presence.AVAILABLE, ["cards"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("1"), press("1")]))
    call.wait(timeout=90)
    assert "Cards, Bob speaking." in [e.text for e in call.entries("talk")]
    assert agent_call(carrier, ANN).status == "no-answer"
    assert PresenceBoard(redis).get("ann").state is Presence.AWAY


def test_after_the_call_the_agent_wraps_up_then_is_available_again(rest_settings, worker, staff, carrier, redis):
    staff("ann", ANN, ["fraud"], Caller(talk=["Fraud team."], hang_up_after=10))
    available(rest_settings, "ann", ["fraud"])
    carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4")])).wait(timeout=60)
    board = PresenceBoard(redis)
    states = [wait_for(lambda: board.get("ann").state is Presence.WRAP_UP and "wrap-up", timeout=20,
                       what="wrap-up")]
    states.append(wait_for(lambda: board.get("ann").state is Presence.AVAILABLE and "available", timeout=20,
                           what="the end of wrap-up"))
    assert states == ["wrap-up", "available"]
    assert board.available("fraud") == ["ann"]
