"""The agent's whole day with one call, in real Chromium against the whole system: the app served over HTTP,
a real RQ worker, and the local carrier ringing the caller and the agents' phones.

Alice logs in and becomes available; the caller who was holding for Cards is offered to her, her phone
answers, and her console pops the caller. She transfers the call to Fraud from the console, where Bob takes
it; when her line closes she files the disposition, and the call's summary carries it.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from callflow.carrier import Caller, say
from callflow.store.agents import add_agent
from callflow.store.learning import learned_examples
from callflow.store.models import Summary
from callflow.store.presence import Presence
from tests.browser.conftest import PASSWORD, log_in
from tests.e2e import conftest as e2e
from tests.e2e.conftest import CALLER, LINE, enqueued_in
from tests.waiting import wait_for

# The e2e ring's fixtures, here beside the browser's.
app_server, carrier, clock_start, worker = e2e.app_server, e2e.carrier, e2e.clock_start, e2e.worker

pytestmark = pytest.mark.e2e

ALICE, BOB = "+15557770001", "+15557770002"
WORDS = "my card isn't working in shops"  # steering: Cards; Alice finds the card was blocked for fraud


@pytest.fixture
def centre(app_server, carrier, sessions):
    """Alice (Cards) away at her desk, Bob (Fraud) available; both phones answer when rung."""
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as db:
        add_agent(db, "alice", "Alice Archer", PASSWORD, ALICE, ["cards"])
        add_agent(db, "bob", "Bob Baker", PASSWORD, BOB, ["fraud"])
    carrier.add_phone(ALICE, Caller(talk=["Cards, Alice speaking.", "Let me pass you to our fraud team."]))
    carrier.add_phone(BOB, Caller(talk=["Fraud team, Bob here. I've blocked the card."], hang_up_after=30))
    runtime.acd.set_presence("alice", Presence.AWAY, ["cards"], runtime.clock.timestamp())
    runtime.acd.set_presence("bob", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    return runtime


def test_an_agent_takes_a_call_transfers_it_and_files_the_disposition(centre, worker, carrier, console, sessions):
    runtime, page = centre, console
    assert runtime.steer_for(runtime.script_for_number(LINE))(WORDS).department == "cards"
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say(WORDS)], patience=3600))
    call.wait_for("enqueued", timeout=30)  # nobody free in Cards: the caller holds

    # Alice logs in and becomes available: the caller is offered to her, her phone answers, the screen pops.
    log_in(page, "alice")
    expect(page).to_have_url(re.compile(r"/console/$"))
    page.get_by_role("button", name="Become available").click()
    pop = page.locator("#screen-pop")
    expect(pop).to_contain_text("On a call · Cards")
    expect(pop).to_contain_text(CALLER)
    expect(pop).to_contain_text(WORDS)
    expect(page.locator("#presence-state")).to_have_text("On a call")
    call.wait_for("talk", timeout=30)

    # She transfers the caller to Fraud, cold: the caller keeps their place and Bob takes the call.
    actions = page.locator("section.call-actions")
    actions.get_by_label("Transfer to").select_option(label="Fraud and Security")
    actions.get_by_role("button", name="Transfer").click()
    expect(page.locator("#call-done")).to_contain_text("on their way to Fraud and Security")
    call.wait(timeout=90)
    talk = [entry.text for entry in call.entries("talk")]
    assert talk[0] == "Cards, Alice speaking." and "Fraud team, Bob here. I've blocked the card." in talk
    assert enqueued_in(call)[0] == "cards" and set(enqueued_in(call)) <= {"cards", "fraud"}  # Bob was free
    assert not call.entries("application-error")

    # Alice's line has closed: the console asks for the disposition, suggesting "Transferred".
    form = page.locator("form.close-call")
    expect(form).to_be_visible()
    expect(form).to_contain_text(CALLER)
    expect(form.get_by_label("Outcome")).to_have_value("transferred")
    form.get_by_label("Notes").fill("Card payment not recognised; passed to fraud.")
    form.get_by_label("Actions promised to the caller").fill("Fraud team to review the payment today")
    form.get_by_role("button", name="File disposition").click()
    expect(page.locator("#call-done")).to_have_text("Disposition filed. Thank you.")
    expect(form).to_have_count(0)

    # The transfer taught steering, and the call's summary carries Alice's disposition.
    with sessions() as db:
        assert [(e.text, e.department, e.wrong_department) for e in learned_examples(db)] == \
            [(WORDS, "fraud", "cards")]

    def summary():
        with sessions() as db:
            row = db.get(Summary, call.sid)
            return json.loads(row.body) if row is not None else None

    wait_for(lambda: (summary() or {}).get("dispositions"), timeout=30, what="the summary with the disposition")
    body = summary()
    assert [(d["agent"], d["outcome"]) for d in body["dispositions"]] == [("alice", "transferred")]
    assert body["notes"] == "Card payment not recognised; passed to fraud."
    assert body["actions_promised"] == ["Fraud team to review the payment today"]
