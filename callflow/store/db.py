"""The database engine and sessions, and schema upgrades through Alembic.

The caller owns the session: one per webhook request, one per RQ job.
"""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 2  # libpq's least; a healthy server, even far away, connects in milliseconds
TCP_USER_TIMEOUT_MS = 5000
UNREACHABLE_PAUSE_SECONDS = 5.0  # after a failed connection, how long a process leaves the database alone
# A web process's statements: a statement blocked behind a lock (a migration, a long report's transaction) or
# a database grinding must cost a caller seconds, not Twilio's 15 s and its application error. The longest
# statement a page sends, the month's report by quarter hours, takes about 0.6 s in PostgreSQL.
REQUEST_STATEMENT_TIMEOUT_MS = 2000


def make_engine(url: str, statement_timeout_ms: int | None = None) -> Engine:
    """An engine for `url`; SQLite gets a busy timeout and WAL so web and worker processes can share it. On
    PostgreSQL, `statement_timeout_ms` cancels every statement that runs longer (web processes set it,
    `REQUEST_STATEMENT_TIMEOUT_MS`; workers and commands, whose jobs retry, do not)."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # A database that does not answer (its host gone, a failover under way) must cost a webhook seconds, not
    # the minutes of the system's TCP timeouts: Twilio plays its application error after 15 s. The connect
    # timeout bounds a new connection; tcp_user_timeout, a pooled one whose peer vanished (the pre-ping).
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "tcp_user_timeout": TCP_USER_TIMEOUT_MS} \
        if url.startswith("postgresql") else {}
    if connect_args and statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=connect_args)
    event.listen(engine, "do_connect", Unreachable(UNREACHABLE_PAUSE_SECONDS).connect)
    return engine


class Unreachable:
    """Once a connection to the database has failed, the process stops trying for a few seconds. Otherwise,
    all through an outage, every webhook would spend the connect timeout again (silence the caller hears,
    and soon every gunicorn thread waiting on it), and a database coming back would meet every thread at
    once. What needed the database meanwhile goes on without it, as when it refuses (RQ jobs retry)."""

    def __init__(self, pause: float):
        self.pause, self.until = pause, 0.0

    def connect(self, dialect, _record, cargs, cparams):
        """SQLAlchemy's do_connect: a new DBAPI connection, or at once the error that stands for the outage."""
        error = dialect.loaded_dbapi.OperationalError
        if time.monotonic() < self.until:
            raise error(f"the database was unreachable less than {self.pause:g} s ago; not tried again yet")
        try:
            return dialect.connect(*cargs, **cparams)
        except error:
            self.until = time.monotonic() + self.pause
            raise


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine` that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for our migrations folder, pointed at `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    make_engine(url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(url), revision)


def behind(url: str) -> bool:
    """Whether the schema at `url` lacks migrations (or is absent), read without creating anything."""
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return True  # connecting would leave an empty database file behind
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads()) != heads
    finally:
        engine.dispose()
