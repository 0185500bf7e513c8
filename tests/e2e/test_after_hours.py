"""Calling on a Sunday night: closed departments say so and offer what they can; fraud answers around the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callflow.carrier import press, say
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def clock_start() -> datetime:
    return datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Sunday, 11 pm in London


def test_a_closed_department_says_when_it_opens_and_takes_a_message(carrier):
    call = call_in(carrier, press("1"), press("1"), say("This is Ada, please call me about my new card"))
    heard = call.heard_text()
    assert "Cards is closed now" in heard and "8 am tomorrow" in heard
    assert "call you back" in heard
    assert [e.text for e in call.entries("recorded")] == ["This is Ada, please call me about my new card"]
    assert heard.endswith("Thank you. We have your message and will call you back.")
    assert enqueued_in(call) == []


def test_a_department_closed_with_a_message_says_it_and_says_goodbye(carrier):
    call = call_in(carrier, press("2"), press("2"))
    heard = call.heard_text()
    assert "top up any time in the Acme app" in heard
    assert enqueued_in(call) == []


def test_the_fraud_team_answers_at_night_by_keypad_and_by_speech(carrier):
    assert enqueued_in(call_in(carrier, press("4"))) == ["fraud"]
    assert enqueued_in(call_in(carrier, say("I lost my card"))) == ["fraud"]
