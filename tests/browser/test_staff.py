"""The staff page: an administrator adds, makes available and removes agents; supervisors set presence only;
agents cannot reach it. In Chromium for what a person does, through the test client for the refusals.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from callflow.store.agents import add_agent, find_agent
from callflow.store.presence import Presence, PresenceBoard
from tests.browser.conftest import PASSWORD, log_in


@pytest.fixture
def admin(sessions) -> str:
    with sessions() as db:
        add_agent(db, "root", "Ada Admin", PASSWORD, "+15550000009", [], role="admin")
    return "root"


def test_an_admin_adds_an_agent_fixes_a_mistake_makes_them_available_and_removes_them(page, admin, redis,
                                                                                      sessions):
    log_in(page, admin)
    page.get_by_role("link", name="Staff").click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    hire = page.locator("form#hire")
    hire.get_by_label("Login").fill("carol")
    hire.get_by_label("Name").fill("Carol Chen")
    hire.get_by_label("Password").fill("a-long-enough-secret")
    hire.get_by_label("Reached at").fill("+15550000044")
    hire.get_by_label("Departments").fill("fraud, card")  # "card" is no department
    hire.get_by_role("button", name="Add agent").click()

    expect(page.get_by_role("alert")).to_contain_text("Departments: no department 'card' on any line")
    departments = page.locator("form#hire").get_by_label("Departments")
    expect(departments).to_have_attribute("aria-invalid", "true")
    expect(departments).to_have_value("fraud, card")  # nothing typed is lost
    expect(page.locator("form#hire").get_by_label("Name")).to_have_value("Carol Chen")
    with sessions() as db:
        assert find_agent(db, "carol") is None

    departments.fill("fraud, cards")
    page.locator("form#hire").get_by_label("Password").fill("a-long-enough-secret")
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^Carol Chen \(carol\) added\."))
    row = page.locator("tr[data-agent=carol]")
    expect(row).to_contain_text("Fraud and Security, Cards")
    expect(row).to_contain_text("Away")

    row.get_by_role("button", name="Make Carol Chen available").click()
    expect(page.locator("tr[data-agent=carol]")).to_contain_text("Available")
    assert PresenceBoard(redis).available("fraud") == ["carol"]
    assert PresenceBoard(redis).available("cards") == ["carol"]

    page.locator("tr[data-agent=carol]").get_by_text("Remove…").click()
    page.get_by_role("button", name="Yes, remove Carol Chen").click()
    expect(page.get_by_role("status")).to_have_text("Carol Chen (carol) removed.")
    expect(page.locator("tr[data-agent=carol]")).to_have_count(0)
    assert PresenceBoard(redis).available("fraud") == []  # never offered a call again
    with sessions() as db:
        assert find_agent(db, "carol") is None


def test_a_supervisor_sets_presence_but_cannot_add_or_remove(page, runtime):
    log_in(page, "sam")
    page.goto("/console/staff/")
    expect(page.locator("tr[data-agent=alice]")).to_contain_text("Away")
    expect(page.locator("form#hire")).to_have_count(0)
    expect(page.get_by_text("Remove…")).to_have_count(0)

    page.locator("tr[data-agent=alice]").get_by_role("button", name="Make Alice Archer available").click()
    expect(page.get_by_role("status")).to_have_text("Alice Archer is now available.")
    assert runtime.acd.presence.get("alice").state is Presence.AVAILABLE


def test_an_agent_cannot_reach_the_staff_page(page):
    log_in(page, "alice")
    expect(page.get_by_role("link", name="Staff")).to_have_count(0)
    response = page.goto("/console/staff/")
    assert response.status == 403


@pytest.fixture
def client(app):
    return app.test_client()


def headers_for(client, login: str) -> dict:
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    assert client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token}).status_code == 303
    with client.session_transaction() as session:
        return {"X-CSRF-Token": session["csrf_token"], "Accept": "application/json"}


def test_an_agent_on_a_call_is_not_removed_nor_set_away(client, admin, runtime, sessions):
    headers = headers_for(client, admin)
    runtime.acd.set_presence("alice", Presence.ON_CALL, ["cards"], runtime.clock.timestamp(), call="CA" + "1" * 32)

    removed = client.post("/console/staff/alice/remove", data={"confirm": "yes"}, headers=headers)
    away = client.post("/console/staff/alice/presence", data={"state": "away"}, headers=headers)

    assert removed.status_code == 409 and removed.json["error"] == \
        "Not removed: Alice Archer has a call; remove them when it has ended."
    assert away.status_code == 409 and "has a call" in away.json["error"]
    assert runtime.acd.presence.get("alice").state is Presence.ON_CALL
    with sessions() as db:
        assert find_agent(db, "alice") is not None


def test_refusals_name_the_field_and_change_nothing(client, admin, sessions):
    headers = headers_for(client, admin)
    form = {"login": "dan", "name": "Dan", "password": "short", "reach": "+15550000055", "departments": "cards"}

    weak = client.post("/console/staff/", data=form, headers=headers)
    unconfirmed = client.post("/console/staff/alice/remove", headers=headers)
    myself = client.post("/console/staff/root/remove", data={"confirm": "yes"}, headers=headers)
    no_csrf = client.post("/console/staff/alice/remove", data={"confirm": "yes"},
                          headers={"Accept": "application/json"})
    nobody = client.post("/console/staff/nobody/presence", data={"state": "available"}, headers=headers)

    assert weak.status_code == 400 and weak.json["field"] == "password"
    assert unconfirmed.status_code == 400 and unconfirmed.json["field"] == "confirm"
    assert myself.status_code == 409 and myself.json["error"] == "You cannot remove yourself."
    assert no_csrf.status_code == 400 and "CSRF" in no_csrf.json["error"]
    assert nobody.status_code == 404 and nobody.json["error"] == "No such agent."
    with sessions() as db:
        assert find_agent(db, "dan") is None and find_agent(db, "alice") is not None
        assert find_agent(db, "root") is not None
