"""Administrators try phrases with `callflow route` and review what steering learned with `callflow learned`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from callflow.cli import main
from callflow.learning import record_misroute
from tests.conftest import ROOT

SCRIPT = str(ROOT / "ivr_scripts" / "acme_bank.yaml")


def test_route_says_where_a_phrase_goes_and_what_the_caller_hears():
    result = CliRunner().invoke(main, ["route", "--script", SCRIPT, "--json", "I lost my card"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert (answer["decision"], answer["department"], answer["routed_to"]) == ("route", "fraud", "fraud")
    assert "put you through to Fraud and Security" in answer["caller_hears"]


def test_route_reads_phrases_from_standard_input_and_flags_out_of_scope():
    result = CliRunner().invoke(main, ["route", "--script", SCRIPT], input="what's the weather tomorrow\n")
    assert result.exit_code == 0
    assert "unknown" in result.output and "didn't understand" in result.output


@pytest.fixture
def env(settings, sessions, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("IVR_SCRIPTS", str(settings.ivr_scripts))
    return sessions


def test_learned_examples_can_be_listed_and_removed(env, redis):
    with env() as session:
        [example] = record_misroute(session, ["a refund I never authorised"], "fraud", "card_payments", "CA1",
                                    datetime.now(UTC))
    runner = CliRunner()
    listing = runner.invoke(main, ["learned", "list"])
    assert "a refund I never authorised" in listing.output and "was card_payments" in listing.output
    assert runner.invoke(main, ["learned", "remove", str(example.id)]).exit_code == 0
    assert "a refund I never authorised" not in runner.invoke(main, ["learned", "list"]).output
    assert redis.llen("rq:queue:callflow") >= 1  # a retrain was queued for the workers
    assert runner.invoke(main, ["learned", "remove", str(example.id)]).exit_code != 0
