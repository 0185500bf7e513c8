"""Callbacks on the phone: booking one (the toll-fraud guard, another number keyed in and confirmed), and the
callback call itself, where the customer answers and hears who is calling and why: customer-first, they wait
a moment in the room while the agent reserved for them is rung; agent-first, the agent is there already.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow import jobs
from callflow.domain.actions import Gather, Hangup, JoinRoom, LeaveQueue, Pause, Say, Voicemail
from callflow.domain.callback_guard import (
    Policy,
    Refusal,
    Verdict,
    check,
    home_regions,
    policy_for,
    read_back,
    spoken,
    why,
)
from callflow.services.callbacks import callback_call_ended
from callflow.store.callbacks import (
    CallbackState,
    change_phone,
    find_by_call,
    move,
    request_callback,
    requests_since,
)
from webhooks import runtime
from webhooks.agent_voice import room_for
from webhooks.security import twilio_signed
from webhooks.twiml import render, twiml_response
from webhooks.urls import absolute_url

bp = Blueprint("callback_voice", __name__, url_prefix="/voice/callback")
log = logging.getLogger(__name__)
OUTCOMES = {"no-answer": CallbackState.NO_ANSWER, "busy": CallbackState.BUSY, "failed": CallbackState.FAILED,
            "canceled": CallbackState.FAILED}


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """The customer we called must never hear an application error."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("callback webhook %s failed (%s)", request.path, request.args.to_dict())
    if request.path.rsplit("/", 1)[-1] in ("choice", "number", "confirm", "time", "after-hours"):
        return twiml_response(render([Say("I'm sorry, I couldn't book your callback just now. Please call us "
                                          "again in a few minutes. Goodbye."), Hangup()], absolute_url))
    return twiml_response(render([Say("Sorry, we're having a technical problem returning your call. We'll try "
                                      "again shortly."), Hangup()], absolute_url))


@bp.post("/answer")
@twilio_signed
def answer():
    """The customer picked up: say who is calling and why, then bring them to the reserved agent."""
    rt = runtime()
    call_sid, agent, department_id = (request.args.get(k, "") for k in ("call", "agent", "department"))
    info = rt.acd.caller_info(call_sid)
    script = rt.script_for_number(info.line if info else request.form.get("From", ""))
    department = script.departments[department_id]
    if request.form.get("AnsweredBy", "human").startswith("machine"):
        return twiml_response(render([Say(f"Hello, this is {script.company} returning your call about "
                                          f"{department.topic or department.name}. We'll try you again soon."),
                                      Hangup()], absolute_url))
    hello = f"Hello, this is {script.company} returning your call about {department.topic or department.name}."
    agent_first = request.args.get("first") == "agent"
    if agent_first and not _agent_waiting(rt, agent, call_sid):
        # The agent who waited for this customer has hung up: an apology, and the call counts as a failed
        # attempt (the status webhook), so the callback is tried again under the line's retry policy.
        return twiml_response(render([Say(f"{hello} I'm sorry, the adviser who was ready for you has just been "
                                          "called away. We'll call you again shortly. Goodbye."), Hangup()],
                                     absolute_url))
    with rt.sessions() as session:
        callback_id = int(request.args.get("callback", 0))
        move(session, callback_id, CallbackState.CONNECTED, rt.clock.now())
        _adopt_unrecorded_dial(session, callback_id, request.form.get("CallSid", ""))
    rt.acd.mark(call_sid, "in_room")
    if agent_first:  # the agent is in the room already: the customer is through the moment they join
        rt.acd.mark(call_sid, "connected")
        return twiml_response(render([Say(f"{hello} Your adviser is on the line."),
                                      JoinRoom(room_for(call_sid), ends_room=True)], absolute_url))
    rt.jobs.enqueue(jobs.ring_agent, department_id, call_sid, agent)
    from webhooks.hold import music

    tune = music(rt, script, 0).url  # while the agent is rung and hears who they are calling, not silence
    return twiml_response(render([Say(f"{hello} Connecting you now."),
                                  JoinRoom(room_for(call_sid), ends_room=True, music=tune)], absolute_url))


def _agent_waiting(rt, agent: str, call_sid: str) -> bool:
    """Agent-first: whether the agent reserved for this callback is still on the line, waiting in the room."""
    from callflow.store.presence import Presence

    presence = rt.acd.presence.get(agent)
    return presence is not None and presence.state is Presence.ON_CALL and presence.call == call_sid


