"""A database that answers but whose statements do not finish (a table locked by a migration or a long
transaction, a server grinding): the web process's statements are cancelled after
`db.REQUEST_STATEMENT_TIMEOUT_MS`, and callers are greeted and routed before Twilio gives up on the webhook.

PostgreSQL only (TEST_DATABASE_URL): SQLite has no statement timeout and no other server to hold a lock.
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from sqlalchemy import text

from callflow.runtime import Runtime
from callflow.store import db
from callflow.store.customers import import_customers
from tests.e2e.conftest import TUESDAY_MORNING
from tests.faults.test_database_silent import answered_in_time
from tests.integration.web.test_voice import post, spoken
from webapp import create_app

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="needs PostgreSQL (TEST_DATABASE_URL)")


@pytest.fixture
def locked_tables(database_url, sessions):
    """The call log and the customers locked by another transaction (as a migration would), until the end."""
    with sessions() as session:
        import_customers(session, [{"phone": "+15551230002", "name": "Ada Lovelace"}])
    engine = db.make_engine(database_url)
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("LOCK TABLE calls, customers IN ACCESS EXCLUSIVE MODE"))
    yield
    transaction.rollback()
    connection.close()
    engine.dispose()


def test_callers_are_greeted_and_routed_in_time_while_the_tables_they_need_are_locked(settings, locked_tables):
    client = create_app(dataclasses.replace(settings, clock_start=TUESDAY_MORNING)).test_client()
    # A new call finds no copy of the customers' names in Redis and reads the (locked) table: cancelled.
    greeting = answered_in_time(lambda: post(client, "/voice/incoming", CallSid="CA" + "1" * 32))
    assert "Acme Bank" in spoken(greeting) and greeting.find("Gather") is not None  # the menu, not an apology
    assert "Ada Lovelace" not in spoken(greeting)  # the name could not be read: the call went on without it
    # A call whose state was lost asks the (locked) call log whether it ended: cancelled, and the call goes on.
    routed = answered_in_time(lambda: post(client, "/voice/input", CallSid="CA" + "2" * 32, Digits="4"))
    assert "Fraud" in spoken(routed) and "technical problem" not in spoken(routed)


def test_only_web_processes_cancel_long_statements(settings):
    web, worker = Runtime(settings, serves_requests=True), Runtime(settings)
    try:
        with web.sessions() as session:
            assert session.execute(text("SHOW statement_timeout")).scalar() == \
                f"{db.REQUEST_STATEMENT_TIMEOUT_MS // 1000}s"
        with worker.sessions() as session:  # jobs retry and may run long (a report's month, a summary sweep)
            assert session.execute(text("SHOW statement_timeout")).scalar() == "0"
    finally:
        web.engine.dispose()
        worker.engine.dispose()
