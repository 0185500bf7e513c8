"""A caller asked again who is still not understood goes to the keypad menu (with 0 for a person), never round
a third time (issue 23), through the local carrier: whichever way they were asked again.
"""

from __future__ import annotations

import pytest

from callflow.carrier import press, say
from tests.e2e.conftest import call_in, enqueued_in

pytestmark = pytest.mark.e2e
FIRST_ASK = "In a few words, tell me what you're calling about"
ASKED_AGAIN = ("Sorry about that. In a few words, tell me what you're calling about.", "Sorry, I didn't understand")
GAVE_UP = "I still couldn't work that out"
WEATHER = say("what's the weather like tomorrow")


def _asked_again(heard: str) -> int:
    return sum(heard.count(phrase) for phrase in ASKED_AGAIN)


@pytest.mark.parametrize("answers", [
    pytest.param([WEATHER, say("will it rain in Leeds")], id="not-understood-twice"),
    pytest.param([say("there is a problem with my card"), say("neither of those"), WEATHER],
                 id="confirmation-turned-down-then-not-understood"),
    pytest.param([WEATHER, say("there is a problem with my card"), say("neither of those")],
                 id="not-understood-then-confirmation-turned-down"),
    pytest.param([say("there is a problem with my card"), say("neither of those"),
                  say("there is a problem with my card")], id="confirmation-turned-down-then-torn-again"),
])
def test_still_not_understood_after_being_asked_again_goes_to_the_keypad_menu(carrier, answers):
    call = call_in(carrier, *answers, press("0"))
    heard = call.heard_text()
    assert _asked_again(heard) <= 1  # asked again once at most, never a third time round
    fallback = heard[heard.index(GAVE_UP):]
    assert "press or say the number you want" in fallback and FIRST_ASK not in fallback
    assert enqueued_in(call) == ["general"]  # 0: a person
