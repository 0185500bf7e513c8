"""Calling on a Sunday night: closed departments say so and offer what they can; fraud answers around the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callflow.callbacks import find_by_call
from callflow.carrier import press, say, silence
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # London is on GMT in November


@pytest.fixture
def clock_start() -> datetime:
    return datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Sunday, 11 pm in London


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
