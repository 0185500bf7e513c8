"""The hold manager in the caller's language, through the local carrier: a Spanish caller on Acme's line is asked
before hold, told why and how long in Spanish, in the Spanish voice, answers in Spanish words, hears Spanish
updates while holding and is thanked in Spanish when an agent picks up; an English caller hears today's words."""

from __future__ import annotations

import re

import pytest

from callflow.carrier import Caller, press, say
from callflow.services.agents import set_presence
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE, enqueued_in

pytestmark = pytest.mark.e2e
BOB = "+15557770002"


@pytest.fixture
def centre(carrier, app_server, sessions):
    with sessions() as session:
        add_agent(session, "bob", "Bob", "correct horse battery", BOB, ["fraud"])
    carrier.add_phone(BOB, Caller(talk=["Fraude y Seguridad, habla Bob."], hang_up_after=20))
    runtime = app_server[0].extensions["callflow"]
    runtime.acd.set_presence("bob", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy
    return runtime


def heard(call) -> list[tuple[str, str, str]]:
    return [(e.text, e.data.get("voice"), e.data.get("language")) for e in call.entries("heard")]


def test_a_spanish_caller_is_asked_to_hold_in_spanish_holds_and_is_thanked_in_spanish(centre, worker, carrier):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [say("perdí mi tarjeta"), say("sí, espero")], talk=["Hola, perdí mi tarjeta."]))
    call.wait_for("enqueued", timeout=30)
    set_presence(centre, "bob", "available")  # as the console does when Bob clicks it
    call.wait(timeout=60)
    assert not call.entries("application-error")
    spanish = [(text, voice, language) for text, voice, language in heard(call) if voice == "Polly.Lupe"]
    said = " ".join(text for text, _, _ in spanish)
    question = next(text for text, _, _ in spanish if text.startswith("Todos nuestros asesores"))
    assert question.startswith("Todos nuestros asesores de Fraude y Seguridad están atendiendo a otros clientes. "
                               "Su espera debería ser de ")
    assert re.search(r"Su espera debería ser de (aproximadamente|menos de) (\d+ (segundos|minutos)|un minuto"
                     r"( y medio)?)\. ¿Desea esperar en la línea", question), question
    assert "Gracias. Le guardo su lugar en la fila." in said  # "sí, espero" understood as holding
    assert "Gracias por esperar. Le comunico ahora." in said
    assert {language for _, _, language in spanish} == {"es-US"}
    answered = [h for h in heard(call) if h[0] != "Para español, oprima 8."]
    after_words = answered[next(i for i, h in enumerate(answered) if h[1] == "Polly.Lupe"):]
    assert all(voice == "Polly.Lupe" for _, voice, _ in after_words)  # once Spanish, never English again
    assert enqueued_in(call) == ["fraud"]
    assert "Fraude y Seguridad, habla Bob." in [e.text for e in call.entries("talk")]


def test_a_spanish_caller_holding_hears_updates_in_spanish_and_can_ask_for_a_callback_in_spanish(
        centre, worker, carrier):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [say("perdí mi tarjeta"), press("1"), say("llámenme por favor")], patience=120))
    call.wait(timeout=60)
    texts = [text for text, voice, _ in heard(call) if voice == "Polly.Lupe"]
    update = next(text for text in texts if text.startswith("Gracias por esperar."))
    assert update.endswith("Para que le devolvamos la llamada, oprima 2 o diga 'llámenme'.")
    answer = call.entries("said")[-1]
    assert (answer.text, answer.data["language"]) == ("llámenme por favor", "es-US")  # heard as Spanish
    assert centre.acd.has(call.sid, "callback")  # understood: a callback, the place in line kept


def test_an_english_caller_on_the_same_line_hears_todays_words_in_the_line_voice(centre, worker, carrier):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1")], patience=5))
    call.wait(timeout=60)
    question = next(h for h in heard(call) if h[0].startswith("All our Fraud"))
    assert question[0].startswith("All our Fraud and Security advisers are helping other customers. Your wait should "
                                  "be ")
    assert question[0].endswith("Would you like to hold, or shall we call you back when it's your turn? Press 1 or "
                                "say 'hold'. Press 2 or say 'call me back'.")
    assert question[1:] == ("Polly.Amy", "en-GB")
    assert ("Thank you. I'll keep your place in line.", "Polly.Amy", "en-GB") in heard(call)
