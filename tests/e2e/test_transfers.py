"""Agents pass callers on: cold through the new department's queue, warm by bringing the next agent into the
room. Each transfer teaches call steering: the next caller with the same words goes straight to the right team.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, say
from callflow.services import transfers
from callflow.store.agents import add_agent
from callflow.store.learning import learned_examples
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE, enqueued_in
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

ANN, BOB = "+15557770001", "+15557770002"
WORDS = "a refund for a card payment I never authorised"


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]

    def staff(login, reach, departments, phone):
        with sessions() as session:
            add_agent(session, login, login.title(), "correct horse battery", reach, departments)
        carrier.add_phone(reach, phone)
        runtime.acd.set_presence(login, Presence.AVAILABLE, departments, runtime.clock.timestamp())

    return app, runtime, staff


def transfer_when_talking(app, runtime, call, agent: str, to: str, warm: bool) -> None:
    call.wait_for("talk", timeout=30)
    with app.app_context():
        transfers.transfer(runtime, call.sid, agent, to, warm=warm)


def test_a_cold_transfer_requeues_the_caller_and_teaches_steering(centre, worker, carrier, sessions):
    app, runtime, staff = centre
    staff("ann", ANN, ["card_payments"], Caller(talk=["Card payments, Ann speaking."]))
    staff("bob", BOB, ["fraud"], Caller(talk=["Fraud team, Bob here."], hang_up_after=20))
    assert runtime.steer_for(runtime.script_for_number(LINE))(WORDS).department == "card_payments"

    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say(WORDS)]))
    transfer_when_talking(app, runtime, call, "ann", "fraud", warm=False)
    call.wait(timeout=60)
    talk = [e.text for e in call.entries("talk")]
    assert talk[0] == "Card payments, Ann speaking." and "Fraud team, Bob here." in talk
    assert "I'm transferring you to Fraud and Security" in call.heard_text()
    # Bob was free: the caller went straight to him, or through Fraud's line if he was being rung already.
    assert enqueued_in(call)[0] == "card-payments" and set(enqueued_in(call)) <= {"card-payments", "fraud"}
    with sessions() as session:
        learned = [(e.text, e.department, e.wrong_department, e.language) for e in learned_examples(session)]
    assert learned == [(WORDS, "fraud", "card_payments", "en-GB")]  # said in English: the English router learns

    # The worker retrained the router; the next caller with those words reaches fraud at once.
    wait_for(lambda: runtime.steer_for(runtime.script_for_number(LINE))(WORDS).department == "fraud",
             timeout=30, what="the retrained router")
    again = carrier.place_call(from_="+15551239999", to=LINE, caller=Caller([say(WORDS)], patience=5))
    again.wait(timeout=60)
    assert "I'll put you through to Fraud and Security." in again.heard_text()


def test_a_warm_transfer_brings_the_next_agent_into_the_room(centre, worker, carrier):
    app, runtime, staff = centre
    staff("ann", ANN, ["card_payments"], Caller(talk=["Card payments, Ann speaking.",
                                                      "Bob, this caller needs the fraud team."], hang_up_after=40))
    staff("bob", BOB, ["fraud"], Caller(talk=["Fraud team, Bob here."], hang_up_after=60))
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say(WORDS)]))
    transfer_when_talking(app, runtime, call, "ann", "fraud", warm=True)
    call.wait(timeout=60)
    bob = next(c for c in carrier.calls.values() if c.to == BOB)
    assert bob.heard_text().startswith("Transfer from ann.")
    assert "Fraud team, Bob here." in [e.text for e in call.entries("talk")]
    assert enqueued_in(call) == ["card-payments"]  # never back on hold
    assert "Thank you for holding" not in call.heard_text()


def test_an_agent_ends_an_abusive_call_and_files_the_disposition(centre, worker, carrier, sessions):
    from callflow.store.dispositions import dispositions_of, file_disposition

    app, runtime, staff = centre
    staff("ann", ANN, ["fraud"], Caller(talk=["Fraud team, Ann speaking."]))  # would stay on the line
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card")],
                                                                    talk=["You are useless!"]))
    call.wait_for("talk", contains="Ann speaking", timeout=30)
    with app.app_context():
        transfers.end_call(runtime, call.sid, "ann")
        with sessions() as session:
            file_disposition(session, call.sid, "ann", "abusive", runtime.clock.now(), notes="Shouted at agent.")
    call.wait(timeout=30)
    assert call.status == "completed"
    wait_for(lambda: runtime.acd.presence.get("ann").state in (Presence.WRAP_UP, Presence.AVAILABLE), timeout=20,
             what="the agent to leave the call")
    with sessions() as session:
        assert [(d.agent, d.outcome) for d in dispositions_of(session, call.sid)] == [("ann", "abusive")]
