"""A call's summary and its event log tell the language the caller was answered in (issue 24), the same way."""

from __future__ import annotations

from callflow.domain.contact_events import events_of
from callflow.domain.summary import build_summary

CALL = {"sid": "CA1", "caller": "+15551230002", "called": "+15550100000", "direction": "inbound",
        "status": "completed", "started_at": "2026-03-10T10:00:00+00:00", "ended_at": "2026-03-10T10:05:00+00:00",
        "duration_seconds": 300, "department": "fraud", "script_version": "v1"}


def summarised(call: dict) -> tuple[dict, dict]:
    events = events_of(call, None, [], [])
    return events[0], build_summary(call, None, [], None, None, events=events)


def test_a_spanish_call_says_so_in_its_entered_event_and_its_summary():
    entered, summary = summarised(CALL | {"language": "es-US"})
    assert entered["kind"] == "entered-line" and entered["detail"] == {"direction": "inbound", "language": "es-US"}
    assert summary["language"] == "es-US"


def test_a_call_logged_without_a_language_reads_as_it_always_has():
    entered, summary = summarised(CALL)
    assert entered["detail"] == {"direction": "inbound"} and summary["language"] is None