def _adopt_unrecorded_dial(session, callback_id: int, answered_sid: str) -> None:
    """Twilio placed the call but its answer to us was an error or came too late (a 5xx, a timeout): the call
    that rings and is answered is this claim's, so record it now, or the agent's hang-up could not end it."""
    from callflow.store.callbacks import record_dial
    from callflow.store.models import Callback

    callback = session.get(Callback, callback_id)
    if callback is not None and callback.dial_sid is None and callback.lease_token and answered_sid:
        record_dial(session, callback_id, callback.lease_token, answered_sid)


@bp.post("/status")
@twilio_signed
def status():
    """The callback call ended: done after a conversation; unanswered -> try again later, then give up."""
    call_sid, agent = request.args.get("call", ""), request.args.get("agent", "")
    outcome = OUTCOMES.get(request.form.get("CallStatus", ""))
    if request.form.get("AnsweredBy", "").startswith("machine"):
        outcome = CallbackState.NO_ANSWER
    callback_call_ended(runtime(), int(request.args.get("callback", 0)), call_sid, agent,
                        outcome.value if outcome else None)
    return twiml_response(render([], absolute_url))


# -- booking a callback ---------------------------------------------------------------------------------------
NUMBER_TRIES = 2  # a caller may key another number twice before being offered to hold instead
OTHER_NUMBER_FLAG = "callback-other-number"  # the caller's own number was refused: ask for another
PENDING_FIELD = "callback_number"  # the keyed number, read back and waiting for "press 1"


def policy(rt) -> Policy:
    """The guard's policy from settings; the fictional 555 exchange only when calls go to the local carrier."""
    return policy_for(rt.settings)


def verdict(rt, number: str | None, line: str, caller: str = "") -> Verdict:
    """The guard's answer for a number, counting the callbacks it asked for in the last 24 hours.

    Keyed national numbers are read in the line's country, then in the caller's (a US visitor on a UK line
    keys UK numbers the UK way and their own the American way), with or without 00 or 011 before them.
    """
    from datetime import timedelta

    script = rt.script_for_number(line)
    regions = home_regions(script.numbers if script else (), script.language if script else "", line, caller)
    judged = check(number, policy(rt), 0, regions)
    if not judged.allowed:
        return judged
    with rt.sessions() as session:
        today = requests_since(session, judged.number, rt.clock.now() - timedelta(days=1))
    return check(judged.number, policy(rt), today)


def take_callback(rt, info, department, now: float, holding: bool) -> list:
    """The caller chose a callback: book it on their own number if the guard allows, else offer another way.

    A caller asked before hold can then key a different number; one holding in Twilio's queue (where only
    the wait music's verbs play) is called back on their own number or keeps holding.
    """
    if not holding and rt.acd.has(info.sid, OTHER_NUMBER_FLAG):
        return [ask_number()]
    number = info.caller
    if rt.acd.has(info.sid, "callback"):  # booked already (a repeated request)
        with rt.sessions() as session:
            booked = find_by_call(session, info.sid)
        number = booked.phone if booked else number
    else:
        judged = verdict(rt, info.caller, info.line)
        if not judged.allowed:
            return refused(rt, info.sid, judged.refusal, holding)
        number = judged.number
        book(rt, info, department.id, number, now)
    booked_words = (f"Thank you. We'll call you back on {spoken(number)} when it's your turn, and you keep your "
                    "place in line.")
    if holding:
        return [Say(booked_words + " You can hang up now. Goodbye."), LeaveQueue()]
    return [Say(booked_words), Gather((Say("To be called on a different number, press 2. To choose the time of the "
                                           "call instead, press 3. Otherwise you can hang up now."),),
                                      speech=False, purpose="callback-choice"),
            Say("Goodbye."), Hangup()]


def book(rt, info, department_id: str, number: str, now: float) -> None:
    """Record the callback and keep the caller's place in line (virtual hold)."""
    from datetime import UTC, datetime

    from callflow.store.promises import Promises
    from callflow.store.queues import MemberKind

    with rt.sessions() as session:
        request_callback(session, info.sid, number, info.line, department_id, rt.clock.now(),
                         queued_at=datetime.fromtimestamp(info.entered_at or now, UTC))
    rt.acd.mark(info.sid, "callback")
    rt.acd.queues.join(department_id, info.sid, entered_at=info.entered_at or now, kind=MemberKind.CALLBACK)
    Promises(rt.redis).log(info.sid, "callback-accepted", now)


