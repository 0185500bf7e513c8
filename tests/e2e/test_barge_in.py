"""Barge-in through the local carrier, as Twilio does it (issue 23): a person who presses a key or speaks while
a <Gather>'s prompt plays is taken at once, the prompt stops, and they are not told "Sorry, I didn't catch
that" - at the menu and at the hold question.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Interactive
from callflow.carrier.phones import speaking_time
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE, enqueued_in

pytestmark = pytest.mark.e2e
MENU = "tell me what you're calling about"
QUESTION = "Would you like to hold"


@pytest.fixture
def busy_fraud_team(carrier, app_server, sessions):
    runtime = app_server[0].extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", "+15557770001", ["fraud"])
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy: we ask
    return runtime


@pytest.mark.parametrize(("at_the_menu", "at_the_question"), [
    (("press", "4"), ("press", "1")),
    (("say", "I think my card was stolen"), ("say", "I'll hold")),
], ids=["keys", "speech"])
def test_input_while_a_prompt_plays_is_taken_at_once(busy_fraud_team, worker, carrier, at_the_menu, at_the_question):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Interactive(patience=20))
    menu = call.wait_for("heard", MENU, timeout=30)
    assert call.script.give(*at_the_menu).used_for == "gather"  # while the menu's prompt plays
    question = call.wait_for("heard", QUESTION, timeout=30)
    assert call.script.give(*at_the_question).used_for == "gather"  # while the hold question plays
    call.wait(timeout=60)

    heard = call.heard_text()
    assert "I'll keep your place in line." in heard and "didn't catch that" not in heard
    assert enqueued_in(call) == ["fraud"]
    answers = call.entries("pressed" if at_the_menu[0] == "press" else "said")
    assert answers[0].at - menu.at < speaking_time(menu.text)  # before the prompt would have ended
    assert answers[1].at - question.at < speaking_time(question.text)
    assert len(call.entries("barge-in")) == 2
