"""Pseudo-topics: big departments split into clusters the router learns, small ones left whole."""

from __future__ import annotations

import numpy as np
import pytest

from callflow.domain.steering.labels import OUT_OF_SCOPE, department_of
from callflow.domain.steering.neighbours import NearestExamples
from callflow.domain.steering.policy import FINE_POLICY, SteeringPolicy
from callflow.domain.steering.router import Router
from callflow.domain.steering.subtopics import MARK, PER_TOPIC, pseudo_topics

BACKGROUND = ["what's the weather tomorrow", "set an alarm for seven", "tell me a joke"]


def _many(department: str, stems: list[str], n: int) -> list[str]:
    return [f"{stems[i % len(stems)]} {department} {i}" for i in range(n)]


def _examples() -> dict[str, list[str]]:
    return {
        "cards": _many("card", ["my new card has not arrived", "how do I change my pin"], 3 * PER_TOPIC),
        "fees": ["why was I charged a fee", "what does a transfer cost", "is there a fee for cash"],
    }


def test_big_departments_get_pseudo_topics_and_small_ones_stay_whole():
    router = Router.train(_examples(), background=BACKGROUND)
    topics = [c for c in router.classes if c.startswith("cards/")]
    assert len(topics) == 3 and all(c.startswith(f"cards/{MARK}") for c in topics)
    assert "fees" in router.classes and OUT_OF_SCOPE in router.classes
    assert router.departments == ["cards", "fees"] and router.policy == FINE_POLICY
    assert router.steer("my card has not arrived").department == "cards"


def test_pseudo_topics_are_deterministic_and_can_be_turned_off():
    first, second = (
        Router.train(_examples(), background=BACKGROUND),
        Router.train(_examples(), background=BACKGROUND),
    )
    assert first.classes == second.classes and first.version == second.version
    assert first.rank("a fee for my card") == second.rank("a fee for my card")
    plain = Router.train(_examples(), background=BACKGROUND, subtopics=False)
    assert (
        sorted(plain.classes) == sorted(["cards", "fees", OUT_OF_SCOPE]) and plain.policy == SteeringPolicy()
    )


def test_labels_with_topics_or_too_few_phrases_are_left_alone():
    labels = ["cards/pin"] * (3 * PER_TOPIC) + ["fees"] * PER_TOPIC + [OUT_OF_SCOPE] * (3 * PER_TOPIC)
    matrix = np.random.default_rng(0).random((len(labels), 20))
    assert pseudo_topics(matrix, labels) == labels


def test_a_two_model_router_survives_bytes_and_answers_alike_one_by_one_and_in_a_batch():
    router = Router.train(_examples(), background=BACKGROUND)
    loaded = Router.from_bytes(router.to_bytes())
    utterances = ["my new card has not arrived", "why was I charged a fee", "tell me a joke", "zzz", ""] * 3
    assert loaded.steer_many(utterances) == router.steer_many(utterances)
    one_by_one = [router.rank(u) for u in utterances[:5]]
    batched = router.rank_many(utterances)[:5]  # more than the fast path's limit: scikit-learn's transform
    for single, batch in zip(one_by_one, batched, strict=True):
        assert [d for d, _ in single] == [d for d, _ in batch]
        assert [p for _, p in single] == pytest.approx([p for _, p in batch], abs=1e-6)
    assert all(department_of(c) in ("cards", "fees", OUT_OF_SCOPE) for c in loaded.classes)


def test_nearest_examples_favour_the_closest_department_and_sum_to_one():
    vectors = np.eye(4, dtype=np.float32)[[0, 0, 1, 2, 3]]  # two examples of "a", one each of the rest
    neighbours = NearestExamples.of(
        vectors, ["a", "a", "b", "c", OUT_OF_SCOPE], ["a", "b", "c", OUT_OF_SCOPE]
    )
    probabilities = neighbours.probabilities(np.eye(4, dtype=np.float32)[[1, 3]])
    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert list(probabilities.argmax(axis=1)) == [1, 3]
    reloaded = NearestExamples(neighbours.vectors, neighbours.columns, neighbours.n_columns)
    assert reloaded.probabilities(vectors) == pytest.approx(neighbours.probabilities(vectors))
