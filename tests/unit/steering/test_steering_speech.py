"""A new line steers spoken requests from its script alone (issue 23): fillers, stories, the script's own words."""

from __future__ import annotations

import pytest

from callflow.domain.script.loader import load_script as load_script_model
from callflow.domain.steering.decision import SteeringKind
from callflow.domain.steering.speech import normalise, pieces
from callflow.domain.steering.training import examples_from_model, router_for_script, steering_examples

from .conftest import SCRIPT


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("um so yeah my card was declined", "my card was declined"),
        ("hiya um I lost uh my card you know", "I lost my card"),
        ("right so basically I need a new card", "I need a new card"),
        ("um", "um"),  # nothing else was said: the words are kept, the router decides
    ],
)
def test_fillers_and_empty_openers_are_not_steered_on(said, meant):
    assert normalise(said) == meant


def test_a_story_is_read_clause_by_clause_and_the_reason_at_the_end_is_among_them():
    said = "so I was away last week visiting my sister and we went out for dinner and then the cash machine kept my card"
    found = pieces(said)
    assert found[0] == normalise(said)
    assert any(piece.endswith("the cash machine kept my card") and "sister" not in piece for piece in found)
    assert len(found) <= 6


def test_a_plain_request_is_one_piece():
    assert pieces("my transfer hasn't arrived") == ["my transfer hasn't arrived"]


@pytest.mark.parametrize(
    ("said", "department"),
    [
        (
            ("okay so this is a bit of a long story but I've been with you for a few years now and never had any "
            "trouble but the ATM swallowed my card"),
            "cash_atm",
        ),
        (("yes hello I'm calling because I'm a bit confused about something that happened yesterday and "
         "I think my card was stolen"), "fraud"),
        ("um so yeah I'm still waiting for a refund", "card_payments"),
    ],
)
def test_spoken_requests_from_the_script_alone_reach_the_right_department(script_router, said, department):
    decision = script_router.steer(said)
    assert decision.kind != SteeringKind.UNKNOWN
    assert department in (decision.department, decision.alternative)


def test_strangers_with_a_story_are_still_not_routed(script_router):
    decision = script_router.steer("so um I was away last week and basically what's the weather tomorrow in Paris")
    assert decision.kind == SteeringKind.UNKNOWN


def test_the_router_also_learns_department_names_topics_and_menu_labels(acme_script):
    examples = steering_examples(acme_script)
    assert "Cash and ATMs" in examples["cash_atm"]
    assert "a cash machine" in examples["cash_atm"]  # the department's topic
    assert "cash machines and withdrawals" in examples["cash_atm"]  # the menu option leading there
    # A submenu's label spans several departments: nobody learns it.
    assert not any("transfers and top-ups" in p for phrases in examples.values() for p in phrases)


def test_the_loaded_script_model_gives_the_same_words_as_the_mapping(acme_script):
    model = load_script_model(SCRIPT)
    assert examples_from_model(model) == steering_examples(acme_script)


def test_a_department_named_by_its_menu_label_alone_is_understood():
    router = router_for_script(load_script_model(SCRIPT), kind="tfidf")
    decision = router.steer("fees and exchange rates")
    assert (decision.kind, decision.department) == (SteeringKind.ROUTE, "fees")
