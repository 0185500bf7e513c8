"""The agent console in real Chromium: login, presence, the live queue view, the screen pop, and who sees what."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from callflow.store import call_log
from callflow.store.acd import CallerInfo
from callflow.store.presence import Presence, PresenceBoard
from callflow.store.summaries import save_summary
from tests.browser.conftest import LINE, log_in

CALLER = "+15551230002"
SCREENSHOT = "/tmp/console.png"


def wait_in_cards(runtime, sid: str = "CA" + "1" * 32, waited: float = 125.0) -> CallerInfo:
    """Put Jane in the Cards queue as the IVR would, having waited `waited` seconds already."""
    now = runtime.clock.timestamp()
    info = CallerInfo(sid, caller=CALLER, line=LINE, department="cards", name="Jane Doe",
                      said=("my card was stolen at the station",), path=("menu:main", "steer:cards"),
                      entered_at=now - waited)
    runtime.acd.caller_waits(info, now)
    return info


def called_before(sessions, sid: str, department: str, day: int) -> None:
    """A finished earlier call from Jane's number in the call log."""
    started = datetime(2026, 11, day, 9, 30, tzinfo=UTC)
    with sessions() as db:
        call_log.call_started(db, sid, CALLER, LINE, started)
        call_log.call_progressed(db, sid, department, ["menu:main"])
        call_log.call_ended(db, sid, "completed", started.replace(minute=34), 245)


def test_a_wrong_password_is_refused_without_saying_whether_the_login_exists(page):
    for login in ("alice", "nobody"):
        log_in(page, login, "not-the-password")
        expect(page.get_by_role("alert")).to_have_text("Login or password is wrong.")
        expect(page).to_have_url(re.compile(r"/login$"))


def test_an_agent_logs_in_and_sees_their_own_queues(page):
    log_in(page, "alice")

    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("heading", name="Your presence")).to_be_visible()
    expect(page.locator("#presence-state")).to_have_text("Away")
    queues = page.locator("table.queues")
    expect(queues.locator("tr[data-department=cards]")).to_be_visible()
    expect(queues.locator("tr[data-department]")).to_have_count(1)  # not Payments, Bob's department
    expect(page.get_by_role("heading", name="Team")).to_have_count(0)


def test_the_presence_toggle_changes_presence_in_redis_and_on_the_page(page, redis):
    log_in(page, "alice")
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Become available").click()
    expect(page.locator("#presence-state")).to_have_text("Available")
    assert PresenceBoard(redis).get("alice").state is Presence.AVAILABLE
    assert PresenceBoard(redis).available("cards") == ["alice"]

    page.get_by_role("button", name="Go away").click()
    expect(page.locator("#presence-state")).to_have_text("Away")
    assert PresenceBoard(redis).get("alice").state is Presence.AWAY
    assert page.evaluate("window.notReloaded") is True


def test_a_break_says_when_the_agent_will_be_back_and_wait_estimates_count_on_it(page, redis, runtime):
    log_in(page, "alice")
    page.get_by_role("button", name="Become available").click()
    expect(page.locator("#presence-state")).to_have_text("Available")

    page.get_by_role("button", name="30 min").click()
    expect(page.locator("#presence-state")).to_have_text("Away")
    expect(page.locator("#presence-back")).to_contain_text("on a break, back in")
    alice = PresenceBoard(redis).get("alice")
    assert alice.state is Presence.AWAY and 29 * 60 <= alice.back_at - runtime.clock.timestamp() <= 30 * 60
    assert PresenceBoard(redis).due_back("cards", runtime.clock.timestamp(), 3600) == [alice.back_at]

    page.get_by_role("button", name="Become available").click()  # back early
    expect(page.locator("#presence-state")).to_have_text("Available")
    expect(page.locator("#presence-back")).to_have_count(0)
    assert PresenceBoard(redis).due_back("cards", runtime.clock.timestamp(), 3600) == []


