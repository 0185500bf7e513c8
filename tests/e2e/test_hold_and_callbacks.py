"""The hold manager on the phone: asked before hold, an honest estimate, callbacks that keep the caller's place.

A caller who chooses a callback hangs up; when an agent frees up at their turn, a worker rings the caller first
("returning your call"), then the reserved agent joins them.
"""

from __future__ import annotations

import re

import pytest

from callflow.carrier import Caller, press, say, silence
from callflow.store.agents import add_agent
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from callflow.store.wait_stats import WaitStats
from tests.e2e.conftest import CALLER, LINE, enqueued_in
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN = "+15557770001"


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", ANN, ["fraud"])
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))
    return runtime


def ann_available(runtime) -> None:
    from callflow import jobs

    runtime.acd.set_presence("ann", Presence.AWAY, ["fraud"], runtime.clock.timestamp())
    runtime.jobs.enqueue(jobs.set_presence, "ann", "available")


def test_permission_is_asked_with_the_reason_and_an_estimate_and_hold_is_accepted(centre, worker, carrier, redis):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), say("I'll hold")], patience=30))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "All our Fraud and Security advisers are helping other customers." in heard
    assert re.search(r"Your wait should be (about|less than) [\w ]+\. Would you like to hold, or shall we call you "
                     r"back", heard)
    assert "I'll keep your place in line." in heard
    assert enqueued_in(call) == ["fraud"]
    events = [e["event"] for e in Promises(redis).history(call.sid)]
    assert events[:4] == ["routed", "permission-asked", "hold-accepted", "promise"]
    # the caller gave up after 30 s on hold: the estimator learns their patience from it (counted once)
    waits = wait_for(lambda: WaitStats(redis).get("fraud").waits, timeout=10, what="the abandon to be counted")
    assert len(waits) == 1 and waits[0][1] == 1 and 25 <= waits[0][0] <= 120  # virtual clocks: a little slack


def test_a_caller_who_says_nothing_is_asked_once_more_then_held(centre, worker, carrier):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), silence(), silence()],
                                                                    patience=10))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert heard.count("Would you like to hold") == 2
    assert "Sorry, I didn't catch that." in heard
    assert enqueued_in(call) == ["fraud"]


def test_a_callback_keeps_the_callers_place_and_rings_them_first_at_their_turn(centre, worker, carrier, sessions):
    runtime = centre
    carrier.add_phone(CALLER, Caller(talk=["Hello, thanks for calling back."]))
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card"), press("2")]))
    call.wait(timeout=60)
    assert "We'll call you back on 1 5 5 5 1 2 3 0 0 0 2 when it's your turn" in call.heard_text()
    assert runtime.acd.queues.position("fraud", call.sid) == 1  # virtual hold: the place is kept

    ann_available(runtime)
    callback = wait_for(lambda: next((c for c in carrier.calls.values()
                                      if c.to == CALLER and c.direction == "outbound-api"), None),
                        timeout=30, what="the callback call")
    callback.wait(timeout=60)
    assert callback.heard_text().startswith("Hello, this is Acme Bank returning your call about a lost card")
    assert "Fraud team, Ann speaking." in [e.text for e in callback.entries("talk")]
    ann_leg = next(c for c in carrier.calls.values() if c.to == ANN)
    assert ann_leg.heard_text().startswith("Callback.")
    with sessions() as session:
        assert wait_for(lambda: find_by_call(session, call.sid).state == "done" or session.expire_all(),
                        timeout=20, what="the callback to be done")


def test_a_caller_on_hold_can_press_2_for_a_callback_at_any_moment(centre, worker, carrier, sessions):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1"), press("2")]))
    call.wait(timeout=60)
    heard = call.heard_text()
    assert "To be called back instead, press 2" in heard and "We'll call you back on" in heard
    with sessions() as session:
        assert find_by_call(session, call.sid).state == "requested"
    assert runtime.acd.queues.position("fraud", call.sid) == 1


