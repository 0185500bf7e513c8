"""Test calls: an administrator rings a draft script to hear it, and nothing in it reaches a real caller's path.

A test call runs the draft's menus exactly as a caller would meet them, but where a real call would join a
department's queue, ring an outside number or leave a message, the test call says what would happen and ends:
no agent is offered a test caller, no queue or estimate counts one, no summary or call log records one.
"""

from __future__ import annotations

from callflow.domain.actions import Dial, Hangup, OfferCallback, RouteToDepartment, Say, Voicemail
from callflow.domain.script.model import Script

MARK = "test-call"  # the ACD flag a test call carries for its life


def stand_ins(actions: list, script: Script) -> list:
    """The actions of an engine step with every way out of the IVR replaced by words saying where it leads."""
    out = []
    for action in actions:
        if isinstance(action, RouteToDepartment):
            department = script.departments.get(action.department)
            name = department.name if department is not None else action.department
            return out + _end(f"a caller would now be put through to {name}.")
        if isinstance(action, Dial):
            return out + _end(f"a caller would now be connected to {' '.join(action.number.lstrip('+'))}.")
        if isinstance(action, Voicemail):
            return out + _end("a caller would now be asked to leave a message.")
        if isinstance(action, OfferCallback):
            return out + _end("a caller would now be offered a callback.")
        out.append(action)
    return out


def _end(what: str) -> list:
    return [Say(f"This is a test call, so it ends here: {what}"), Hangup()]
