"""Acme's line in two languages, after the IVR (issue 24): a Spanish caller who books a callback is called back
in Spanish, hears the survey in Spanish and gets the SMS of the actions promised in Spanish; the summary tells
the language they were answered in. (An English caller's words are the other e2e tests', unchanged.)"""

from __future__ import annotations

import pytest

from callflow import jobs
from callflow.carrier import Caller, press, say
from callflow.store.agents import add_agent
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE
from tests.e2e.test_after_call import PASSWORD, acme_after_call, file_disposition_in_console, summary_of
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN = "+15557770001"
SPANISH = ("Polly.Lupe", "es-US")


@pytest.fixture
def settings(settings, tmp_path):
    """Acme Bank's line sending the SMS and asking the survey."""
    return acme_after_call(settings, tmp_path)


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", PASSWORD, ANN, ["fraud"])
    carrier.add_phone(ANN, Caller(talk=["Fraude, habla Ann."], hang_up_after=20))
    return app, runtime


def heard(call) -> list[tuple[str, str, str]]:
    return [(e.text, e.data.get("voice"), e.data.get("language")) for e in call.entries("heard")]


def test_a_spanish_caller_books_a_callback_and_is_called_back_in_spanish(centre, worker, carrier, sessions):
    _, runtime = centre
    carrier.add_phone(CALLER, Caller(talk=["Hola, gracias por llamar."]))
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy: asked to hold
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("perdí mi tarjeta"), press("2")]))
    call.wait(timeout=60)
    assert (("Gracias. Le devolveremos la llamada al 1 5 5 5 1 2 3 0 0 0 2 cuando sea su turno, y conserva su lugar "
            "en la fila."), *SPANISH) in heard(call)
    assert (("Para que le llamemos a otro número, oprima 2. Para elegir la hora de la llamada, oprima 3. Si no, ya "
            "puede colgar."), *SPANISH) in heard(call)
    with sessions() as session:
        assert find_by_call(session, call.sid).language == "es-US"

    runtime.acd.set_presence("ann", Presence.AWAY, ["fraud"], runtime.clock.timestamp())
    runtime.jobs.enqueue(jobs.set_presence, "ann", "available")
    callback = wait_for(lambda: next((c for c in carrier.calls.values()
                                      if c.to == CALLER and c.direction == "outbound-api"), None),
                        timeout=30, what="the callback call")
    callback.wait(timeout=60)
    assert heard(callback)[0] == (("Hola, le llamamos de Acme Bank para devolverle su llamada sobre una tarjeta "
                                  "perdida o un pago que no reconoce. Le estamos comunicando."), *SPANISH)
    assert "Fraude, habla Ann." in [e.text for e in callback.entries("talk")]
    # Ann hangs up first: the customer we called back is asked the survey in their language too
    assert any(text.startswith("En una escala del 1 al 5") and (voice, language) == SPANISH
               for text, voice, language in heard(callback))
    assert heard(callback)[-1] == ("Gracias por llamar a Acme Bank. Adiós.", *SPANISH)
    assert summary_of(sessions, call.sid)["language"] == "es-US"


def test_a_spanish_caller_hears_the_survey_and_gets_the_sms_in_spanish(centre, worker, carrier, sessions):
    app, runtime = centre
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("perdí mi tarjeta"), press("4")]))
    call.wait(timeout=60)
    assert "Fraude, habla Ann." in [e.text for e in call.entries("talk")]
    assert ("En una escala del 1 al 5, ¿qué tan satisfecho quedó con su llamada de hoy? Oprima un número.",
            *SPANISH) in heard(call)
    assert heard(call)[-1] == ("Gracias, su respuesta nos ayuda a mejorar. Gracias por llamar a Acme Bank. Adiós.",
                               *SPANISH)

    file_disposition_in_console(app, call.sid, "Bloqueamos su tarjeta\nle llega una nueva en 3 a 5 días hábiles")
    sms = wait_for(lambda: [m for m in carrier.messages if m.to == CALLER], timeout=30, what="the SMS")
    assert [(m.from_, m.body) for m in sms] == [
        (LINE, ("Acme Bank: como le prometimos en su llamada de hoy: Bloqueamos su tarjeta; le llega una nueva en 3 "
               "a 5 días hábiles."))]
    summary = summary_of(sessions, call.sid, ready=lambda s: s["dispositions"])
    assert summary["language"] == "es-US" and summary["sms_sent"] is True and summary["survey_score"] == 4
