"""Finer labels ("department/topic") count for their department; the router kind is chosen by a setting."""

from __future__ import annotations

import pytest

from callflow.domain.steering.decision import SteeringKind
from callflow.domain.steering.router import Router, department_of, training_set
from callflow.domain.steering.training import ROUTER_SETTING, router_kind

EXAMPLES = {
    "cards/activate": ["I need to activate my card", "how do I turn on my new card", "activate card"],
    "cards/pin": ["how do I change my PIN", "I forgot my PIN number", "reset my pin"],
    "fraud": ["my card was stolen", "someone took my card", "there's a payment I don't recognise"],
}
BACKGROUND = ["what's the weather tomorrow", "set an alarm for seven", "tell me a joke"]


def test_topics_add_up_into_their_department():
    router = Router.train(EXAMPLES, background=BACKGROUND)
    assert router.departments == ["cards", "fraud"]
    ranked = router.rank("I forgot my PIN")
    assert ranked[0][0] == "cards"
    assert 0.0 <= sum(score for _, score in ranked) <= 1.0 + 1e-9
    decision = router.steer("I forgot my PIN")
    assert decision.department == "cards" and decision.kind is not SteeringKind.UNKNOWN
    loaded = Router.from_bytes(router.to_bytes())
    assert loaded.departments == router.departments
    assert loaded.steer_many(["reset my pin", "my card was stolen"]) == router.steer_many(
        ["reset my pin", "my card was stolen"]
    )


def test_a_topics_mapping_is_the_same_as_topic_keys():
    by_key = Router.train(EXAMPLES, background=BACKGROUND)
    plain = {"cards": EXAMPLES["cards/activate"] + EXAMPLES["cards/pin"], "fraud": EXAMPLES["fraud"]}
    topics = {t: "activate" for t in EXAMPLES["cards/activate"]} | {t: "pin" for t in EXAMPLES["cards/pin"]}
    by_mapping = Router.train(plain, background=BACKGROUND, topics=topics)
    assert by_mapping.classes == by_key.classes
    mapped, keyed = by_mapping.rank("reset my pin"), by_key.rank("reset my pin")
    assert [d for d, _ in mapped] == [d for d, _ in keyed]
    assert [p for _, p in mapped] == pytest.approx([p for _, p in keyed])


def test_training_labels_keep_departments_without_topics():
    texts, labels = training_set({"cards": ["lost PIN"]}, background=["hello"], topics={"other": "x"})
    assert (texts, labels) == (["lost PIN", "hello"], ["cards", "__out_of_scope__"])
    assert department_of("cards/pin") == "cards" and department_of("cards") == "cards"


@pytest.mark.parametrize("key", ["__out_of_scope__", "__out_of_scope__/x", "/pin"])
def test_reserved_or_empty_departments_are_refused(key):
    with pytest.raises(ValueError):
        Router.train({key: ["hello there"], "cards": ["lost my card"]}, background=BACKGROUND)


def test_an_unknown_router_kind_is_refused():
    with pytest.raises(ValueError, match="unknown router kind"):
        Router.train(EXAMPLES, background=BACKGROUND, kind="magic")


def test_the_router_kind_comes_from_the_setting(monkeypatch):
    monkeypatch.delenv(ROUTER_SETTING, raising=False)
    assert router_kind() == "tfidf"
    monkeypatch.setenv(ROUTER_SETTING, " Embeddings ")
    assert router_kind() == "embeddings"
