"""The reports page in Chromium: a supervisor asks for a day and reads the figures, the charts and the
transfers, and downloads the CSV; an agent is refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from callflow.store import contact_events
from tests.browser.conftest import log_in
from tests.integration.test_reports_queries import MORNING


def test_a_supervisor_reads_a_days_figures_and_charts_and_downloads_the_csv(page, sessions):
    with sessions.begin() as session:
        contact_events.append(session, MORNING)
    log_in(page, "sam")
    page.goto("/reports/")
    form = page.locator("form#report-form")
    form.get_by_label("From", exact=True).fill("2026-12-01")
    form.get_by_label("To", exact=True).fill("2026-12-02")
    form.get_by_label("Interval").select_option("hour")
    form.get_by_role("button", name="Show report").click()

    cards_9 = page.locator('tr[data-department="cards"][data-interval="2026-12-01T09:00:00+00:00"]')
    expect(cards_9.locator('[data-figure="offered"]')).to_have_text("4")
    expect(cards_9.locator('[data-figure="answered"]')).to_have_text("2")
    expect(cards_9.locator('[data-figure="service_level"]')).to_have_text("33.33")
    expect(cards_9.locator('[data-figure="aht_seconds"]')).to_have_text("180")
    line_9 = page.locator('tr[data-department="all departments"][data-interval="2026-12-01T09:00:00+00:00"]')
    expect(line_9.locator('[data-figure="offered"]')).to_have_text("5")
    for title in ("Service level", "Offered, answered and abandoned", "Waits"):
        expect(page.locator("figure.chart svg").get_by_text(title, exact=True)).to_be_visible()
    expect(page.locator("figure.chart svg").get_by_text("Estimate error (waited - promised), mean -4 s")) \
        .to_be_visible()
    expect(page.locator("#transfers")).to_contain_text("Cards")
    expect(page.locator("#transfers")).to_contain_text("Fraud and Security")
    expect(page.locator("#estimate-error")).to_contain_text("2 promises settled: 1 kept, 1 broken")
    page.screenshot(path="/tmp/reports_page.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert {(r["department"], r["interval"][:13], r["offered"]) for r in rows} >= {
        ("cards", "2026-12-01T09", "4"), ("fraud", "2026-12-01T10", "1"), ("all departments", "2026-12-01T09", "5")}


def test_a_bad_date_is_named_and_the_form_keeps_what_was_typed(page):
    log_in(page, "sam")
    page.goto("/reports/?from=yesterday&to=2026-12-02")
    expect(page.get_by_role("alert")).to_contain_text("From: 'yesterday' is not a date")
    expect(page.locator("form#report-form").get_by_label("From", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("form#report-form").get_by_label("From", exact=True)).to_have_value("yesterday")


def test_an_agent_is_refused(page):
    log_in(page, "alice")
    response = page.goto("/reports/")
    assert response.status == 403
    response = page.goto("/reports/report.csv?from=2026-12-01&to=2026-12-02")
    assert response.status == 403
