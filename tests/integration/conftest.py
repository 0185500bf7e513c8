"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from callflow.cli import main


@pytest.fixture
def run(settings, sessions, monkeypatch):
    """`callflow ARGS...` as an operator types it, against the test Redis, database and scripts."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("IVR_SCRIPTS", str(settings.ivr_scripts))
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(main, list(args), catch_exceptions=False, **kw)
