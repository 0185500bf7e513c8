"""The call-steering page in Chromium: an administrator tries a phrase and hears what a caller would, reviews
what transfers taught steering and removes a wrong lesson, and teaches it from past calls (a wrong file is
refused whole, naming the line and field). Agents cannot reach it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from callflow.store.agents import add_agent
from callflow.store.learning import learned_examples, record_misroute, training_pairs
from callflow.store.models import AuditEntry
from tests.browser.conftest import PASSWORD, log_in

RETRAINS = "rq:queue:callflow"


@pytest.fixture
def admin(sessions) -> str:
    with sessions() as db:
        add_agent(db, "root", "Ada Admin", PASSWORD, "+15550000009", [], role="admin")
    return "root"


def open_steering(page, login: str) -> None:
    log_in(page, login)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Call steering").click()
    expect(page.get_by_role("heading", name="Call steering", exact=True)).to_be_visible()


def test_an_admin_tries_a_phrase_and_sees_where_the_caller_goes_and_what_they_hear(page, admin):
    open_steering(page, admin)
    page.get_by_label("What the caller says").fill("I lost my card")
    page.get_by_role("button", name="Try it").click()
    expect(page.locator(".tried")).to_have_attribute("data-decision", "route")
    expect(page.locator(".caller-hears")).to_contain_text("put you through to Fraud and Security")
    page.get_by_label("What the caller says").fill("what's the weather tomorrow")
    page.get_by_role("button", name="Try it").click()
    expect(page.locator(".tried")).to_have_attribute("data-decision", "unknown")
    expect(page.locator(".caller-hears")).to_contain_text("didn't understand")


def test_an_admin_removes_a_wrong_lesson_and_steering_is_retrained_without_it(page, admin, sessions, redis):
    with sessions() as db:
        [wrong] = record_misroute(db, ["my card payment was declined at the shop"], "fraud", "card_payments",
                                  "CA1", datetime.now(UTC))
    open_steering(page, admin)
    row = page.locator(f"tr[data-example='{wrong.id}']")
    expect(row).to_contain_text("my card payment was declined at the shop")
    expect(row).to_contain_text("transfer (was card_payments)")
    queued = redis.llen(RETRAINS)
    row.get_by_role("button", name=f"Remove example {wrong.id}").click()
    expect(page.locator(".notice")).to_contain_text(f"Example {wrong.id} removed")
    expect(page.locator(f"tr[data-example='{wrong.id}']")).to_have_count(0)
    assert redis.llen(RETRAINS) > queued
    with sessions() as db:
        assert training_pairs(db) == []
        assert db.query(AuditEntry).filter_by(action="remove learned example", detail=str(wrong.id)).count() == 1


def test_an_admin_teaches_steering_from_past_calls_and_a_wrong_file_is_refused_whole(page, admin, sessions,
                                                                                     redis, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,department,topic\nmy card hasn't arrived,cards,card_arrival\n"
                   "I want a mortgage,mortgages,\n", encoding="utf-8")
    good = tmp_path / "past-calls.csv"
    good.write_text("text,department,topic\nmy card hasn't arrived,cards,card_arrival\n"
                    "someone used my card without asking,fraud,\n", encoding="utf-8")
    open_steering(page, admin)
    page.get_by_label("Past calls (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing imported from bad.csv.")
    expect(alert).to_contain_text("bad.csv:3: department: 'mortgages' is not a department")
    with sessions() as db:
        assert learned_examples(db) == []

    queued = redis.llen(RETRAINS)
    page.get_by_label("Past calls (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".notice")).to_contain_text("Imported 2 examples from past-calls.csv")
    table = page.locator("table.learned")
    expect(table.locator("tr", has_text="my card hasn't arrived")).to_contain_text("cards / card_arrival")
    expect(table.locator("tr", has_text="someone used my card without asking")).to_contain_text("imported")
    assert redis.llen(RETRAINS) > queued
    with sessions() as db:
        assert sorted(training_pairs(db)) == [("my card hasn't arrived", "cards/card_arrival", None),
                                              ("someone used my card without asking", "fraud", None)]


def test_agents_and_supervisors_cannot_reach_call_steering(page):
    log_in(page, "alice")
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    assert page.request.get("/admin/steering/").status == 403
