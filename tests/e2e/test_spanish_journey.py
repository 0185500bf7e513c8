"""Issue 24's whole journey on one bilingual line, through the local carrier and a real worker: a Spanish caller is
greeted, steered by Spanish words, asked to hold with a Spanish estimate, thanked and put through to the agent who
speaks Spanish (though an English-speaking one has been idle longer), and gets the SMS after the call in Spanish;
on the same line an English caller hears what they heard before languages existed."""

from __future__ import annotations

import re

import pytest

from callflow.carrier import Caller, press, say
from callflow.services.agents import set_presence
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE, enqueued_in
from tests.e2e.test_after_call import PASSWORD, acme_after_call, file_disposition_in_console, summary_of
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN, BEA = "+15557770001", "+15557770002"
SPANISH = ("Polly.Lupe", "es-US")


@pytest.fixture
def settings(settings, tmp_path):
    """Acme Bank's line sending the SMS of the actions promised."""
    return acme_after_call(settings, tmp_path, "{sms_actions: true}")


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", PASSWORD, ANN, ["fraud"], languages="en-GB")
        add_agent(session, "bea", "Bea", PASSWORD, BEA, ["fraud"], languages="en-GB,es-US")
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))
    carrier.add_phone(BEA, Caller(talk=["Fraude y Seguridad, habla Bea."], hang_up_after=20))
    set_presence(runtime, "ann", "available")  # idle from the start: longer than anyone
    runtime.acd.set_presence("bea", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    return app, runtime


def heard(call) -> list[tuple[str, str, str]]:
    return [(e.text, e.data.get("voice"), e.data.get("language")) for e in call.entries("heard")]


def test_a_spanish_caller_is_served_in_spanish_from_the_greeting_to_the_sms(centre, worker, carrier, sessions):
    app, runtime = centre
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [say("perdí mi tarjeta"), say("sí, espero")], talk=["Hola, perdí mi tarjeta."]))
    call.wait_for("enqueued", timeout=30)
    set_presence(runtime, "bea", "available")  # Bea's call ends: she takes the Spanish caller, not Ann
    call.wait(timeout=90)
    assert not call.entries("application-error")

    # greeted: the line's own greeting, with the Spanish keypad choice in the Spanish voice
    assert heard(call)[0][0].startswith("Thank you for calling Acme Bank.")
    assert ("Para español, oprima 8.", *SPANISH) in heard(call)
    # steered by Spanish words, and from then on answered in Spanish only
    spanish = heard(call)[heard(call).index(("Le comunico con Fraude y Seguridad.", *SPANISH)):]
    assert all((voice, language) == SPANISH for _, voice, language in spanish)
    # asked to hold, with why and a Spanish estimate: the interpreter wait (Ann is idle but speaks no Spanish),
    # or sooner if a Spanish speaker is expected free first
    asked = next(text for text, _, _ in spanish if text.startswith("Todos nuestros asesores"))
    assert re.search(r"Su espera debería ser de (aproximadamente|menos de) (\d+ (segundos|minutos)|un minuto"
                     r"( y medio)?)\. ¿Desea esperar en la línea", asked), asked
    texts = [text for text, _, _ in spanish]
    assert "Gracias. Le guardo su lugar en la fila." in texts
    assert "Gracias por esperar. Le comunico ahora." in texts
    # put through to the agent who speaks Spanish, told who is calling in which language
    assert "Fraude y Seguridad, habla Bea." in [e.text for e in call.entries("talk")]
    assert not any(c.to == ANN for c in carrier.calls.values())  # Ann, idle longer, never rung
    bea = next(c for c in carrier.calls.values() if c.to == BEA and c.direction == "outbound-api")
    assert "Spanish-speaking caller." in " ".join(e.text for e in bea.entries("heard"))
    assert enqueued_in(call) == ["fraud"]

    file_disposition_in_console(app, call.sid, "Bloqueamos su tarjeta\nle llega una nueva en 3 a 5 días hábiles",
                                login="bea")
    sms = wait_for(lambda: [m for m in carrier.messages if m.to == CALLER], timeout=30, what="the SMS")
    assert [m.body for m in sms] == [("Acme Bank: como le prometimos en su llamada de hoy: Bloqueamos su tarjeta; "
                                      "le llega una nueva en 3 a 5 días hábiles.")]
    assert summary_of(sessions, call.sid, ready=lambda s: s["dispositions"])["language"] == "es-US"


@pytest.mark.usefixtures("centre")  # Ann is free, Bea on a call
def test_an_english_caller_on_the_same_line_is_served_as_before(worker, carrier):
    call = carrier.place_call(from_="+15551230007", to=LINE, caller=Caller([press("4"), press("1")]))
    call.wait(timeout=90)
    assert not call.entries("application-error")
    assert "Fraud team, Ann speaking." in [e.text for e in call.entries("talk")]  # Ann speaks English: at once
    assert "I'll put you through to Fraud and Security." in call.heard_text()
    assert not [h for h in heard(call) if h[1:] == SPANISH and h[0] != "Para español, oprima 8."]
