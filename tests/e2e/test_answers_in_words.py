"""Callers answer as people do, through the local carrier: the confirmation question in their own words, and
words after the keypad fallback.
"""

from __future__ import annotations

import pytest

from callflow.carrier import press, say
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e
QUESTION = "Is this about your card, or about a lost card or a payment you don't recognise?"
GAVE_UP = "I still couldn't work that out"


@pytest.mark.parametrize(("answers", "queue"), [
    (["yeah"], "cards"),
    (["yes please"], "cards"),
    (["no"], "fraud"),  # the first named turned down: the other one
    (["the first one"], "cards"),
    (["the second"], "fraud"),
    (["option two"], "fraud"),
    (["it's a lost card"], "fraud"),  # a department by its topic
    (["actually my transfer hasn't arrived"], "payments"),  # a fresh reason, steered again
    (["neither", "my transfer hasn't arrived"], "payments"),  # asked what it is about, then steered
    (["can I speak to someone"], "general"),  # a person
])
def test_the_confirmation_is_answered_in_peoples_words(carrier, answers, queue):
    call = call_in(carrier, say("there is a problem with my card"), *map(say, answers))
    heard = call.heard_text()
    assert heard.count(QUESTION) == 1  # asked once, never a loop
    assert GAVE_UP not in heard and "keypad" not in heard
    assert enqueued_in(call) == [queue]


def test_neither_is_asked_for_the_reason_not_sent_to_the_keypad(carrier):
    call = call_in(carrier, say("there is a problem with my card"), say("neither of those"),
                   say("my transfer hasn't arrived"))
    heard = call.heard_text()
    assert "Sorry about that. In a few words, tell me what you're calling about." in heard
    assert "put you through to Payments and Transfers" in heard


NOT_UNDERSTOOD = (say("what's the weather like tomorrow"), say("will it rain in Leeds"))


@pytest.mark.parametrize(("then", "queue"), [
    ([say("four")], "fraud"),  # the number said, not pressed
    ([say("transfers and top-ups"), say("topping up your account")], "top-ups"),  # options by their labels
    ([say("an agent please")], "general"),
    ([say("I think someone stole my card")], "fraud"),  # a reason steering is sure of
    ([press("3"), press("1")], "fees"),  # the keypad, as before
])
def test_after_the_keypad_fallback_speech_is_taken(carrier, then, queue):
    call = call_in(carrier, *NOT_UNDERSTOOD, *then)
    heard = call.heard_text()
    fallback = heard[heard.index(GAVE_UP):]
    assert "press or say the number you want" in fallback
    assert "In a few words" not in fallback.split("press 5.")[0]  # the fallback does not invite free words
    assert "didn't hear anything" not in heard  # speech is heard, not taken for silence
    assert enqueued_in(call) == [queue]


def test_after_the_keypad_fallback_words_that_are_no_option_are_explained(carrier):
    call = call_in(carrier, *NOT_UNDERSTOOD, say("the weather again"), press("4"))
    heard = call.heard_text()
    assert "isn't one of the options" in heard and "didn't hear anything" not in heard
    assert enqueued_in(call) == ["fraud"]