def refused(rt, sid: str, refusal: Refusal, holding: bool) -> list:
    """Say why we can't call that number back, and what the caller can do instead."""
    if holding:
        return [Say(why(refusal) + " You keep your place in line; please stay on the line."), Pause(1)]
    rt.acd.mark(sid, OTHER_NUMBER_FLAG)  # choosing a callback again now asks for another number
    options = "To be called back on another number, press 2. To keep holding, press 1."
    return [Gather((Say(f"{why(refusal)} {options}"),), speech=False, purpose="hold")]


def ask_number() -> Gather:
    """Ask for the number to call back, keyed in."""
    return Gather((Say("Please key in the number we should call you back on, including the area code, then "
                       "press hash. For a number in another country, key 0 0 and its country code first."),),
                  speech=False, num_digits=None, timeout=5, purpose="callback-number")


def _caller(rt):
    from webhooks.hold import _department

    return _department(rt, request.form.get("CallSid", ""))


@bp.post("/choice")
@twilio_signed
def choice():
    """After booking: 2 = be called on a different number; 3 = at a time of their choosing; else goodbye."""
    if request.form.get("Digits") == "2":
        return twiml_response(render([ask_number()], absolute_url))
    if request.form.get("Digits") == "3":
        return twiml_response(render([ask_time()], absolute_url))
    return twiml_response(render([Say("Goodbye."), Hangup()], absolute_url))


@bp.post("/number")
@twilio_signed
def number():
    """A keyed number: refused with the reason (and another try, or holding), or read back for confirmation."""
    rt = runtime()
    info, _ = _caller(rt)
    judged = verdict(rt, request.form.get("Digits", ""), info.line, info.caller)
    if not judged.allowed:
        if rt.acd.count(info.sid, "callback-number") < NUMBER_TRIES:
            return twiml_response(render([Say(why(judged.refusal)), ask_number()], absolute_url))
        return twiml_response(render([Gather((Say(f"{why(judged.refusal)} To keep holding, press 1."),),
                                             speech=False, purpose="hold")], absolute_url))
    rt.redis.hset(_info_key(info.sid), PENDING_FIELD, judged.number)
    return twiml_response(render([Gather((Say(f"You entered {read_back(judged.number)}. To confirm, press 1. To "
                                              "key it again, press 2."),), speech=False, purpose="callback-confirm"),
                                  ask_number()], absolute_url))


@bp.post("/confirm")
@twilio_signed
def confirm():
    """1 = book the callback on the number read back (checked again); anything else = key it again."""
    rt = runtime()
    info, department = _caller(rt)
    pending = rt.acd.flag(info.sid, PENDING_FIELD)
    if request.form.get("Digits") != "1" or not pending:
        return twiml_response(render([ask_number()], absolute_url))
    now = rt.clock.timestamp()
    if rt.acd.has(info.sid, "callback"):  # booked on their own number first: change the number
        with rt.sessions() as session:
            booked = find_by_call(session, info.sid)
            if booked is None or booked.phone != pending:
                judged = verdict(rt, pending, info.line)
                if not judged.allowed or not change_phone(session, booked.id, judged.number, rt.clock.now()):
                    return twiml_response(render([Say(why(judged.refusal or Refusal.INVALID)), Say("Goodbye."),
                                                  Hangup()], absolute_url))
    else:
        judged = verdict(rt, pending, info.line)
        if not judged.allowed:
            return twiml_response(render([Gather((Say(f"{why(judged.refusal)} To keep holding, press 1."),),
                                                 speech=False, purpose="hold")], absolute_url))
        book(rt, info, department.id, judged.number, now)
    return twiml_response(render([Say(f"Thank you. We'll call you back on {read_back(pending)} when it's your "
                                      "turn, and you keep your place in line. Goodbye."), Hangup()], absolute_url))


def _info_key(sid: str) -> str:
    from callflow.store.acd import CALL_INFO_KEY

    return CALL_INFO_KEY + sid


def ask_time() -> Gather:
    """Ask for the time of the callback, four keys of 24-hour time."""
    return Gather((Say("Please key in the time you'd like us to call you, as four digits in 24-hour time: for "
                       "example 1 5 3 0 for half past three in the afternoon."),),
                  speech=False, num_digits=4, timeout=8, purpose="callback-time")


