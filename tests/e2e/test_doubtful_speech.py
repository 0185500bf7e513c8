"""Words Twilio's recogniser was not sure of are confirmed before the caller is put through (issue 23), through
the local carrier, which sends the phone's Confidence with its SpeechResult.
"""

from __future__ import annotations

import pytest

from callflow.carrier import press, say
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e
QUESTION = "Press 1 for Fraud and Security, or 2 for Customer Service."


def test_doubtful_words_are_confirmed_and_the_caller_chooses(carrier):
    call = call_in(carrier, say("I think someone stole my card", confidence=0.2), press("1"))
    assert QUESTION in call.heard_text()
    assert enqueued_in(call) == ["fraud"]


def test_clear_words_are_routed_at_once(carrier):
    call = call_in(carrier, say("I think someone stole my card", confidence=0.9))
    assert QUESTION not in call.heard_text() and "put you through to Fraud and Security" in call.heard_text()
    assert enqueued_in(call) == ["fraud"]
