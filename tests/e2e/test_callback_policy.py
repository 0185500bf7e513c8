"""A line's own callback and hold policies on the phone: agent-first callbacks, retries and hold pacing as the
script sets them.

The line here is Acme Bank's script with `callbacks:` and `hold:` sections of its own: the agent is rung
first and told who they are calling, and the customer's phone rings only once the agent is on the line; an
unanswered callback is tried twice, two minutes apart, before the SMS; holding callers hear an update every
half minute and are offered a way out after four minutes.
"""

from __future__ import annotations

import dataclasses

import pytest

from callflow.carrier import Caller, press, say
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from tests.conftest import ROOT
from tests.e2e.conftest import CALLER, LINE
from tests.e2e.test_hold_and_callbacks import ANN, ann_available, centre  # noqa: F401  (the fixture)
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
POLICY = ("callbacks: {first: agent, attempts: 2, retry_minutes: [2], ring_seconds: 20}\n"
          "hold: {short_wait_seconds: 30, update_every_seconds: 30, max_hold_seconds: 240}\n")


@pytest.fixture
def settings(settings, tmp_path):
    """Acme Bank's line with its callback and hold policies rewritten."""
    folder = tmp_path / "scripts"
    folder.mkdir()
    text = (ROOT / "ivr_scripts" / "acme_bank.yaml").read_text()
    start, end = text.index("callbacks:"), text.index("\nhours:")
    (folder / "acme_bank.yaml").write_text(text[:start] + POLICY + text[end + 1:])
    return dataclasses.replace(settings, ivr_scripts=folder)


@pytest.fixture
def fraud_desk(centre):  # noqa: F811  (the imported fixture, used)
    """test_hold_and_callbacks' contact centre (Ann takes Fraud calls), on this line's policies."""
    return centre


def callbacks_to(carrier, number: str) -> list:
    return sorted((c for c in list(carrier.calls.values()) if c.to == number and c.direction == "outbound-api"),
                  key=lambda c: c.created_at)


def book_a_callback(runtime, carrier):
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card"), press("2")]))
    call.wait(timeout=60)
    assert "We'll call you back on" in call.heard_text()
    return call


def test_agent_first_the_agent_hears_who_they_are_calling_before_the_customers_phone_rings(fraud_desk, worker,
                                                                                          carrier, sessions):
    runtime = fraud_desk
    carrier.add_phone(CALLER, Caller(talk=["Hello, thanks for calling back."]))
    call = book_a_callback(runtime, carrier)

    ann_available(runtime)
    callback = wait_for(lambda: next(iter(callbacks_to(carrier, CALLER)), None), timeout=30,
                        what="the callback call")
    callback.wait(timeout=60)
    ann_leg = next(c for c in carrier.calls.values() if c.to == ANN)
    assert ann_leg.heard_text().startswith("Callback to 1 5 5 5 1 2 3 0 0 0 2, for Fraud and Security. "
                                           "They said: I lost my card. We're calling them now.")
    assert ann_leg.answered_at <= callback.created_at  # the customer was dialled once Ann was on the line
    assert callback.heard_text().startswith("Hello, this is Acme Bank returning your call about a lost card")
    assert "Your adviser is on the line." in callback.heard_text()
    assert "Fraud team, Ann speaking." in [e.text for e in callback.entries("talk")]
    assert len(callbacks_to(carrier, CALLER)) == 1
    with sessions() as session:
        assert wait_for(lambda: find_by_call(session, call.sid).state == "done" or session.expire_all(),
                        timeout=20, what="the callback to be done")


def test_agent_first_a_customer_who_does_not_answer_is_tried_as_the_line_says_and_the_agent_is_told(
        fraud_desk, worker, carrier, sessions):
    runtime = fraud_desk
    carrier.add_phone(CALLER, Caller(pickup="no-answer"))
    call = book_a_callback(runtime, carrier)

    ann_available(runtime)
    sms = wait_for(lambda: next((m for m in carrier.messages if m.to == CALLER), None), timeout=90,
                   what="the SMS after the last attempt")
    assert "tried to call you back" in sms.body
    attempts = callbacks_to(carrier, CALLER)
    assert len(attempts) == 2  # the line's two attempts, not the default three
    assert attempts[1].created_at - attempts[0].ended_at >= 120  # two minutes apart (virtual time)
    assert all(a.status == "no-answer" for a in attempts)
    ann_legs = sorted((c for c in carrier.calls.values() if c.to == ANN), key=lambda c: c.created_at)
    assert len(ann_legs) == 2  # Ann was rung before each attempt
    wait_for(lambda: all(leg.done.is_set() for leg in ann_legs), timeout=20, what="Ann's calls to end")
    assert "The customer didn't answer. We'll try them again in 2 minutes." in ann_legs[0].heard_text()
    assert "That was our last try" in ann_legs[1].heard_text()
    with sessions() as session:
        assert find_by_call(session, call.sid).state == "given-up"
    # nothing was said, so no wrap-up: Ann is free for the next caller as soon as she is off the phone
    assert wait_for(lambda: runtime.acd.presence.get("ann").state is Presence.AVAILABLE, timeout=10,
                    what="Ann to be available")


def test_the_hold_pacing_is_the_lines_own_updates_every_half_minute_and_the_long_hold_offer_at_four(
        fraud_desk, worker, carrier, redis):
    from callflow.store.promises import Promises

    runtime = fraud_desk
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy for good

    def answer(prompt: str):
        if "what you're calling about" in prompt:
            return press("4")
        if "Would you like to hold" in prompt or "holding so long" in prompt or "taking longer" in prompt:
            return press("1")
        return None

    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(on_prompt=answer, patience=330))
    call.wait(timeout=60)
    heard = call.heard_text()
    offer = heard.index("I'm sorry you have been holding so long.")
    assert heard[:offer].count("Thank you for holding.") >= 5  # every 30 s, not the default minute
    offered = next(e for e in Promises(redis).history(call.sid) if e["event"] == "long-hold-offered")
    assert 240 <= offered["waited"] < 300  # the line's four minutes, not the default twenty
