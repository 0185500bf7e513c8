"""What a caller who says a phrase would hear: the router's decision played through the script's engine.

Administrators try phrases before callers do (`callflow route`, the admin steering page); both ask here, so
the answer is the one the IVR itself would give on a call, not a second guess of it. The confirmation question
is tried the same way (`confirmation_outcome`: where a caller's answer to it puts them through, for the
confirmations benchmark and its test). Here, beside the engine, not in `steering/`: the engine takes the
router's decisions, so the router's package never imports the engine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from callflow.domain.actions import Gather, OfferCallback, RouteToDepartment, Say
from callflow.domain.events import CallStarted, Speech
from callflow.domain.script import engine
from callflow.domain.script.state import CallState, Stage


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


def confirmation_outcome(script, first: str, second: str, answer: str, steer, now) -> str:
    """Where a caller's spoken answer to "is this about <first>, or about <second>?" put them through.

    The department chosen (before any closed-hours handover), 'ask' (asked again in a few words) or 'keypad'
    (the keypad fallback).
    """
    asked = CallState(script.version, language=script.language, menu=script.main_menu, stage=Stage.CONFIRM,
                      choices=(first, second), confirmation_asked=True)
    state = engine.handle(script, asked, Speech(answer, 0.9), now, steer).state
    if state.keypad_only:
        return "keypad"
    for entry in state.path:  # the department chosen comes before a closed department's handover
        if entry == "operator":
            return script.operator
        if entry.startswith(("confirmed:", "confirm:new-reason:", "closed:", "department:")):
            return entry.rpartition(":")[2]
    return "ask" if state.department is None else state.department


def expected_outcome(script, first: str, second: str, expected: str) -> str:
    """A labelled answer's expectation ('first', 'second', 'person', 'route:<id>', 'ask') as `confirmation_outcome`
    reports it."""
    named = {"first": first, "second": second, "person": script.operator}
    return named.get(expected, expected.removeprefix("route:"))
