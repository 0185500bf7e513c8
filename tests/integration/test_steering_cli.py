"""Administrators try phrases with `callflow route` and review what steering learned with `callflow learned`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from callflow.cli import main
from callflow.store.learning import record_misroute
from tests.conftest import ROOT

SCRIPT = str(ROOT / "ivr_scripts" / "acme_bank.yaml")


def test_route_says_where_a_phrase_goes_and_what_the_caller_hears(env):
    result = CliRunner().invoke(main, ["route", "--script", SCRIPT, "--json", "I lost my card"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert (answer["decision"], answer["department"], answer["routed_to"]) == ("route", "fraud", "fraud")
    assert "put you through to Fraud and Security" in answer["caller_hears"]


def test_route_reads_phrases_from_standard_input_and_flags_out_of_scope(env):
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


HISTORY = """text,department,topic
my new card hasn't turned up yet,cards,card_arrival
when will the card you posted arrive,cards,card_arrival
the card still has not been delivered,cards,card_arrival
someone took money from my account without asking,fraud,
"a payment I don't recognise, what do I do",fraud,unrecognised_payment
"""


def test_labelled_history_is_imported_with_its_reason_codes_and_steering_learns_them(env, redis, tmp_path):
    from callflow.domain.script.library import ScriptLibrary
    from callflow.domain.steering.training import router_for_script
    from callflow.store.learning import training_pairs

    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["learned", "import", str(history)])
    assert result.exit_code == 0, result.output
    assert "imported 5 examples" in result.output
    assert redis.llen("rq:queue:callflow") >= 1  # the routers are retrained by the workers
    listing = runner.invoke(main, ["learned", "list"]).output
    assert "cards/card_arrival" in listing and "(imported): when will the card you posted arrive" in listing
    with env() as session:
        pairs = training_pairs(session)
    assert ("someone took money from my account without asking", "fraud", None) in pairs
    assert ("the card still has not been delivered", "cards/card_arrival", None) in pairs
    library = ScriptLibrary(ROOT / "ivr_scripts")
    library.reload()
    script = next(s for s in library.current.values() if "cards" in s.departments)
    router = router_for_script(script, pairs, kind="tfidf")
    assert {"cards/card_arrival", "fraud/unrecognised_payment"} <= set(router.classes)
    assert router.rank("my card hasn't arrived yet")[0][0] == "cards"


def test_a_wrong_history_file_imports_nothing_and_says_which_line_and_field(env, redis, tmp_path):
    history = tmp_path / "history.csv"
    history.write_text("text,department\nmy card was stolen,fraud\nI want a mortgage,mortgages\n,cards\n",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["learned", "import", str(history)])
    assert result.exit_code != 0
    assert f"{history}:3: department: 'mortgages' is not a department" in result.output
    assert f"{history}:4: text: empty" in result.output
    assert "nothing imported" in result.output
    assert "my card was stolen" not in CliRunner().invoke(main, ["learned", "list"]).output
    no_header = tmp_path / "words.csv"
    no_header.write_text("words,dept\nmy card was stolen,fraud\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["learned", "import", str(no_header)])
    assert result.exit_code != 0 and f"{no_header}:1: text: missing column" in result.output


def test_history_in_several_languages_keeps_each_rows_language_and_refuses_a_wrong_tag(env, redis, tmp_path):
    from callflow.store.learning import training_pairs

    history = tmp_path / "historial.csv"
    history.write_text("text,department,language\nme robaron la cartera,fraud,es-MX\nmy card was stolen,fraud,\n",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["learned", "import", str(history)])
    assert result.exit_code == 0, result.output
    with env() as session:
        assert sorted(training_pairs(session)) == [("me robaron la cartera", "fraud", "es-MX"),
                                                   ("my card was stolen", "fraud", None)]
    assert "(imported) [es-MX]: me robaron la cartera" in CliRunner().invoke(main, ["learned", "list"]).output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("text,department,language\nperdí mi tarjeta,fraud,Spanish\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["learned", "import", str(wrong)])
    assert result.exit_code != 0 and f"{wrong}:2: language: 'Spanish' is not a language tag" in result.output