def test_a_waiting_caller_appears_in_the_queue_view_without_a_reload(page, runtime):
    log_in(page, "alice")
    expect(page.get_by_text("Nobody is waiting.")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    wait_in_cards(runtime, waited=125)

    row = page.locator("table.callers tr", has_text="Jane Doe")
    expect(row).to_be_visible()
    expect(row).to_contain_text(CALLER)
    expect(row).to_contain_text(re.compile(r"2:[0-5]\d"))  # waited two minutes and a few seconds
    cards = page.locator("table.queues tr[data-department=cards]")
    expect(cards.locator("[data-waiting]")).to_have_text("1")
    # What the hold manager would promise a caller joining now: nobody at work in Cards, then Sam on a call.
    expect(cards.locator("[data-estimate]")).to_have_text(re.compile(r"^more than an hour \(about \d+ minutes\)$"))
    runtime.acd.set_presence("sam", Presence.ON_CALL, ["cards", "payments"], runtime.clock.timestamp() - 60,
                             call="CA" + "9" * 32)
    expect(cards.locator("[data-estimate]")).to_have_text(re.compile(r"^less than \d+ minutes$"))
    assert page.evaluate("window.notReloaded") is True


def test_a_screen_pop_shows_the_offered_caller_with_their_words_and_previous_calls(page, runtime, sessions):
    called_before(sessions, "CA" + "2" * 32, "payments", day=17)
    called_before(sessions, "CA" + "3" * 32, "cards", day=20)
    with sessions() as db:  # the newest one has its summary: who took it, what they noted and promised
        save_summary(db, {"call_sid": "CA" + "3" * 32, "caller": CALLER, "departments": ["cards"],
                          "started_at": "2026-11-20T09:30:00+00:00", "outcome": "follow-up", "agents": ["bob"],
                          "notes": "Card retained by an ATM.", "actions_promised": ["New card by Friday"]},
                     datetime(2026, 11, 20, 9, 35, tzinfo=UTC))
    log_in(page, "alice")
    pop = page.locator("#screen-pop")
    expect(pop).to_have_attribute("aria-live", "polite")
    expect(pop).to_contain_text("No call offered")

    info = wait_in_cards(runtime, waited=95)
    runtime.acd.set_presence("alice", Presence.OFFERED, ["cards"], runtime.clock.timestamp(), call=info.sid)

    expect(pop.get_by_role("heading", name="Jane Doe")).to_be_visible()
    expect(pop).to_contain_text("Incoming call · Cards")
    expect(pop).to_contain_text(CALLER)
    expect(pop).to_contain_text("my card was stolen at the station")
    expect(pop.locator(".path li")).to_have_text(["menu:main", "steer:cards"])
    expect(pop.locator(".facts")).to_contain_text(re.compile(r"Waited\s*1:3\d"))
    previous = pop.locator("table.previous tbody tr:not(.previous__summary)")
    expect(previous).to_have_count(2)
    expect(previous.first).to_contain_text("20 Nov 2026 09:30")  # newest first
    expect(previous.first).to_contain_text("4:05")
    expect(previous.first).to_contain_text("follow up with bob")
    expect(previous.last).to_contain_text("completed")  # no summary: the call log's status
    summary = pop.locator("table.previous tr.previous__summary")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("Card retained by an ATM.")
    expect(summary.locator(".promised li")).to_have_text(["New card by Friday"])
    expect(page.locator("#presence-state")).to_have_text("Call offered")
    expect(page).to_have_title(re.compile("^Incoming call"))
    page.screenshot(path=SCREENSHOT, full_page=True)

    runtime.acd.set_presence("alice", Presence.ON_CALL, ["cards"], runtime.clock.timestamp(), call=info.sid)
    expect(pop).to_contain_text("On a call · Cards")


@pytest.mark.parametrize("path", ["/console/api/queues/payments", "/console/api/agents/bob",
                                  "/console/agents/bob", "/console/api/agents/nobody"])
def test_an_agent_cannot_see_another_departments_queue_or_another_agents_data(page, path):
    log_in(page, "alice")
    assert page.request.get("/console/api/queues/cards").status == 200
    assert page.request.get("/console/api/agents/alice").status == 200

    assert page.request.get(path).status == 403


def test_a_post_without_the_csrf_token_is_refused(page, redis):
    log_in(page, "alice")

    refused = page.request.post("/console/presence", form={"state": "available"})
    assert refused.status == 400
    assert "CSRF" in refused.text()
    assert PresenceBoard(redis).get("alice") is None

    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    accepted = page.request.post("/console/presence", form={"state": "available"},
                                 headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert accepted.status == 200
    assert accepted.json()["agent"]["state"] == "available"


def test_a_supervisor_sees_each_lines_queues_under_the_lines_name_in_the_scripts_order(page):
    """Acme Bank's and Riverside Family Clinic's departments are two lists, not one alphabet ("the Nurse Line"
    last, between the bank's departments)."""
    log_in(page, "sam")

    lines = page.locator("table.queues tbody")
    expect(lines).to_have_count(2)
    for index, (line, departments) in enumerate([
        ("Acme Bank", ["cards", "card_payments", "payments", "top_ups", "cash_atm", "fees", "account", "fraud",
                       "general"]),
        ("Riverside Family Clinic", ["appointments", "prescriptions", "results", "billing", "nurse",
                                     "after_hours", "reception"]),
    ]):
        group = lines.nth(index)
        expect(group.get_by_role("rowheader").first).to_have_text(line)
        rows = group.locator("tr[data-department]")
        expect(rows).to_have_count(len(departments))
        assert [rows.nth(i).get_attribute("data-department") for i in range(len(departments))] == departments
    expect(lines.nth(1).locator("tr[data-department=nurse] th")).to_have_text("the Nurse Line")


def test_a_supervisor_sees_every_department_and_every_agents_presence_live(page, runtime):
    now = runtime.clock.timestamp()
    runtime.acd.set_presence("alice", Presence.AVAILABLE, ["cards"], now - 70)
    log_in(page, "sam")

    queues = page.locator("table.queues")
    for department in ("cards", "payments", "fraud", "appointments"):  # both lines' departments
        expect(queues.locator(f"tr[data-department={department}]")).to_be_visible()
    team = page.locator("table.team")
    expect(team.locator("tr[data-agent=alice] [data-presence]")).to_have_text("Available")
    expect(team.locator("tr[data-agent=bob] [data-presence]")).to_have_text("Away")
    expect(team.locator("tr[data-agent=sam] [data-presence]")).to_have_text("Away")

    runtime.acd.set_presence("bob", Presence.ON_CALL, ["payments"], runtime.clock.timestamp(), call="CA9")
    expect(team.locator("tr[data-agent=bob] [data-presence]")).to_have_text("On a call")

    team.get_by_role("link", name="Alice Archer").click()
    expect(page.get_by_role("heading", name=re.compile("Alice Archer"), level=1)).to_be_visible()
    expect(page.locator("#presence-state")).to_have_text("Available")
    expect(page.get_by_role("button", name="Go away")).to_have_count(0)  # it is Alice's to change
