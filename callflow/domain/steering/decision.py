"""What call steering concluded about a caller's words: the contract between the router and the engine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SteeringKind(str, Enum):
    """What the dialogue should do with the router's answer."""

    ROUTE = "route"  # confident: put the caller through and say where
    CONFIRM = "confirm"  # torn between two departments: ask one short question naming both
    UNKNOWN = "unknown"  # not understood or out of scope: ask again with examples, then keypad and a person


@dataclass(frozen=True)
class SteeringDecision:
    """The router's best department for an utterance, how sure it is, and the runner-up."""

    kind: SteeringKind
    department: str | None
    confidence: float
    alternative: str | None = None
