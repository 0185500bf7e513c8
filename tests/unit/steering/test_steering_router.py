"""What a caller notices about call steering: where they are sent, when they are asked, when turned away."""

from __future__ import annotations

import pytest

from callflow.domain.steering.decision import SteeringKind
from callflow.domain.steering.router import Router
from callflow.domain.steering.training import train_from_script

# DEPARTMENTS.md: lost_or_stolen_card belongs to Fraud & Security (the 24/7 block-and-investigate line),
# declined_card_payment to Card Payments & Disputes, card_swallowed to Cash & ATM, *_charge to Fees.
ROUTED = [
    ("I lost my card", "fraud"),
    ("my card payment was declined", "card_payments"),
    ("someone has stolen my card", "fraud"),
    ("the cash machine swallowed my card", "cash_atm"),
    ("my new card still hasn't arrived", "cards"),
    ("I sent money to my brother and he hasn't got it", "payments"),
    ("I topped up but the money isn't in my account", "top_ups"),
    ("why did you charge me a fee for taking out cash", "fees"),
    ("I need to change my address", "account"),
]

OUT_OF_SCOPE = [
    "what's the weather tomorrow",
    "set an alarm for seven",
    "tell me a joke",
    "book a table for two at an italian restaurant",
    "how many calories are in a banana",
]


@pytest.mark.parametrize("router_name", ["script_router", "history_router"])
@pytest.mark.parametrize(("utterance", "department"), ROUTED)
def test_clear_requests_are_routed_to_the_right_department(request, router_name, utterance, department):
    decision = request.getfixturevalue(router_name).steer(utterance)
    assert (decision.kind, decision.department) == (SteeringKind.ROUTE, department)
    assert decision.confidence >= 0.9


@pytest.mark.parametrize("router_name", ["script_router", "history_router"])
@pytest.mark.parametrize("utterance", OUT_OF_SCOPE)
def test_requests_no_department_handles_are_not_understood(request, router_name, utterance):
    decision = request.getfixturevalue(router_name).steer(utterance)
    assert decision.kind is SteeringKind.UNKNOWN
    assert decision.department is None


@pytest.mark.parametrize(
    ("utterance", "pair"),
    [
        ("there's a problem with my card", {"cards", "fraud"}),
        ("something went wrong with my money", {"card_payments", "payments"}),
    ],
)
def test_an_ambiguous_request_is_confirmed_between_two_departments(script_router, utterance, pair):
    decision = script_router.steer(utterance)
    assert decision.kind is SteeringKind.CONFIRM
    assert {decision.department, decision.alternative} == pair


def test_rank_lists_every_department_best_first(script_router):
    ranked = script_router.rank("my card payment was declined")
    assert ranked[0][0] == "card_payments"
    assert sorted(d for d, _ in ranked) == sorted(script_router.departments)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True) and 0.0 <= sum(scores) <= 1.0 + 1e-9


def test_the_same_training_data_gives_the_same_router(acme_script, script_router):
    again = train_from_script(acme_script)
    utterances = [u for u, _ in ROUTED] + OUT_OF_SCOPE + ["there's a problem with my card"]
    assert again.version == script_router.version
    assert again.steer_many(utterances) == script_router.steer_many(utterances)


def test_a_router_survives_a_round_trip_through_bytes(script_router):
    loaded = Router.from_bytes(script_router.to_bytes())
    utterances = [u for u, _ in ROUTED] + OUT_OF_SCOPE
    assert loaded.version == script_router.version
    assert loaded.policy == script_router.policy
    assert loaded.steer_many(utterances) == script_router.steer_many(utterances)


def test_bytes_from_elsewhere_are_refused():
    with pytest.raises(ValueError, match="not a callflow router"):
        Router.from_bytes(b"\x80\x04not a router")


def test_one_utterance_and_a_batch_get_the_same_answers(history_router):
    utterances = [u for u, _ in ROUTED] + OUT_OF_SCOPE + ["", "zzz", "there's a problem with my card"]
    one_by_one = [history_router.steer(u) for u in utterances]
    batched = history_router.steer_many(utterances * 3)[: len(utterances)]  # long enough for the batch path
    assert [(d.kind, d.department, d.alternative) for d in one_by_one] == [
        (d.kind, d.department, d.alternative) for d in batched
    ]
    assert [d.confidence for d in one_by_one] == pytest.approx([d.confidence for d in batched], abs=1e-9)


def test_a_learned_example_changes_the_decision(acme_script, script_router):
    utterance = "I'm moving house"
    assert script_router.steer(utterance).department != "account"
    taught = train_from_script(acme_script, learned=[(utterance, "account")])
    assert taught.steer(utterance).department == "account"
    assert taught.version != script_router.version
