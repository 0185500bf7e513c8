"""Answers to "Is this about X, or about Y?" in people's words, and words after the keypad fallback.

The labelled answers are bench/data/confirmation_answers*.csv (`bench/confirmations.py` reports them as a
table); here the engine answers each with the line's own TF-IDF router, as a call would.
"""

from __future__ import annotations

import csv

import pytest

from callflow.domain.actions import Gather, RouteToDepartment, Say
from callflow.domain.events import Digits, Speech
from callflow.domain.script import utterances
from callflow.domain.script.engine import handle, start
from callflow.domain.script.loader import load_script
from callflow.domain.script.preview import confirmation_outcome, expected_outcome
from callflow.domain.steering.training import router_for_script
from tests.conftest import ROOT

from .conftest import OPEN, SCRIPTS, keyword_steer
from .test_engine import CALL

DATA = ROOT / "bench" / "data"
FEES_OR_SERVICE = (("Fees and Exchange", "a fee or exchange rate"), ("Customer Service", "something else"))


def answers(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def lines():
    """Each sample line with its own router, trained from its script's phrases."""
    scripts = {name: load_script(SCRIPTS / name) for name in ("acme_bank.yaml", "riverside_clinic.yaml")}
    return {name: (script, router_for_script(script, kind="tfidf")) for name, script in scripts.items()}


@pytest.mark.parametrize("row", answers("confirmation_answers.csv"), ids=lambda r: r["answer"])
def test_every_answer_written_for_the_bank_puts_the_caller_where_they_meant(lines, row):
    script, router = lines["acme_bank.yaml"]
    got = confirmation_outcome(script, row["first"], row["second"], row["answer"], router.steer, OPEN)
    assert got == expected_outcome(script, row["first"], row["second"], row["expected"])


def test_answers_written_after_the_code_for_the_clinic_are_understood(lines):
    script, router = lines["riverside_clinic.yaml"]
    rows = answers("confirmation_answers_clinic.csv")
    right = [confirmation_outcome(script, r["first"], r["second"], r["answer"], router.steer, OPEN)
             == expected_outcome(script, r["first"], r["second"], r["expected"]) for r in rows]
    assert sum(right) / len(right) >= 0.95
    # Only a fresh reason may miss (the router may not know it); yes, no, ordinals and names never do.
    assert all(ok for ok, r in zip(right, rows, strict=True) if r["kind"] != "fresh")


@pytest.mark.parametrize(("answer", "picked"), [
    ("yes", 0), ("Yeah.", 0), ("yep", 0), ("the first one", 0), ("the fee", 0), ("the exchange rate", 0),
    ("no", 1), ("nope", 1), ("the second", 1), ("the other one", 1), ("customer service", 1),
    ("no, something else", 1), ("neither", utterances.NEITHER), ("none of those", utterances.NEITHER),
    ("my card isn't working", None), ("hmm, both really", None), ("", None),
])
def test_short_answers_pick_a_choice(answer, picked):
    assert utterances.choice(answer, FEES_OR_SERVICE) == picked


def spoken(step) -> str:
    texts = []
    for action in step.actions:
        prompts = action.prompts if isinstance(action, Gather) else (action,)
        texts += [p.text for p in prompts if isinstance(p, Say)]
    return " ".join(texts)


def play(script, *events, steer=keyword_steer):
    step = start(script, CALL, OPEN, steer)
    for event in events:
        step = handle(script, step.state, event, OPEN, steer)
    return step


def routed_to(step) -> str | None:
    return next((a.department for a in step.actions if isinstance(a, RouteToDepartment)), None)


def test_neither_asks_for_the_reason_again_and_steers_it(bank):
    asked = play(bank, Speech("refund for a transfer"), Speech("neither of them"))
    assert spoken(asked).startswith("Sorry about that. In a few words, tell me what you're calling about.")
    assert asked.actions[-1].speech and not asked.state.keypad_only
    assert routed_to(play(bank, Speech("refund for a transfer"), Speech("neither"), Speech("my PIN"))) == "cards"


def test_a_fresh_reason_to_the_confirmation_is_steered_again(bank):
    step = play(bank, Speech("refund for a transfer"), Speech("no, I forgot my passcode"))
    assert routed_to(step) == "account" and "confirm:new-reason:account" in step.state.path


# -- after the keypad fallback (bank's main menu: "In a few words, tell me ... Or choose from these options.")
def fallen_back(bank, *then, steer=keyword_steer):
    return play(bank, Speech("the weather"), Speech("is it raining"), *then, steer=steer)


def test_the_keypad_fallback_invites_keys_and_numbers_said_not_free_words(bank):
    step = fallen_back(bank)
    assert step.state.keypad_only
    assert "press or say the number" in spoken(step) and "In a few words" not in spoken(step)
    gather = step.actions[-1]
    assert gather.dtmf and gather.speech and {"one", "agent"} <= set(gather.hints)


@pytest.mark.parametrize(("words", "department"), [
    (["four"], "fraud"),  # a spoken key
    (["transfers and top-ups", "topping up your account"], "top_ups"),  # options by their labels
    (["agent"], "general"),  # a person
    (["I want to report a stolen card"], "fraud"),  # a reason steering is sure of
])
def test_after_the_keypad_fallback_words_still_choose(bank, words, department):
    assert routed_to(fallen_back(bank, *map(Speech, words))) == department


def test_after_the_keypad_fallback_other_words_are_a_wrong_option_then_the_safe_route(bank):
    once = fallen_back(bank, Speech("blah blah"))
    assert "isn't one of the options" in spoken(once) and once.state.keypad_only
    gave_up = fallen_back(bank, *[Speech("blah blah")] * 3)
    assert routed_to(gave_up) == bank.safe_route and "safe-route:invalid" in gave_up.state.path
    assert routed_to(fallen_back(bank, Speech("blah blah"), Digits("4"))) == "fraud"
