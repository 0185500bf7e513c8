"""Calling on a Sunday night: closed departments say so and offer what they can; fraud answers around the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callflow.carrier import Caller, press, say, silence
from callflow.store.agents import add_agent
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE, call_in, enqueued_in

pytestmark = pytest.mark.e2e
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # London is on GMT in November


FRAN = "+15557770031"  # the fraud agent on the night shift


@pytest.fixture
def clock_start() -> datetime:
    return datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Sunday, 11 pm in London


@pytest.fixture
def fraud_agent(sessions, carrier, app_server):
    """Fran, on the fraud line (open around the clock) tonight: available, and she answers her phone."""
    with sessions() as session:
        add_agent(session, "fran", "Fran", "correct horse battery", FRAN, ["fraud"])
    carrier.add_phone(FRAN, Caller(talk=["Fraud team, Fran speaking."], hang_up_after=10))
    runtime = app_server[0].extensions["callflow"]
    runtime.acd.set_presence("fran", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())


def talked_to_fran(call) -> bool:
    return "Fraud team, Fran speaking." in [e.text for e in call.entries("talk")]


def test_a_closed_department_says_when_it_opens_and_takes_a_message(carrier):
    call = call_in(carrier, press("1"), press("1"), silence(), say("This is Ada, please call me about my new card"))
    heard = call.heard_text()
    assert "Cards is closed now" in heard and "8 am tomorrow" in heard
    assert "call you back" in heard
    assert [e.text for e in call.entries("recorded")] == ["This is Ada, please call me about my new card"]
    assert heard.endswith("Thank you. We have your message and will call you back.")
    assert enqueued_in(call) == []


def test_a_closed_department_books_a_callback_for_its_opening(carrier, sessions):
    call = call_in(carrier, press("1"), press("1"), press("1"))
    heard = call.heard_text()
    assert "To be called back on this number when we open, press 1." in heard
    assert heard.endswith("We'll call you back on 1 5 5 5 1 2 3 0 0 0 2 at 8 am tomorrow. You can hang up now. "
                          "Goodbye.")
    with sessions() as session:
        booked = find_by_call(session, call.sid)
        assert (booked.state, booked.department, booked.due_at) == ("scheduled", "cards", MONDAY_8AM)


def test_a_closed_department_books_a_callback_at_a_time_the_caller_keys(carrier, sessions):
    call = call_in(carrier, press("1"), press("1"), press("3"), press("0300"), press("0930"))
    heard = call.heard_text()
    assert "we're closed then. We're next open at 8 am tomorrow." in heard
    assert "We'll call you back on 1 5 5 5 1 2 3 0 0 0 2 at 9:30 am tomorrow." in heard
    with sessions() as session:
        assert find_by_call(session, call.sid).due_at == MONDAY_8AM + timedelta(minutes=90)
    assert enqueued_in(call) == []


def test_a_department_closed_with_a_message_says_it_and_says_goodbye(carrier):
    call = call_in(carrier, press("2"), press("2"))
    heard = call.heard_text()
    assert "top up any time in the Acme app" in heard
    assert enqueued_in(call) == []


def test_the_fraud_team_answers_at_night_by_keypad_and_by_speech(carrier):
    assert enqueued_in(call_in(carrier, press("4"))) == ["fraud"]
    assert enqueued_in(call_in(carrier, say("I lost my card"))) == ["fraud"]


@pytest.mark.parametrize("words", ["someone has stolen my card", "someone used my card", "somebody stole my card",
                                   "someone has used my card"])
def test_a_stolen_card_reported_at_night_reaches_the_fraud_agent(carrier, worker, fraud_agent, words):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say(words)], talk=["My card is gone."]))
    call.wait(timeout=60)
    assert enqueued_in(call) == ["fraud"] and talked_to_fran(call)
    assert "not available" not in call.heard_text() and "call back" not in call.heard_text()


def test_a_caller_who_asks_for_a_person_at_night_is_offered_the_fraud_line_on_the_call(carrier, worker,
                                                                                       fraud_agent):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [say("can I speak to someone"), press("4", expect="Fraud and Security is open now")],
        talk=["Someone is using my card."]))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "Customer Service is closed now. We open again at 8 am tomorrow." in heard
    assert "Fraud and Security is open now: for a lost card or a payment you don't recognise, press 4." in heard
    assert "call back" not in heard.replace("called back", "")
    assert enqueued_in(call) == ["fraud"] and talked_to_fran(call)


def test_a_caller_at_night_can_name_the_open_line_instead_of_pressing(carrier, worker, fraud_agent):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [say("agent"), say("my card was stolen", expect="open now")], talk=["Hello?"]))
    call.wait(timeout=60)
    assert enqueued_in(call) == ["fraud"] and talked_to_fran(call)


@pytest.mark.parametrize("answer", [press("1", expect="when we open, press 1"),
                                    say("call me back please", expect="when we open, press 1")])
def test_a_caller_who_asks_for_a_person_at_night_can_be_called_back_when_we_open(carrier, sessions, answer):
    call = call_in(carrier, say("a real person please"), answer)
    assert call.heard_text().endswith("We'll call you back on 1 5 5 5 1 2 3 0 0 0 2 at 8 am tomorrow. You can "
                                      "hang up now. Goodbye.")
    with sessions() as session:
        booked = find_by_call(session, call.sid)
        assert (booked.state, booked.department, booked.due_at) == ("scheduled", "general", MONDAY_8AM)


def test_a_caller_who_asks_for_a_person_at_night_can_leave_a_message(carrier):
    call = call_in(carrier, say("agent"), silence(), say("Please call me about my statement"))
    assert [e.text for e in call.entries("recorded")] == ["Please call me about my statement"]
    assert call.heard_text().endswith("Thank you. We have your message and will call you back.")


def test_a_spanish_caller_at_night_hears_the_message_prompt_and_the_thanks_in_spanish(carrier):
    call = call_in(carrier, say("quiero hablar con una persona"), silence(), say("Llámenme por mi estado de cuenta"))
    assert [e.text for e in call.entries("recorded")] == ["Llámenme por mi estado de cuenta"]
    last = call.entries("heard")[-1]
    assert (last.text, last.data["voice"], last.data["language"]) == (
        "Gracias. Recibimos su mensaje y le devolveremos la llamada.", "Polly.Lupe", "es-US")
