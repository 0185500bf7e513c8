"""Measure a router the way callers would feel it: right department, questions asked, strangers turned away.

Pure measurement over texts the caller passes in; loading data sets and choosing configurations belongs to
`bench/routing_eval.py`. Accuracy is about the router's best department (what it would say if forced);
the shares are about what the caller actually hears once `SteeringPolicy` has decided.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import f1_score

from callflow.domain.steering.decision import SteeringKind
from callflow.domain.steering.ranking import BaseRouter


@dataclass(frozen=True)
class InScopeScores:
    """How a router did on utterances that belong to a department."""

    strict_accuracy: float  # best department == the department in departments.json
    lenient_accuracy: float  # best department is one of the defensible ones (departments_acceptable.json)
    macro_f1: float
    routed_right: float  # routed at once, to the right department
    routed_wrong: float  # routed at once, to a wrong department: the bounced caller
    confirmed: float  # one confirmation question asked
    confirmed_right: float  # ... and the right department was one of the two offered
    unknown: float  # asked to say it again


@dataclass(frozen=True)
class OutOfScopeScores:
    """What a router did with requests no department handles."""

    unknown: float  # asked again: the right answer
    confirmed: float  # asked to choose between two departments that cannot help
    routed: float  # sent straight to a department that cannot help


def in_scope(
    router: BaseRouter,
    texts: Sequence[str],
    departments: Sequence[str],
    acceptable: Sequence[frozenset[str]] | None = None,
) -> InScopeScores:
    """Score utterances labelled with their department (and optionally every acceptable department)."""
    if acceptable is None:
        acceptable = [frozenset([d]) for d in departments]
    best = [ranked[0][0] for ranked in router.rank_many(texts)]
    decisions = router.steer_many(texts)
    truth = np.array(departments)
    strict = np.array(best) == truth
    lenient = np.array([b in ok for b, ok in zip(best, acceptable, strict=True)])
    kinds = np.array([d.kind.value for d in decisions])
    route = kinds == SteeringKind.ROUTE.value
    confirm = kinds == SteeringKind.CONFIRM.value
    offered_right = np.array(
        [t in (d.department, d.alternative) for t, d in zip(truth, decisions, strict=True)]
    )
    sent_right = np.array([d.department == t for t, d in zip(truth, decisions, strict=True)])
    return InScopeScores(
        strict_accuracy=float(strict.mean()),
        lenient_accuracy=float(lenient.mean()),
        macro_f1=float(
            f1_score(truth, best, labels=sorted(set(departments)), average="macro", zero_division=0)
        ),
        routed_right=float((route & sent_right).mean()),
        routed_wrong=float((route & ~sent_right).mean()),
        confirmed=float(confirm.mean()),
        confirmed_right=float((confirm & offered_right).mean()),
        unknown=float((kinds == SteeringKind.UNKNOWN.value).mean()),
    )


def out_of_scope(router: BaseRouter, texts: Sequence[str]) -> OutOfScopeScores:
    """Score requests that belong to no department."""
    kinds = [d.kind for d in router.steer_many(texts)]
    n = max(len(kinds), 1)
    return OutOfScopeScores(
        unknown=kinds.count(SteeringKind.UNKNOWN) / n,
        confirmed=kinds.count(SteeringKind.CONFIRM) / n,
        routed=kinds.count(SteeringKind.ROUTE) / n,
    )


def latency_ms(
    steer: Callable[[str], object], texts: Sequence[str], clock=time.perf_counter
) -> tuple[float, float]:
    """p50 and p99 milliseconds for one utterance at a time, as a webhook would call it."""
    for text in texts[:20]:  # warm caches and lazy imports before timing
        steer(text)
    samples = []
    for text in texts:
        start = clock()
        steer(text)
        samples.append((clock() - start) * 1000.0)
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 99))
