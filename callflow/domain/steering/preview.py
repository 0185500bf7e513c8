"""What a caller who says a phrase would hear: the router's decision played through the script's engine.

Administrators try phrases before callers do (`callflow route`, the admin steering page); both ask here, so
the answer is the one the IVR itself would give on a call, not a second guess of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True)
class Preview:
    utterance: str
    decision: str  # "route", "confirm" or "unknown"
    department: str | None
    confidence: float
    alternative: str | None
    routed_to: str | None  # where the IVR sends the caller at once, if anywhere
    caller_hears: str

    def as_dict(self) -> dict:
        return asdict(self)


def preview(script, steer, text: str, now: datetime) -> Preview:
    """Play one utterance at the script's first menu and collect what the caller hears next."""
    from callflow.domain.actions import Gather, OfferCallback, RouteToDepartment, Say
    from callflow.domain.events import CallStarted, Speech
    from callflow.domain.script import engine

    decision = steer(text)
    start = engine.start(script, CallStarted("+10000000000", "+10000000001"), now, steer=steer)
    step = engine.handle(script, start.state, Speech(text, 0.9), now, steer=steer)
    heard = []
    for action in step.actions:
        if isinstance(action, Say):
            heard.append(action.text)
        elif isinstance(action, (Gather, OfferCallback)):  # a closed department's offer is heard too
            heard.extend(p.text for p in action.prompts if isinstance(p, Say))
    routed = next((a.department for a in step.actions if isinstance(a, RouteToDepartment)), None)
    return Preview(text, decision.kind.value, decision.department, round(decision.confidence, 3),
                   decision.alternative, routed, " ".join(heard))
