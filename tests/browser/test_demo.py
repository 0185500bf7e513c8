"""`callflow demo` as a newcomer meets it, in real Chromium: the softphone calls the bank, is asked permission
to hold, takes a callback; an agent in another tab becomes available, the phone rings back, the agent answers
in the console, they talk, the agent hangs up, files the disposition and finds the call's summary.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
from playwright.sync_api import expect

from callflow import demo as demo_mode
from tests.ports import free_port
from tests.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]  # a whole demo starts and plays out in each test

RATE = 4.0  # a person's pace, four times over: each prompt is still long enough to answer while it plays
SLOW = 45_000  # ms: a step that waits on prompts, a worker and the carrier


def run_demo(tmp_path, *extra: str, lines: list[str] | None = None):
    """`callflow demo` in its own process group, until the test ends; yields its URL (`lines`: what it printed)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "TEST_DATABASE_URL")}
    process = subprocess.Popen([sys.executable, "-m", "callflow.cli", "demo", "--port", str(port),
                                "--instance", str(tmp_path / "demo"), *extra],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    started, lines = threading.Event(), [] if lines is None else lines

    def read():
        for line in process.stdout:
            lines.append(line)
            if line.startswith("callflow demo:"):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    wait_for(lambda: started.is_set() or process.poll() is not None, timeout=90, what="the demo to start")
    assert started.is_set(), "".join(lines[-30:])
    yield f"http://127.0.0.1:{port}"
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    assert not [line for line in lines if "Traceback" in line], "".join(lines[-60:])
    log = (tmp_path / "demo" / "demo.log").read_text()  # the processes' messages, kept off the terminal
    assert "Traceback" not in log, log[-6000:]


@pytest.fixture
def demo(tmp_path):
    yield from run_demo(tmp_path, "--rate", str(RATE))


@pytest.fixture
def busy_demo(tmp_path):
    yield from run_demo(tmp_path, "--rate", "15", "--callers", "16")


def test_the_load_switch_fills_the_queues_and_robot_agents_serve_them(busy_demo, browser):
    page = browser.new_context(base_url=busy_demo, viewport={"width": 1280, "height": 1000}).new_page()
    page.goto("/login")
    page.get_by_label("Login").fill("sam")
    page.get_by_label("Password").fill(demo_mode.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("table.queues")).to_be_visible()

    def served_by_robots() -> int:
        page.goto("/console/calls")
        return page.locator("table.recent-calls tr", has_text="robot").count()

    wait_for(lambda: served_by_robots() >= 3, timeout=180, what="simulated callers served by robot agents")
    page.goto("/console/staff/")
    expect(page.locator("tr[data-agent=robot1]")).to_be_visible()


def test_a_newcomer_calls_takes_a_callback_and_an_agent_answers_it(demo, browser):
    phone_tab = browser.new_context(base_url=demo).new_page()
    agent_tab = browser.new_context(base_url=demo, viewport={"width": 1280, "height": 1000}).new_page()
    for tab in (phone_tab, agent_tab):
        tab.set_default_timeout(SLOW)

    # The caller rings the bank, is greeted by name, says why, and is asked before being put on hold.
    phone_tab.goto("/demo/phone")
    phone = phone_tab.locator("[data-phone]")
    log = phone.locator("[data-phone-log]")
    phone.get_by_role("button", name="Call Acme Bank").click()
    expect(log).to_contain_text(f"Hello {demo_mode.CALLER_NAME}, thank you for calling Acme Bank", timeout=SLOW)
    phone.get_by_label("Say").fill("my card isn't working in shops")
    phone.get_by_role("button", name="Say it").click()
    expect(log).to_contain_text("I'll put you through to Cards.", timeout=SLOW)
    expect(log).to_contain_text("Would you like to hold, or shall we call you back when it's your turn?", timeout=SLOW)
    phone.get_by_role("group", name="Keypad").get_by_role("button", name="2").click()
    expect(log).to_contain_text("We'll call you back on", timeout=SLOW)
    expect(phone.locator("[data-phone-note]")).to_have_text("The call has ended.", timeout=SLOW)

    # Alice logs in and becomes available: the bank rings the caller back first, then her browser phone.
    agent_tab.goto("/login")
    agent_tab.get_by_label("Login").fill("alice")
    agent_tab.get_by_label("Password").fill(demo_mode.PASSWORD)
    agent_tab.get_by_role("button", name="Log in").click()
    agent_tab.get_by_role("button", name="Become available").click()
    phone.get_by_role("button", name="Answer").click(timeout=SLOW)
    expect(log).to_contain_text("Hello, this is Acme Bank returning your call about your card.", timeout=SLOW)
    console_phone = agent_tab.locator("[data-phone]")
    console_phone.get_by_role("button", name="Answer").click(timeout=SLOW)
    expect(agent_tab.locator("#screen-pop")).to_contain_text(demo_mode.CALLER_NAME, timeout=SLOW)
    expect(console_phone.locator("[data-phone-log]")).to_contain_text("(connected", timeout=SLOW)

    # They talk: typed words stand in for voice, both ways.
    console_phone.get_by_label("Say").fill("Hello Jane, Alice here. I've unblocked your card.")
    console_phone.get_by_role("button", name="Say it").click()
    expect(log).to_contain_text("Hello Jane, Alice here. I've unblocked your card.", timeout=SLOW)
    phone.get_by_label("Say").fill("Thank you!")
    phone.get_by_role("button", name="Say it").click()
    expect(console_phone.locator("[data-phone-log]")).to_contain_text("Thank you!", timeout=SLOW)

    # Alice hangs up, files the disposition, and finds the call's summary.
    console_phone.get_by_role("button", name="Hang up").click()
    close = agent_tab.locator("form.close-call")
    close.get_by_label("Outcome").select_option("resolved", timeout=SLOW)
    close.get_by_label("Notes").fill("Card unblocked after the fraud check.")
    close.get_by_role("button", name="File disposition").click()
    expect(agent_tab.locator("#call-done")).to_have_text("Disposition filed. Thank you.")

    def summary_listed() -> bool:
        agent_tab.goto("/console/calls")
        return agent_tab.locator("table.recent-calls tr", has_text="resolved").count() > 0

    wait_for(summary_listed, timeout=60, what="the call's summary in Alice's recent calls")
    agent_tab.locator("table.recent-calls tr", has_text="resolved").get_by_role("link", name="Summary").click()
    expect(agent_tab.locator("[data-notes]")).to_have_text("Card unblocked after the fraud check.")
    expect(agent_tab.locator(".summary")).to_contain_text(re.compile("Agents\\s*alice"))


@pytest.fixture
def printed():
    return []


@pytest.fixture
def readme_demo(tmp_path, printed):
    yield from run_demo(tmp_path, "--rate", str(RATE), lines=printed)


def test_readme_s_walkthrough_a_lost_card_reaches_alice(readme_demo, printed, tmp_path, browser):
    """README: say "I lost my card", choose to hold, make Alice available and take the call."""
    # The welcome is what the terminal shows, last: every agent's departments, the log file, the demo's calls.
    banner = "".join(printed)
    assert banner.lstrip().startswith("callflow demo:"), banner
    assert re.search(r"alice +Alice Archer, agent: Cards, Fraud and Security", banner), banner
    assert re.search(r"bob +Bob Baker, agent: Fraud and Security, Payments and Transfers", banner), banner
    assert f"Messages (logs):     {tmp_path / 'demo' / 'demo.log'}" in banner
    assert f"callflow --instance {tmp_path / 'demo'} calls" in banner
    wait_for(lambda: "Listening on callflow" in (tmp_path / "demo" / "demo.log").read_text(), timeout=30,
             what="the worker's start-up messages in the demo's log file")

    phone_tab = browser.new_context(base_url=readme_demo).new_page()
    agent_tab = browser.new_context(base_url=readme_demo, viewport={"width": 1280, "height": 1000}).new_page()
    for tab in (phone_tab, agent_tab):
        tab.set_default_timeout(SLOW)
    phone_tab.goto("/")  # the site's root leads to the demo's page of links
    expect(phone_tab).to_have_url(f"{readme_demo}/demo/")
    expect(phone_tab.get_by_role("link", name="Open the caller's phone")).to_have_attribute("href", "/demo/phone")
    phone_tab.goto("/demo/phone")

    phone = phone_tab.locator("[data-phone]")
    log = phone.locator("[data-phone-log]")
    phone.get_by_role("button", name="Call Acme Bank").click()
    expect(log).to_contain_text("thank you for calling Acme Bank", timeout=SLOW)
    phone.get_by_label("Say").fill("I lost my card")
    phone.get_by_role("button", name="Say it").click()
    expect(log).to_contain_text("I'll put you through to Fraud and Security.", timeout=SLOW)
    expect(log).to_contain_text("Would you like to hold", timeout=SLOW)
    phone.get_by_role("group", name="Keypad").get_by_role("button", name="1").click()
    # on hold the phone plays the line's hold music, not silence (issue 26)
    expect(phone).to_have_attribute("data-music", re.compile(r"/voice/hold-music/gentle-tune\.wav$"), timeout=SLOW)

    agent_tab.goto("/login")
    agent_tab.get_by_label("Login").fill("alice")
    agent_tab.get_by_label("Password").fill(demo_mode.PASSWORD)
    agent_tab.get_by_role("button", name="Log in").click()
    agent_tab.get_by_role("button", name="Become available").click()
    console_phone = agent_tab.locator("[data-phone]")
    console_phone.get_by_role("button", name="Answer").click(timeout=SLOW)
    expect(agent_tab.locator("#screen-pop")).to_contain_text(demo_mode.CALLER_NAME, timeout=SLOW)
    expect(agent_tab.locator("#screen-pop")).to_contain_text("Fraud and Security", timeout=SLOW)
    expect(console_phone.locator("[data-phone-log]")).to_contain_text("(connected", timeout=SLOW)
    expect(phone).not_to_have_attribute("data-music", re.compile("."), timeout=SLOW)  # the music stops
