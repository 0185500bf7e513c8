"""The thresholds that decide between routing, one confirmation question and asking again."""

from __future__ import annotations

import pytest

from callflow.domain.steering.decision import SteeringDecision, SteeringKind
from callflow.domain.steering.policy import SteeringPolicy

POLICY = SteeringPolicy(unknown_below=0.25, route_at=0.9)


@pytest.mark.parametrize(
    ("ranked", "out_of_scope", "expected"),
    [
        ([("cards", 0.95), ("fraud", 0.03)], 0.02, SteeringDecision(SteeringKind.ROUTE, "cards", 0.95)),
        (
            [("cards", 0.6), ("fraud", 0.35)],
            0.05,
            SteeringDecision(SteeringKind.CONFIRM, "cards", 0.6, "fraud"),
        ),
        ([("cards", 0.2), ("fraud", 0.1)], 0.1, SteeringDecision(SteeringKind.UNKNOWN, None, 0.2)),
        # The out-of-scope class winning is never routed, however the departments compare.
        ([("cards", 0.4), ("fraud", 0.1)], 0.5, SteeringDecision(SteeringKind.UNKNOWN, None, 0.4)),
        ([("cards", 0.5)], 0.0, SteeringDecision(SteeringKind.ROUTE, "cards", 0.5)),
        ([], 1.0, SteeringDecision(SteeringKind.UNKNOWN, None, 0.0)),
    ],
)
def test_policy_decides_from_scores(ranked, out_of_scope, expected):
    assert POLICY.decide(ranked, out_of_scope) == expected


@pytest.mark.parametrize(("unknown_below", "route_at"), [(0.5, 0.4), (-0.1, 0.5), (0.2, 1.5)])
def test_inconsistent_thresholds_are_refused(unknown_below, route_at):
    with pytest.raises(ValueError):
        SteeringPolicy(unknown_below, route_at)
