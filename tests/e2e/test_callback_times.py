"""A callback at a time the caller keys in: out of line until then, rung at that time, not before."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from callflow.carrier import Caller, press
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE
from tests.e2e.test_hold_and_callbacks import centre  # noqa: F401  (the fixture)
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def busy_centre(centre):  # noqa: F811  (the imported fixture, used)
    """test_hold_and_callbacks' contact centre, with Ann on a call, so callers are asked to hold."""
    centre.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], centre.clock.timestamp())
    return centre


def test_a_caller_keys_a_time_and_is_called_back_then_not_before(busy_centre, worker, carrier, sessions):
    from callflow import jobs

    runtime = busy_centre
    carrier.add_phone(CALLER, Caller(talk=["Hello, thanks for calling back."]))
    # Twenty minutes from now (virtual time runs 60 times faster), on the minute.
    due = (runtime.clock.now().astimezone(LONDON) + timedelta(minutes=20)).replace(second=0, microsecond=0)
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("2"), press("3"),
                                                                    press(f"{due:%H%M}")]))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "To choose the time of the call instead, press 3." in heard
    spoken = f"{due.hour % 12 or 12}:{due:%M} {'am' if due.hour < 12 else 'pm'}"
    assert f"We'll call you back on 1 5 5 5 1 2 3 0 0 0 2 at {spoken} today." in heard
    with sessions() as session:
        booked = find_by_call(session, call.sid)
        assert (booked.state, booked.due_at) == ("scheduled", due)
    assert runtime.acd.queues.position("fraud", call.sid) is None  # out of line until its time

    runtime.jobs.enqueue(jobs.set_presence, "ann", "available")  # Ann is free long before that time
    callback = wait_for(lambda: next((c for c in carrier.calls.values()
                                      if c.to == CALLER and c.direction == "outbound-api"), None),
                        timeout=60, what="the callback call")
    callback.wait(timeout=60)
    # Rung at its time, not before: the carrier's clock (same rate, its own start) read on the app's clock.
    rung_at = runtime.clock.virtual_instant(carrier.clock.real_instant(callback.created_at))
    assert rung_at >= due.timestamp() - 1
    assert callback.heard_text().startswith("Hello, this is Acme Bank returning your call")
    assert "Fraud team, Ann speaking." in [e.text for e in callback.entries("talk")]


def test_keys_that_are_no_time_or_a_closed_hour_are_refused_and_the_place_kept(busy_centre, carrier, sessions):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("1"), press("1"), press("2"), press("3"),
                                                                    press("99"), press("0300")]))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "Sorry, I didn't get a time." in heard
    assert "Sorry, we can't call you back at that time because we're closed then." in heard
    assert "We'll call you back when it's your turn instead." in heard
    with sessions() as session:
        assert find_by_call(session, call.sid).state == "requested"  # keeps its place in line
    assert busy_centre.acd.queues.position("cards", call.sid) == 1