def test_an_unanswered_callback_is_retried_then_given_up_with_an_sms(centre, worker, carrier, sessions):
    runtime = centre
    carrier.add_phone(CALLER, Caller(pickup="no-answer"))
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("2")]))
    call.wait(timeout=60)
    ann_available(runtime)
    sms = wait_for(lambda: next((m for m in carrier.messages if m.to == CALLER), None), timeout=90,
                   what="the SMS after the last attempt")
    assert "tried to call you back" in sms.body
    attempts = [c for c in carrier.calls.values() if c.to == CALLER and c.direction == "outbound-api"]
    assert len(attempts) == 3
    with sessions() as session:
        assert find_by_call(session, call.sid).state == "given-up"
    assert runtime.acd.presence.get("ann").state is Presence.AVAILABLE


def test_a_broken_promise_is_apologised_for_with_a_fresh_estimate_and_the_choice_again(centre, worker, carrier,
                                                                                       redis):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy for good
    def answer(prompt: str):
        if "taking longer than I said" in prompt:
            return press("2")  # this time, a callback
        if "Would you like to hold" in prompt:
            return press("1")
        if "what you're calling about" in prompt:
            return press("4")
        return silence()  # keep holding through the updates

    caller = Caller(on_prompt=answer)
    call = carrier.place_call(from_=CALLER, to=LINE, caller=caller)
    call.wait(timeout=90)
    heard = call.heard_text()
    apology = heard.index("I'm sorry, your wait is taking longer than I said.")
    assert re.search(r"From where you are in line now, it should be (about|less than) ", heard[apology:])
    assert "We'll call you back on" in heard[apology:]
    events = [e["event"] for e in Promises(redis).history(call.sid)]
    assert events.count("promise") >= 2 and "promise-broken" in events and events[-1] == "callback-accepted"


def test_after_the_longest_hold_a_callback_or_a_message_is_offered_and_a_message_taken(centre, worker, carrier,
                                                                                       redis):
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy for good
    longest = runtime.script_for_number(LINE).hold.max_hold_seconds  # the line's choice (20 minutes)

    def answer(prompt: str):
        if "holding so long" in prompt:
            return say("I'd like to leave a message")
        if "after the tone" in prompt:
            return say("This is Ada, please call me about my card")
        if "taking longer than I said" in prompt or "Would you like to hold" in prompt:
            return press("1")
        if "what you're calling about" in prompt:
            return press("4")
        return silence()  # keep holding through the updates

    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(on_prompt=answer))
    call.wait(timeout=longest / 60 + 60)  # the clock runs 60 times faster
    heard = call.heard_text()
    offer = heard.index("I'm sorry you have been holding so long.")
    assert "Press 2 or say 'call me back'. Press 3 or say 'leave a message'." in heard[offer:]
    assert [e.text for e in call.entries("recorded")] == ["This is Ada, please call me about my card"]
    assert heard.endswith("Thank you. We have your message and will call you back.")
    history = Promises(redis).history(call.sid)
    offered = next(e for e in history if e["event"] == "long-hold-offered")
    assert offered["waited"] >= longest
    assert [e["event"] for e in history][-1] == "voicemail-chosen"
    assert runtime.acd.queues.position("fraud", call.sid) is None  # the place in line is given up


def test_a_caller_turned_away_by_twilios_full_queue_hears_why_and_the_overflow_route(centre, carrier):
    runtime = centre
    carrier.queues.create("cards", carrier.clock.timestamp(), max_size=1)  # as if MaxSize were 1 at Twilio
    first = carrier.place_call(from_="+15551230011", to=LINE,
                               caller=Caller([press("1"), press("1"), press("1")], patience=300))
    first.wait_for("enqueued", timeout=60)
    second = carrier.place_call(from_="+15551230012", to=LINE, caller=Caller([press("1"), press("1"), press("1")]))
    second.wait(timeout=60)
    assert not second.entries("application-error")
    assert second.heard_text().endswith("I'm sorry, all our Cards advisers are busy and too many callers are "
                                        "waiting. Please call again later. Goodbye.")
    assert runtime.acd.queues.position("cards", second.sid) is None  # no place left behind for a dead line
    first.wait(timeout=60)
