"""Handing a caller to a department: put them through when it is open, or follow its when-closed rule.

A closed department says so and when it opens, then takes a message, offers a callback, ends the
call politely, or hands over to another department (which is checked the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callflow.actions import Action, Hangup, OfferCallback, RouteToDepartment, Say, Voicemail
from callflow.script.hours import describe_opening, is_open, next_opening
from callflow.script.model import ClosedAction, Department, Script


@dataclass(frozen=True)
class Handover:
    """Where a call went and what the caller heard on the way."""

    department: str
    outcome: str  # routed, callback_offered, voicemail, closed
    actions: tuple[Action, ...]
    path: tuple[str, ...]


def route_to(
    script: Script, department_id: str, now: datetime, reason: str, language: str, announce: bool = True
) -> Handover:
    """Send the caller to a department, honouring its hours."""

    def say(text: str) -> Say:
        return Say(text, voice=script.voice, language=language)

    tried: list[str] = []
    department = script.departments[department_id]
    while True:
        tried.append(department.id)
        if department.hours is None or is_open(department.hours, now):
            lead = (say(script.message("route", department=department.name)),) if announce else ()
            return Handover(
                department.id,
                "routed",
                lead + (RouteToDepartment(department.id, department.queue, reason),),
                tuple(f"closed:{d}" for d in tried[:-1]) + (f"department:{department.id}",),
            )
        rule = department.when_closed
        target = rule.department
        if rule.action == ClosedAction.DEPARTMENT and target in script.departments and target not in tried:
            department = script.departments[target]
            announce = True
            continue
        break
    path = tuple(f"closed:{d}" for d in tried)
    opening = next_opening(department.hours, now)
    closed = [say(rule.message or script.message("closed", department=department.name))]
    if opening is not None and not rule.message:
        when = describe_opening(opening, now, department.hours.time_zone)
        closed.append(say(script.message("opens", when=when)))
    return _closed(script, department, rule.action, tuple(closed), opening, reason, path, say)


def _closed(
    script: Script,
    department: Department,
    action: ClosedAction,
    closed: tuple[Say, ...],
    opening: datetime | None,
    reason: str,
    path: tuple[str, ...],
    say,
) -> Handover:
    if action == ClosedAction.CALLBACK:
        at = opening.isoformat() if opening else None
        offer = OfferCallback(department.id, department.queue, at, reason)
        return Handover(
            department.id,
            "callback_offered",
            closed + (say(script.message("callback")), offer),
            path + ("callback-offered",),
        )
    if action == ClosedAction.VOICEMAIL:
        return Handover(
            department.id,
            "voicemail",
            closed + (say(script.message("voicemail")), Voicemail(department.id)),
            path + ("voicemail",),
        )
    return Handover(
        department.id,
        "closed",
        closed + (say(script.message("goodbye")), Hangup()),
        path + ("closed-message",),
    )
