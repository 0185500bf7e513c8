"""A newcomer's first commands on a fresh checkout: the embedded database is made ready as `serve` makes it, a
server's database without its schema is named with the command to run, and the demo's calls can be listed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from callflow.cli import main
from callflow.store import db
from callflow.store.summaries import save_summary
from tests.conftest import ROOT

CALLER = "+15551230002"
HISTORY = """text,department,topic
my new card hasn't turned up yet,cards,card_arrival
when will the card you posted arrive,cards,card_arrival
someone took money from my account without asking,fraud,
"""


@pytest.fixture
def fresh(tmp_path, redis_url, redis, monkeypatch):
    """A fresh checkout's environment: no DATABASE_URL (the embedded SQLite default), nothing in `instance/`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CALLFLOW_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("IVR_SCRIPTS", str(ROOT / "ivr_scripts"))
    return tmp_path


def run(*args: str):
    # CALLFLOW_INSTANCE is restored afterwards: `--instance` sets it for the command and what it starts.
    return CliRunner().invoke(main, list(args), env={"CALLFLOW_INSTANCE": None} if "--instance" in args else None)


def test_calls_on_a_fresh_checkout_answers_instead_of_a_traceback(fresh):
    result = run("calls")
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "no call summaries in sqlite:///" in result.output


def test_learned_import_on_a_fresh_checkout_imports(fresh):
    (fresh / "history.csv").write_text(HISTORY)
    result = run("learned", "import", str(fresh / "history.csv"))
    assert result.exit_code == 0, result.output
    assert "imported 3 examples" in result.output
    assert "someone took money from my account" in run("learned", "list").output


def test_a_server_database_without_its_schema_says_to_upgrade_it(fresh, monkeypatch):
    empty = fresh / "server.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{empty}")
    for command in (["calls"], ["agent", "list"], ["learned", "list"]):
        result = run(*command)
        assert result.exit_code == 1, result.output
        assert "has no schema or an older one: run `callflow db upgrade` first" in result.output
        assert "Traceback" not in result.output and "no such table" not in result.output
    assert not empty.exists()  # nothing left behind to confuse the next attempt


def test_the_demo_s_calls_are_listed_with_its_instance_folder(fresh, monkeypatch):
    demo = fresh / "instance" / "demo"  # where `callflow demo` keeps its data
    url = f"sqlite:///{demo / 'callflow.sqlite3'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_factory(engine)() as session:
        save_summary(session, {"call_sid": "CA" + "7" * 32, "caller": CALLER, "name": "Jane Doe",
                               "departments": ["fraud"], "started_at": "2026-12-07T10:00:00+00:00",
                               "outcome": "resolved", "agents": ["bob"]}, datetime.now(UTC))
    engine.dispose()

    listed = run("--instance", "instance/demo", "calls")
    assert listed.exit_code == 0, listed.output
    assert "Jane Doe" in listed.output and "fraud" in listed.output and "bob" in listed.output

    # Without it, the checkout's own (empty) instance is listed, and the demo's is pointed to.
    monkeypatch.delenv("CALLFLOW_INSTANCE")
    plain = run("calls")
    assert "Jane Doe" not in plain.output
    assert "the demo's calls: callflow --instance instance/demo calls" in plain.output
