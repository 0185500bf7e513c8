"""The toll-fraud guard on the phone: a refused number hears why and another way, never an application error;
another number is keyed in, read back and confirmed by keypad.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press
from callflow.store.agents import add_agent
from callflow.store.callbacks import find_by_call, request_callback
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE, enqueued_in

pytestmark = pytest.mark.e2e
PREMIUM = "+19005551234"


@pytest.fixture
def busy_centre(settings, carrier, app_server, sessions):
    """Fraud's only agent is on a call: callers are asked whether to hold or be called back."""
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", "+15557770001", ["fraud"])
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    return runtime


def test_a_premium_number_is_refused_and_another_number_keyed_and_confirmed(busy_centre, worker, carrier,
                                                                            sessions):
    call = carrier.place_call(from_=PREMIUM, to=LINE, caller=Caller(
        [press("4"), press("2"), press("2"), press("4155552671#"), press("1")]))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    heard = call.heard_text()
    assert "we can't call back premium-rate or special numbers" in heard
    assert "To be called back on another number, press 2. To keep holding, press 1." in heard
    assert "You entered the US number 4 1 5, 5 5 5, 2 6 7 1. To confirm, press 1." in heard
    assert "We'll call you back on the US number 4 1 5, 5 5 5, 2 6 7 1 when it's your turn" in heard
    with sessions() as session:
        callback = find_by_call(session, call.sid)
        assert (callback.phone, callback.state) == ("+14155552671", "requested")
    assert busy_centre.acd.queues.position("fraud", call.sid) == 1  # the place in line is kept


def test_a_number_over_its_daily_limit_is_offered_to_keep_holding(busy_centre, worker, carrier, sessions):
    runtime = busy_centre
    with sessions() as session:
        for n in range(3):
            request_callback(session, f"CAearlier{n}", CALLER, LINE, "fraud", runtime.clock.now())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("2"), press("1")],
                                                                   patience=5))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    heard = call.heard_text()
    assert "that number has already asked for as many callbacks as we can make today" in heard
    assert enqueued_in(call) == ["fraud"]  # pressed 1: holding, in line
    with sessions() as session:
        assert find_by_call(session, call.sid) is None


def test_a_different_number_keyed_after_booking_replaces_the_callers_own(busy_centre, worker, carrier, sessions):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [press("4"), press("2"), press("2"), press("2125551234#"), press("1")]))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    heard = call.heard_text()
    assert "We'll call you back on 1 5 5 5 1 2 3 0 0 0 2 when it's your turn" in heard
    assert "To be called on a different number, press 2." in heard
    assert "We'll call you back on the US number 2 1 2, 5 5 5, 1 2 3 4 when it's your turn" in heard
    with sessions() as session:
        assert find_by_call(session, call.sid).phone == "+12125551234"
