"""`callflow report` as an operator types it: the figures in each format, charts to a file, and errors that
name the option to fix."""

from __future__ import annotations

import csv
import io
import json

from callflow.store import contact_events
from tests.integration.test_reports_queries import MORNING


def test_the_days_report_as_json_csv_and_table_with_charts(run, sessions, tmp_path):
    with sessions.begin() as session:
        contact_events.append(session, MORNING)
    result = run("report", "--from", "2026-12-01", "--to", "2026-12-02", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["departments"]["cards"]["offered"] == 4 and figures["totals"]["service_level"] == 40

    result = run("report", "--from", "2026-12-01", "--to", "2026-12-02", "--interval", "hour", "--format", "csv",
                 "--department", "cards")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["department"], r["interval"], r["offered"]) for r in rows[9:12]] == [
        ("cards", "2026-12-01T09:00:00+00:00", "4"), ("cards", "2026-12-01T10:00:00+00:00", "0"),
        ("cards", "2026-12-01T11:00:00+00:00", "0")]
    assert rows[-1]["department"] == "all departments" and len(rows) == 48

    chart = tmp_path / "morning.svg"
    result = run("report", "--from", "2026-12-01", "--to", "2026-12-02", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    assert "cards" in result.output and "cards -> fraud: 1, 1, 0" in result.output
    svg = chart.read_text()
    assert svg.startswith("<svg") and "Service level" in svg and "Estimate error" in svg and "Waits" in svg


def test_bad_dates_intervals_and_departments_name_the_option(run):
    result = run("report", "--from", "yesterday", "--to", "2026-12-02")
    assert result.exit_code == 2 and "--from" in result.output and "'yesterday' is not a date" in result.output
    result = run("report", "--from", "2026-12-01", "--to", "2026-12-02", "--interval", "week")
    assert result.exit_code == 2 and "--interval" in result.output
    result = run("report", "--from", "2026-12-02", "--to", "2026-12-01")
    assert result.exit_code == 2 and "--to" in result.output and "before it starts" in result.output
    result = run("report", "--from", "2026-12-01", "--to", "2026-12-02", "--department", "cardz")
    assert result.exit_code == 2 and "--department" in result.output and "no department 'cardz'" in result.output
