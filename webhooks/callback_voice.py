"""The callback call: the customer who chose to be called back answers (customer-first), hears who is calling
and why, and waits a moment in the room while the agent reserved for them is rung.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow import jobs
from callflow.actions import Hangup, JoinRoom, Say
from callflow.callbacks import CallbackState, move
from callflow.presence import Presence
from webhooks import runtime
from webhooks.agent_voice import _departments, room_for
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
    with rt.sessions() as session:
        move(session, int(request.args.get("callback", 0)), CallbackState.CONNECTED, rt.clock.now())
    rt.acd.mark(call_sid, "in_room")
    rt.jobs.enqueue(jobs.ring_agent, department_id, call_sid, agent)
    greeting = (f"Hello, this is {script.company} returning your call about {department.topic or department.name}. "
                "Connecting you now.")
    return twiml_response(render([Say(greeting), JoinRoom(room_for(call_sid), ends_room=True)], absolute_url))


@bp.post("/status")
@twilio_signed
def status():
    """The callback call ended: done after a conversation; unanswered -> try again later, then give up."""
    rt = runtime()
    call_sid, agent = request.args.get("call", ""), request.args.get("agent", "")
    callback_id, now = int(request.args.get("callback", 0)), rt.clock.now()
    outcome = OUTCOMES.get(request.form.get("CallStatus", ""))
    if request.form.get("AnsweredBy", "").startswith("machine"):
        outcome = CallbackState.NO_ANSWER
    with rt.sessions() as session:
        if outcome is None:
            move(session, callback_id, CallbackState.DONE, now)
            rt.acd.callback_closed(call_sid)
            return twiml_response(render([], absolute_url))
        move(session, callback_id, outcome, now)
        from callflow.models import Callback

        attempts = session.get(Callback, callback_id).attempts
    # The agent reserved for this callback did nothing wrong: they are free for the next caller.
    presence = rt.acd.presence.get(agent)
    if presence is not None and presence.state is Presence.OFFERED and presence.call == call_sid:
        rt.acd.set_presence(agent, Presence.AVAILABLE, _departments(agent), rt.clock.timestamp())
        rt.jobs.enqueue(jobs.distribute, _departments(agent))
    if attempts <= len(jobs.CALLBACK_RETRY_SECONDS):
        rt.schedule(jobs.CALLBACK_RETRY_SECONDS[attempts - 1], jobs.retry_callback, call_sid)
    else:
        rt.jobs.enqueue(jobs.give_up_callback, callback_id)
    return twiml_response(render([], absolute_url))
