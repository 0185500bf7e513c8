"""The database goes away while calls go on: callers are still greeted, routed and held, and every call's
summary is written once the database is back (RQ retries the close with backoff), exactly once.

PostgreSQL only: the test makes its own database (`cf_faults`) unavailable the way an outage looks to the
app (existing connections terminated, new ones refused: ALLOW_CONNECTIONS false), never the shared `test`
database. Skipped when no PostgreSQL answers on 127.0.0.1:5432 (as user postgres, or PGUSER/PGHOST).
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from callflow.carrier import Caller, press
from callflow.store import db
from callflow.store.contact_events import events_of
from callflow.store.models import Call, Summary
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

ADMIN_URL = os.environ.get("CALLFLOW_FAULTS_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASE = "cf_faults"


class Outage:
    """Our own PostgreSQL database, which the test can take away and give back."""

    def __init__(self):
        self.admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        self.url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE

    def create(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {DATABASE} ALLOW_CONNECTIONS true")) \
                if self._exists(connection) else connection.execute(text(f"CREATE DATABASE {DATABASE}"))
        engine = db.make_engine(self.url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        db.upgrade(self.url)

    def _exists(self, connection) -> bool:
        return connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}).first()

    def begin(self) -> None:
        """The database is gone: connections cut, new ones refused."""
        with self.admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {DATABASE} ALLOW_CONNECTIONS false"))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": DATABASE})

    def end(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {DATABASE} ALLOW_CONNECTIONS true"))


@pytest.fixture
def outage():
    try:
        outage = Outage()
        with outage.admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:  # no PostgreSQL here: the embedded default has no outage to simulate
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}: {error}")
    outage.create()
    yield outage
    outage.end()
    outage.admin.dispose()


@pytest.fixture
def fault_settings(settings, redis_server, outage):
    from tests.e2e.conftest import RATE, TUESDAY_MORNING
    from tests.faults.conftest import FALLBACK

    return dataclasses.replace(settings, redis_url=redis_server.url, database_url=outage.url,
                               fallback_number=FALLBACK, clock_rate=RATE, clock_start=TUESDAY_MORNING)


def test_calls_flow_while_the_database_is_down_and_every_summary_is_written_once_it_is_back(centre, outage):
    sessions = db.session_factory(create_engine(outage.url))  # the test's own eyes: no pause after a failure
    centre.start_worker()
    outage.begin()
    calls = [centre.carrier.place_call(from_=f"{CALLER[:-1]}{n}", to=LINE,
                                       caller=Caller([press("4"), press("1", expect="hold")], patience=120))
             for n in range(2)]
    for call in calls:
        call.wait(timeout=60)
        assert not call.entries("application-error")
        assert call.entries("enqueued") and "Fraud and Security" in call.heard_text()  # routed and held
    with sessions() as session, pytest.raises(OperationalError):  # nothing could be written meanwhile
        session.get(Call, calls[0].sid)
    outage.end()

    def summaries():
        with sessions() as session:
            return [session.get(Summary, call.sid) for call in calls]

    written = wait_for(lambda: all(summaries()) and summaries(), timeout=60,
                       what="both summaries, retried after the outage")
    for call, summary in zip(calls, written, strict=True):
        assert summary.caller == call.from_ and summary.department == "fraud"
    with sessions() as session:
        assert session.query(Summary).count() == 2
        assert session.get(Call, calls[0].sid).ended_at is not None
        # The event log came with the summaries, once: each caller entered, queued for Fraud, gave up, ended.
        for call in calls:
            kinds = [e["kind"] for e in events_of(session, call.sid)]
            assert kinds.count("entered-line") == kinds.count("queued") == kinds.count("contact-ended") == 1
            assert kinds.count("abandoned") == 1 and kinds.index("queued") < kinds.index("abandoned")
