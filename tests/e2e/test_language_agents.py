"""Issue 24, the agents' side, through the local carrier and a real worker: a Spanish caller is put through to the
agent who speaks Spanish though an English-speaking one has been idle longer, and the agent is told who is
calling in which language; with no Spanish speaker free, after the line's interpreter wait the English-speaking
agent takes the call and is told to bring in an interpreter."""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press, say, silence
from callflow.services.agents import set_presence
from callflow.store.agents import add_agent
from tests.e2e.conftest import LINE

pytestmark = pytest.mark.e2e

AGENTS = {"ann": ("+15557770001", "en-GB", "Ann speaking, how can I help?"),
          "bea": ("+15557770002", "en-GB,es-US", "Bea al habla, ¿en qué le puedo ayudar?")}


@pytest.fixture
def centre(carrier, app_server, sessions):
    runtime = app_server[0].extensions["callflow"]
    with sessions() as session:
        for login, (reach, languages, greeting) in AGENTS.items():
            add_agent(session, login, login.title(), "correct horse battery", reach, ["fraud"],
                      languages=languages)
            carrier.add_phone(reach, Caller(talk=[greeting], hang_up_after=30))
    return runtime


def spanish_caller():
    """Says "perdí mi tarjeta" at the greeting, holds when asked (in whichever words), then stays quiet."""
    asked = []

    def answer(prompt: str):
        if not asked:
            asked.append("greeting")
            return say("perdí mi tarjeta")
        if "1" in prompt and len(asked) == 1 and any(w in prompt.lower() for w in ("hold", "espera", "esperar")):
            asked.append("hold")
            return press("1")
        return silence()

    return Caller(on_prompt=answer)


def agent_leg(carrier, login: str):
    reach = AGENTS[login][0]
    legs = [c for c in list(carrier.calls.values()) if c.direction == "outbound-api" and c.to == reach]
    return legs[0] if legs else None


def whisper_heard(leg) -> str:
    return " ".join(e.text for e in leg.entries("heard"))


def test_a_spanish_caller_reaches_the_spanish_speaking_agent_though_another_has_been_idle_longer(centre, worker,
                                                                                             carrier):
    set_presence(centre, "ann", "available")  # Ann first: idle longer
    set_presence(centre, "bea", "available")
    call = carrier.place_call(from_="+15550001111", to=LINE, caller=spanish_caller())
    call.wait(timeout=120)
    assert not call.entries("application-error")
    assert any("Bea al habla" in e.text for e in call.entries("talk"))
    assert agent_leg(carrier, "ann") is None  # never rung
    heard = whisper_heard(agent_leg(carrier, "bea"))
    assert "Fraud and Security call from" in heard and "Spanish-speaking caller." in heard
    assert "interpreter" not in heard


def test_with_no_spanish_speaker_free_the_english_agent_takes_the_call_after_the_interpreter_wait(centre, worker,
                                                                                              carrier):
    set_presence(centre, "ann", "available")  # Bea is not at work
    call = carrier.place_call(from_="+15550002222", to=LINE, caller=spanish_caller())
    call.wait(timeout=120)
    assert not call.entries("application-error")
    assert any("Ann speaking" in e.text for e in call.entries("talk"))
    assert "Spanish-speaking caller, interpreter needed." in whisper_heard(agent_leg(carrier, "ann"))
    # Not before the line's interpreter wait (Acme's: the default, 120 s from entering the line), though Ann
    # was idle all along: the worker's timer made the offer when the wait ran out.
    routed, put_through = call.entries("said")[0].at, call.entries("conference")[0].at
    assert put_through - routed >= 115
    # and the caller was told so, in Spanish: the interpreter wait, not the "no wait" an idle agent would suggest
    # nor a wait for a Spanish speaker who is not at work
    asked = next(e.text for e in call.entries("heard") if e.text.startswith("Todos nuestros asesores"))
    assert "Su espera debería ser de aproximadamente 2 minutos." in asked
