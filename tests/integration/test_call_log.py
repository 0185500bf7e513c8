"""The call log and known customers, on the real database (PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from callflow.store import call_log
from callflow.store.customers import find_customer, import_customers_csv

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_repeated_status_callback_closes_the_call_once(sessions):
    with sessions() as session:
        call_log.call_started(session, "CA1", "+15551230002", "+15005550006", NOW)
        call_log.call_started(session, "CA1", "+15551230002", "+15005550006", NOW)  # repeated webhook
        assert call_log.call_ended(session, "CA1", "completed", NOW + timedelta(minutes=3), 180)
        assert not call_log.call_ended(session, "CA1", "completed", NOW + timedelta(minutes=4), 240)
        call = session.get(call_log.Call, "CA1")
        assert (call.status, call.duration_seconds) == ("completed", 180)


def test_the_department_reached_in_the_last_day_is_offered_again(sessions):
    with sessions() as session:
        call_log.call_started(session, "CA-old", "+15551230002", "+1", NOW - timedelta(hours=30))
        call_log.call_progressed(session, "CA-old", "fees", [])
        call_log.call_started(session, "CA-new", "+15551230002", "+1", NOW - timedelta(hours=2))
        call_log.call_progressed(session, "CA-new", "cards", ["main", "cards"])
        assert call_log.recent_department(session, "+15551230002", NOW) == "cards"
        assert call_log.recent_department(session, "+15551230002", NOW + timedelta(hours=23)) is None
        assert call_log.recent_department(session, "+15559999999", NOW) is None


def test_customers_import_from_csv_and_update_by_phone(sessions):
    with sessions() as session:
        assert import_customers_csv(session, io.StringIO("phone,name\n+15551230002,Ada Lovelace\n")) == 1
        assert import_customers_csv(session, io.StringIO("phone,name\n+15551230002,Ada King\n")) == 1
        assert find_customer(session, "+15551230002").name == "Ada King"


def test_a_bad_customer_row_names_its_line(sessions):
    with sessions() as session, pytest.raises(ValueError, match="line 3"):
        import_customers_csv(session, io.StringIO("phone,name\n+15551230002,Ada\n0123,Bob\n"))
