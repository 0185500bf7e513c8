"""The supervisors' wallboard in real Chromium against the whole system: the app served over HTTP, a real RQ
worker, and the local carrier placing a caller who waits in Cards with nobody free, then gives up.

The supervisor's screen shows the caller arrive and leave without being reloaded; an agent is refused both the
page and its data.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from callflow.carrier import Caller, say
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.browser.conftest import PASSWORD, log_in
from tests.e2e import conftest as e2e
from tests.e2e.conftest import CALLER, LINE

# The e2e ring's fixtures, here beside the browser's.
app_server, carrier, clock_start, worker = e2e.app_server, e2e.carrier, e2e.clock_start, e2e.worker

pytestmark = pytest.mark.e2e

WORDS = "my card isn't working in shops"  # steering: Cards
PATIENCE = 600  # virtual seconds the caller holds before giving up: 10 s at the e2e ring's 60 times
REFRESH_MS = 3000  # the board polls every second: a change shows within one poll and its answer
TODAY_MS = 10000  # a refresh asks the worker for today's figures, which shows them at a later poll
SCREENSHOT = "/tmp/wallboard.png"


@pytest.fixture
def floor(app_server, sessions):
    """Sam the supervisor; Alice (Cards) away, so a caller for Cards waits."""
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as db:
        add_agent(db, "sam", "Sam Singh", PASSWORD, "+15557770009", [], role="supervisor")
        add_agent(db, "alice", "Alice Archer", PASSWORD, "+15557770001", ["cards"])
    runtime.acd.set_presence("alice", Presence.AWAY, ["cards"], runtime.clock.timestamp())
    return runtime


def test_the_wallboard_shows_a_caller_arrive_and_give_up_without_a_reload(floor, worker, carrier, console):
    page = console
    log_in(page, "sam")
    page.get_by_role("link", name="Wallboard").click()  # from the console's top bar
    waiting, line_waiting = page.locator('[data-cell="cards:waiting"]'), page.locator('[data-cell="line-0:waiting"]')
    longest = page.locator('[data-cell="cards:longest_wait"]')
    expect(page.get_by_role("heading", name="Acme Bank")).to_be_visible()
    expect(waiting).to_have_text("0")
    expect(longest).to_have_text("—")
    expect(page.locator('[data-cell="cards:away"]')).to_have_text("1")
    page.evaluate("window.notReloaded = true")
    # Today's figures come from the worker, asked by the board's first refresh; the page says what time they are of.
    expect(page.locator('[data-cell="board:today"]')).to_contain_text(re.compile(r"as of \d\d:\d\d:\d\d"),
                                                                      timeout=TODAY_MS)

    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say(WORDS)], patience=PATIENCE))
    call.wait_for("enqueued", timeout=30)  # nobody free in Cards: the caller holds
    expect(waiting).to_have_text("1", timeout=REFRESH_MS)
    expect(line_waiting).to_have_text("1")
    expect(longest).not_to_have_text("—")
    expect(longest).to_have_class("wb-figure good")  # within Cards' 60 s so far
    page.screenshot(path=SCREENSHOT, full_page=True)

    call.wait(timeout=60)  # the caller ran out of patience and hung up
    expect(waiting).to_have_text("0", timeout=REFRESH_MS)
    expect(longest).to_have_text("—")
    assert page.evaluate("window.notReloaded") is True


def test_an_agent_can_open_neither_the_wallboard_nor_its_data(floor, console):
    page = console
    log_in(page, "alice")
    expect(page.get_by_role("heading", name="Your presence")).to_be_visible()
    expect(page.get_by_role("link", name="Wallboard")).to_have_count(0)
    refused = page.goto("/wallboard")
    assert refused.status == 403
    assert page.get_by_text("Wallboard").count() == 0
    data = page.request.get("/wallboard/data", headers={"Accept": "application/json"})
    assert data.status == 403
