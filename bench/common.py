"""What every benchmark here needs: an empty database with the current schema, a free port, percentiles, and
how fast the machine is today."""

from __future__ import annotations

import socket
import time


def fresh_database(url: str) -> None:
    """Create the benchmark's database if missing (PostgreSQL), then drop every table and upgrade from scratch."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from callflow.settings import Settings
    from callflow.store import db
    from callflow.store.models import Base

    url = Settings(database_url=url).effective_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                      {"d": parsed.database}).scalar():
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    engine = db.make_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    db.upgrade(url)


def copy_customer_names(env: dict) -> None:
    """What a worker does once after a start: copy the customers' names into Redis (job copy_customer_names).
    Until it has, every new call reads its own number's row from the database, which is how a fresh start
    with no worker runs, not how a line runs."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", "from callflow import jobs; jobs.copy_customer_names()"], env=env,
                   check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine_speed() -> float:
    """Seconds ten million additions take in Python on one core (best of three): the project machines' speed
    drifts, 0.88 to 1.40 s within an hour on one of them, and a run's figures compare only with runs of a like
    reading."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best