@bp.post("/after-hours")
@twilio_signed
def after_hours():
    """A closed department's offer: a department open now (its key or its name), 1 = a callback when it opens,
    3 = at a time the caller keys, anything else or silence = a message."""
    from callflow.domain.script import utterances
    from callflow.domain.script.closing import offers_callback
    from callflow.domain.script.hours import next_opening
    from callflow.store.acd import CallerInfo

    rt = runtime()
    sid, digits, now = request.form.get("CallSid", ""), request.form.get("Digits", ""), rt.clock.now()
    words = request.form.get("SpeechResult", "")[:1000]
    elsewhere = _open_department_chosen(rt, sid, digits, words)
    if elsewhere:
        return twiml_response(render(elsewhere, absolute_url))
    digits = digits or utterances.spoken_key(words) or ("1" if utterances.asks_for_callback(words) else "")
    script = rt.script_for_number(request.form.get("To", ""))
    department = script.departments[request.args.get("department", "")]
    opening = next_opening(department.hours, now) if department.hours else now
    if digits not in ("1", "3") or not offers_callback(department, opening):
        return twiml_response(render([Say("Please leave your name and what you need after the tone, and we'll "
                                          "call you back."), Voicemail(department.id, 120)], absolute_url))
    info = CallerInfo(sid, request.form.get("From", ""), request.form.get("To", ""), department.id,
                      entered_at=now.timestamp())
    rt.acd.remember(info)  # the time and number webhooks that may follow find the caller's details
    if digits == "3":
        return twiml_response(render([ask_time()], absolute_url))
    return twiml_response(render(book_at(rt, info, department, opening), absolute_url))


def _open_department_chosen(rt, sid: str, digits: str, words: str) -> list:
    """The actions taking the caller to the department open now they chose, if they chose one: the engine
    decides (the call's state holds the departments offered), as for any other answer in the IVR."""
    from callflow.domain.events import Digits, Speech
    from callflow.domain.script.state import Stage
    from webhooks.voice import _confidence, _engine_step

    stored = rt.live_calls.load(sid) if digits or words else None
    if stored is None or stored.get("stage") != Stage.CLOSED_OFFER.value:
        return []
    return _engine_step(False, Digits(digits) if digits else Speech(words, _confidence(request.form.get(
        "Confidence"))))


@bp.post("/time")
@twilio_signed
def time_chosen():
    """The keyed time: the callback moves there (or is booked for it), or the caller hears why not."""
    from callflow.domain import callback_times

    rt = runtime()
    info, department = _caller(rt)
    script, now = rt.script_for_number(info.line), rt.clock.now()
    chosen = callback_times.choose(department.hours, script.time_zone, request.form.get("Digits", ""), now)
    if chosen.at is None:
        words = callback_times.refusal_words(chosen.refusal, department.hours, now)
        if rt.acd.count(info.sid, "callback-time") < NUMBER_TRIES:
            return twiml_response(render([Say(words), ask_time()], absolute_url))
        if rt.acd.has(info.sid, "callback"):
            return twiml_response(render([Say(f"{words} We'll call you back when it's your turn instead. "
                                              "Goodbye."), Hangup()], absolute_url))
        return twiml_response(render([Say(f"{words} Please call us again when we're open. Goodbye."), Hangup()],
                                     absolute_url))
    return twiml_response(render(book_at(rt, info, department, chosen.at), absolute_url))


def book_at(rt, info, department, at) -> list:
    """A callback at a set time: booked (or moved out of line to it), on the caller's own or confirmed number.

    Out of line until then: at its time a worker's timer puts it back at its original place (jobs.callback_due).
    """
    from callflow.domain import callback_times
    from callflow.store.callback_timer import CallbackTimer
    from callflow.store.promises import Promises

    now = rt.clock.now()
    with rt.sessions() as session:
        booked = find_by_call(session, info.sid)
        if booked is None:
            judged = verdict(rt, info.caller, info.line)
            if not judged.allowed:
                return [Say(f"{why(judged.refusal)} Please call us again when we're open. Goodbye."), Hangup()]
            booked = request_callback(session, info.sid, judged.number, info.line, department.id, now, due_at=at,
                                      queued_at=at)
        elif not move(session, booked.id, CallbackState.SCHEDULED, now, only_from=CallbackState.REQUESTED,
                      due_at=at):
            return [Say("An adviser is free now, so we're calling you back straight away. Goodbye."), Hangup()]
        callback_id, number = booked.id, booked.phone
    rt.acd.queues.leave(department.id, info.sid)
    rt.acd.mark(info.sid, "callback")
    CallbackTimer(rt.redis, rt.clock).book(callback_id, at)
    Promises(rt.redis).log(info.sid, "callback-accepted", now.timestamp(), due=at.isoformat())
    when = callback_times.spoken_time(at, now)
    return [Say(f"Thank you. We'll call you back on {spoken(number)} {when}. You can hang up now. Goodbye."),
            Hangup()]
