"""A call's IVR step: each Twilio request becomes an engine event, the engine's step is stored, and a caller
who needs a department is put in its line (`holding.route_caller`).

A replayed or late request of a call that has ended changes nothing; an administrator's test call runs a
draft and leaves no trace; a call whose state was lost starts again and takes the input as its first answer.
"""

from __future__ import annotations

import logging
from functools import partial

from callflow.domain import draft_calls
from callflow.domain.actions import Hangup, RouteToDepartment
from callflow.domain.events import CallStarted, Digits, Speech
from callflow.domain.script import engine
from callflow.domain.script.own_words import say, voiced
from callflow.domain.script.state import CallState, Stage
from callflow.domain.script.translated import in_language
from callflow.services import holding, metrics, queued
from callflow.services.callers import call_finished
from callflow.store import customers
from callflow.store.caller_memory import CallerMemory

log = logging.getLogger(__name__)


def step(rt, sid: str, start: bool, event, caller: str, called: str, draft: str | None = None) -> list:
    """Run one engine step for this request's call, store the call's new state, and return its actions."""
    now = rt.clock.now()
    # The call's state, whether it is a test call and whether it ended, in one round trip.
    stored, test_call, ended = (None, False, False) if start else rt.live_calls.turn(sid, draft_calls.MARK)
    script = None if stored is None else rt.script_version(stored["script_version"])
    draft = draft if start else None
    if draft:  # an administrator's test call (signed like every request): the draft, and no trace of it
        return _test_call_start(rt, sid, draft, now, caller, called)
    if stored is not None and test_call:
        moved = engine.handle(script, CallState.from_dict(stored), event, now, steer=rt.steer_for(script))
        rt.live_calls.save(sid, moved.state.to_dict())
        return draft_calls.stand_ins(list(moved.actions), script)
    if not start and (ended or (stored is None and call_finished(rt, sid))):
        # A replayed or late request (a Gather's answer after the call ended): the call is over; it must not
        # start again, take a place in line or write the call log twice.
        log.warning("call %s: a request after the call ended, ignored", sid)
        return [Hangup()]
    if script is None:
        script = rt.script_for_number(called)
        if script is None:
            raise LookupError(f"no IVR script answers {called} and there is no default line")
        name, last, language = _known(rt, sid, caller, now)
        steer = rt.steer_for(script)
        moved = engine.start(script, CallStarted(caller, called, name, last, language), now, steer=steer)
        if start:
            metrics.call_started(called)
        else:  # the call's state was lost: take this input as the answer to the first question
            moved = engine.handle(script, moved.state, event, now, steer=steer)
        metrics.ivr_stepped(moved.state.path)
    else:
        before = CallState.from_dict(stored)
        moved = engine.handle(script, before, event, now, steer=rt.steer_for(script))
        metrics.ivr_stepped(moved.state.path[len(before.path):])
    routed = moved.state.department if any(isinstance(a, RouteToDepartment) for a in moved.actions) else None
    saved = None
    if routed is None:
        rt.live_calls.save(sid, moved.state.to_dict())
    else:  # saved with the caller's place in line, and the department this number reached, in one round trip
        saved = partial(rt.live_calls.save_on, call_sid=sid, state=moved.state.to_dict(),
                        reached=(caller, routed, now.timestamp()))
    actions = []
    for action in moved.actions:
        if isinstance(action, RouteToDepartment):
            actions.extend(holding.route_caller(rt, sid, action, moved.state, now, script, caller, called,
                                                also=saved))
        else:
            actions.append(action)
    return actions


def _test_call_start(rt, sid: str, draft: str, now, caller: str, called: str) -> list:
    """Start a test call on a draft version: we rang the tester (the request's To) from the line (its From)."""
    script = rt.script_version(draft)
    if script is None:
        raise LookupError(f"test call {sid}: no script version {draft}")
    rt.acd.mark(sid, draft_calls.MARK)
    started = engine.start(script, CallStarted(called, caller, None, None), now, steer=rt.steer_for(script))
    rt.live_calls.save(sid, started.state.to_dict())
    return draft_calls.stand_ins(list(started.actions), script)


def _known(rt, sid: str, caller: str, now) -> tuple[str | None, str | None, str | None]:
    """The caller's name and language, if a known customer, and the department their number reached today,
    from Redis in one round trip: a new call writes nothing to the database (a worker writes its record when it ends,
    `summaries.close_call`). Only when the names' copy in Redis is incomplete is the database read: this
    number's row, while a worker copies the table again (`store/caller_memory.py`)."""
    memory = CallerMemory(rt.redis)
    name, last, complete, language = memory.recall(caller, now.timestamp())
    if complete:
        return name, last, language
    if memory.ask_for_copy():  # a whole table is a worker's to read, not a waiting caller's
        queued.enqueue(rt, "copy_customer_names")
    try:
        with rt.sessions() as session:
            found = customers.find_customer(session, caller)
        return (found.name if found else None), last, (found.language if found else None)
    except Exception:  # the database is down: the call goes on without personalisation
        log.exception("call %s: could not read the known customers", sid)
        return None, last, None


def copy_customer_names(rt) -> int:
    """Copy every known customer's name into Redis (`store/caller_memory.py`), so new calls greet them by name
    without the database; how many were copied."""
    with rt.sessions() as session:
        names, languages = customers.all_names(session), customers.all_languages(session)
    CallerMemory(rt.redis).learn_names(names, languages)
    return len(names)


def speech_confidence(value: str | None) -> float:
    """Twilio's recognition confidence, 0 when missing or garbled."""
    try:
        return min(max(float(value or 0.0), 0.0), 1.0)
    except ValueError:
        return 0.0


def open_department_chosen(rt, sid: str, digits: str, words: str, confidence: str | None, caller: str,
                           called: str) -> list:
    """At a closed department's offer, the actions taking the caller to the department open now they chose, if
    they chose one: the engine decides (the call's state holds the departments offered), as for any other answer
    in the IVR."""
    stored = rt.live_calls.load(sid) if digits or words else None
    if stored is None or stored.get("stage") != Stage.CLOSED_OFFER.value:
        return []
    return step(rt, sid, False, Digits(digits) if digits else Speech(words, speech_confidence(confidence)), caller, called)


def message_left(rt, sid: str, called: str) -> list:
    """A caller recorded a message (after hours, or instead of holding on): thank them in the language the
    call was answered in, and end the call. Without the call's state (Redis lost it, or is down), in the
    line's own language: a caller must hear thanks, not an error."""
    script = rt.script_for_number(called)
    try:
        stored = rt.live_calls.load(sid)
    except Exception:
        log.exception("call %s: its language could not be read; thanked in the line's own", sid)
        stored = None
    if script is not None:
        script = in_language(script, (stored or {}).get("language") or script.language)
    return [voiced(script, say(script, "voicemail_thanks")), Hangup()]


def transferred(rt, sid: str, department_id: str, called: str) -> list:
    """A cold transfer: tell the caller where they are going and hold them in that department's queue."""
    info = rt.acd.caller_info(sid)
    script = rt.script_for_number(info.line if info else called)
    if info is not None and info.language:  # in the caller's language, as everything else they hear
        script = in_language(script, info.language)
    department = script.departments[department_id]
    actions = [voiced(script, script.message("hold_transferring", department=department.name)),
               RouteToDepartment(department.id, department.queue, reason="transfer")]
    holding.offer_now(rt, department.id, rt.clock.timestamp())
    return actions
