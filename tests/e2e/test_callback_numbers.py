"""Another number for a callback, keyed as the caller would key it: a US visitor on the UK bank's line keys a
UK number the UK way (or with 00 / 011 first), hears it read back as they know it, and is called on it.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press
from callflow.store.agents import add_agent
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from tests.e2e.conftest import LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
UK_LINE = "+442079460100"  # Acme Bank's own number (ivr_scripts/acme_bank.yaml): the UK line
VISITOR = "+12125550147"  # a US mobile
UK_HOME = "+442079460123"  # a London number, keyed "020 7946 0123" at home in the UK
ANN = "+15557770001"
READ_BACK = "the UK number 0 2 0, 7 9 4 6, 0 1 2 3"


@pytest.fixture
def busy_fraud_team(settings, carrier, app_server, sessions):
    """Fraud's only agent is on a call; the UK line's own number reaches the app too."""
    app, public_url = app_server
    runtime = app.extensions["callflow"]
    carrier.add_number(UK_LINE, voice_url=f"{public_url}/voice/incoming", status_callback=f"{public_url}/voice/status")
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", ANN, ["fraud"])
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    return runtime


def book_on_another_number(carrier, line: str, keyed: str):
    """Fraud, a callback (on the caller's own number first), then another number keyed and confirmed."""
    call = carrier.place_call(from_=VISITOR, to=line, caller=Caller(
        [press("4"), press("2"), press("2"), press(keyed), press("1")], patience=5))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    return call


# The tests' Twilio number serves the bank's UK script as its default line; UK_LINE is the script's own number.
@pytest.mark.parametrize("line", [LINE, UK_LINE])
def test_a_us_caller_on_the_uk_line_keys_a_uk_number_the_uk_way_and_is_called_back_on_it(
        busy_fraud_team, worker, carrier, sessions, line):
    runtime = busy_fraud_team
    carrier.add_phone(UK_HOME, Caller(talk=["Hello, thanks for calling back."]))
    call = book_on_another_number(carrier, line, "02079460123#")
    heard = call.heard_text()
    assert "doesn't look like a phone number" not in heard
    assert f"You entered {READ_BACK}. To confirm, press 1." in heard
    assert f"We'll call you back on {READ_BACK} when it's your turn" in heard
    with sessions() as session:
        assert find_by_call(session, call.sid).phone == UK_HOME

    runtime.acd.set_presence("ann", Presence.AWAY, ["fraud"], runtime.clock.timestamp())
    from callflow import jobs

    runtime.jobs.enqueue(jobs.set_presence, "ann", "available")
    callback = wait_for(lambda: next((c for c in list(carrier.calls.values())
                                      if c.to == UK_HOME and c.direction == "outbound-api"), None),
                        timeout=30, what="the callback to the UK number")
    callback.wait(timeout=60)
    assert callback.heard_text().startswith("Hello, this is Acme Bank returning your call")
    assert "Fraud team, Ann speaking." in [e.text for e in callback.entries("talk")]


@pytest.mark.parametrize("keyed", ["00442079460123#", "011442079460123#"])
def test_a_number_keyed_after_an_international_prefix_is_accepted(busy_fraud_team, worker, carrier, sessions,
                                                                 keyed):
    call = book_on_another_number(carrier, UK_LINE, keyed)
    assert f"You entered {READ_BACK}." in call.heard_text()
    with sessions() as session:
        assert find_by_call(session, call.sid).phone == UK_HOME


def test_the_callers_own_countrys_format_works_on_the_uk_line_too(busy_fraud_team, worker, carrier, sessions):
    call = book_on_another_number(carrier, UK_LINE, "4155552671#")
    assert "You entered the US number 4 1 5, 5 5 5, 2 6 7 1." in call.heard_text()
    with sessions() as session:
        assert find_by_call(session, call.sid).phone == "+14155552671"
