"""Handing a caller to a department: put them through when it is open, or follow its when-closed rule.

A closed department says so and when it opens, then hands over to another department (checked the same way)
or offers what can still be done on this call: the departments open now (the fraud line for a lost card, at
night), a callback when it opens or at a time the caller keys, a message. A caller who is on the line is
never told to ring back, and is hung up on only when nothing at all is left to offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callflow.domain.actions import Action, Hangup, OfferCallback, RouteToDepartment, Say, Voicemail
from callflow.domain.script.hours import describe_opening, is_open, next_opening
from callflow.domain.script.model import ClosedAction, Department, Script

# Keys of the departments open now, in the closed department's offer: 1 and 3 are the callback's (at opening,
# at a chosen time), anything else or silence leaves a message; three open departments at most, so the offer
# stays short enough to remember.
OPEN_KEYS = ("4", "5", "6")


@dataclass(frozen=True)
class Handover:
    """Where a call went and what the caller heard on the way."""

    department: str
    outcome: str  # routed, callback_offered, voicemail, closed
    actions: tuple[Action, ...]
    path: tuple[str, ...]
    offered: tuple[str, ...] = ()  # open departments offered instead of a closed one, in the order of OPEN_KEYS


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
        when = describe_opening(opening, now, department.hours.time_zone, language)
        closed.append(say(script.message("opens", when=when)))
    offered = open_departments(script, now, tried)
    return _closed(script, department, tuple(closed), opening, offered, reason, path, say)


def open_departments(script: Script, now: datetime, closed: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """The departments a caller can reach right now instead of the `closed` ones, in script order (at most
    as many as OPEN_KEYS): at night, the lines that answer around the clock."""
    open_now = [d.id for d in script.departments.values()
                if d.id not in closed and (d.hours is None or is_open(d.hours, now))]
    return tuple(open_now[: len(OPEN_KEYS)])


def offer_keys(offered: tuple[str, ...]) -> dict[str, str]:
    """Which key reaches which offered open department."""
    return dict(zip(OPEN_KEYS, offered, strict=False))


def offers_callback(department: Department, opening: datetime | None) -> bool:
    """Whether a closed department offers a callback: when it opens again, unless it only takes messages."""
    return opening is not None and department.when_closed.action != ClosedAction.VOICEMAIL


def _closed(
    script: Script,
    department: Department,
    closed: tuple[Say, ...],
    opening: datetime | None,
    offered: tuple[str, ...],
    reason: str,
    path: tuple[str, ...],
    say,
) -> Handover:
    action = department.when_closed.action
    callback = offers_callback(department, opening)
    if action == ClosedAction.VOICEMAIL and not offered:
        return Handover(
            department.id,
            "voicemail",
            closed + (say(script.message("voicemail")), Voicemail(department.id)),
            path + ("voicemail",),
        )
    if not callback and not offered:  # it never opens again and nothing else is open: nothing to offer
        return Handover(
            department.id,
            "closed",
            closed + (say(script.message("goodbye")), Hangup()),
            path + ("closed-message",),
        )
    prompts = [say(_sentence(script.message("open_now", department=script.departments[d].name, key=key,
                                            topic=script.departments[d].topic or script.departments[d].name)))
               for key, d in offer_keys(offered).items()]
    if callback:
        prompts += [say(script.message("callback")), say(script.message("callback_choices"))]
    prompts.append(say(script.message("message_choice")))
    at = opening.isoformat() if opening else None
    hints = tuple(w for d in offered for w in (script.departments[d].name, script.departments[d].topic) if w)
    offer = OfferCallback(department.id, department.queue, at, reason, prompts=tuple(prompts), open_now=offered,
                          hints=hints, callback=callback)
    outcome = "callback_offered" if callback else "voicemail"
    return Handover(department.id, outcome, closed + (offer,),
                    path + (f"closed-offer:{'|'.join(offered) or '-'}", outcome.replace("_", "-")), offered)


def _sentence(text: str) -> str:
    """A sentence that starts with a department's name starts with a capital ("The Nurse Line is open now")."""
    return text[:1].upper() + text[1:]
