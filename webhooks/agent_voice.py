"""The agent's leg of a call: the whisper when they answer, and what happens when they hang up or don't answer.

Agents are rung by a worker (`jobs.ring_agent`) through the REST API; these are the webhooks of that call.
Caller and agent meet in a conference named after the caller's call, which also leaves room for transfers.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from callflow import jobs
from callflow.domain.actions import Hangup, JoinRoom, Redirect, Say
from callflow.store.acd import CALL_INFO_KEY
from callflow.store.agents import find_agent
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from callflow.store.wait_stats import WaitStats
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import render, twiml_response
from webhooks.urls import absolute_url

bp = Blueprint("agent_voice", __name__, url_prefix="/voice/agent")
log = logging.getLogger(__name__)
UNANSWERED = ("busy", "no-answer", "failed", "canceled")


def room_for(caller_sid: str) -> str:
    """The conference where an agent and a caller meet."""
    return f"call-{caller_sid}"


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """An agent must hear why a call could not be connected, never an application error."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("agent webhook %s failed (%s)", request.path, request.args.to_dict())
    return twiml_response(render([Say("Sorry, this call could not be connected. You will be offered the next "
                                      "caller."), Hangup()], absolute_url))


def _departments(login: str) -> list[str]:
    with runtime().sessions() as session:
        agent = find_agent(session, login)
        return agent.department_list() if agent else []


def who(info) -> str:
    """The caller as the agent hears them: their name if we know it, else their number digit by digit."""
    return info.name or " ".join(info.caller.lstrip("+"))


def whisper(info, department_name: str, now: float) -> str:
    """What the agent hears before the caller joins: who, what about, how long they waited."""
    waited = max(0, round((now - info.entered_at) / 60))
    text = f"{department_name} call from {who(info)}. "
    text += f"Waited {waited} minute{'s' if waited != 1 else ''}. " if waited else "No wait. "
    if info.said:
        text += f"They said: {info.said[-1]}."
    return text


def callback_whisper(info, department_name: str) -> str:
    """Agent-first: what the agent hears before we ring the customer they are calling back."""
    text = f"Callback to {who(info)}, for {department_name}. "
    if info.said:
        text += f"They said: {info.said[-1]}. "
    return text + "We're calling them now. Please stay on the line."


@bp.post("/answer")
@twilio_signed
def answer():
    """The agent picked up: whisper, then join the conference while a worker brings the caller in."""
    rt = runtime()
    caller_sid, login = request.args.get("caller", ""), request.args.get("agent", "")
    now = rt.clock.timestamp()
    info = rt.acd.caller_info(caller_sid)
    if info is None:
        departments = _departments(login)
        rt.acd.set_presence(login, Presence.AVAILABLE, departments, now)
        rt.jobs.enqueue(jobs.distribute, departments)
        return twiml_response(render([Say("Sorry, that caller has already hung up."), Hangup()], absolute_url))
    rt.acd.set_presence(login, Presence.ON_CALL, _departments(login), now, call=caller_sid)
    Promises(rt.redis).log(caller_sid, "agent-answered", now, agent=login, waited=round(now - info.entered_at))
    script = rt.script_for_number(info.line)
    department = script.departments.get(info.department) if script else None
    name = department.name if department else info.department
    warm_from = rt.acd.flag(caller_sid, "warm_from")
    if warm_from:  # the caller is already in the room with the agent who transferred them
        heard = Say(f"Transfer from {warm_from}. " + whisper(info, name, now))
        rt.acd.mark(caller_sid, "connected")
    elif rt.acd.has(caller_sid, "in_room"):  # a callback: the customer answered and waits in the room
        heard = Say("Callback. " + whisper(info, name, now))
        rt.acd.mark(caller_sid, "connected")
    elif rt.acd.has(caller_sid, "callback"):  # agent-first callback: the customer is dialled now
        heard = Say(callback_whisper(info, name))
        rt.redis.hset(CALL_INFO_KEY + caller_sid, "agent_leg", request.form.get("CallSid", ""))
        rt.jobs.enqueue(jobs.place_callback, info.department, caller_sid, login)
    else:  # the caller keeps hearing hold music until the whisper is over, then joins an agent who is there
        query = (("caller", caller_sid), ("agent", login))
        return twiml_response(render([Say(whisper(info, name, now)), Redirect("agent_voice.ready", query)],
                                     absolute_url))
    # The caller's leg ends the room; an agent leaving (after a warm transfer, say) does not.
    return twiml_response(render([heard, JoinRoom(room_for(caller_sid), ends_room=False)], absolute_url))


@bp.post("/ready")
@twilio_signed
def ready():
    """The agent has heard the whisper: bring the caller in from the hold music and join them in the room (the
    caller waiting alone in a silent room through the whisper would think they were cut off)."""
    caller_sid = request.args.get("caller", "")
    runtime().jobs.enqueue(jobs.connect_caller, caller_sid, room_for(caller_sid))
    return twiml_response(render([JoinRoom(room_for(caller_sid), ends_room=False)], absolute_url))


@bp.post("/callback-unanswered")
@twilio_signed
def callback_unanswered():
    """Agent-first: the customer the agent waited for did not answer; say what happens next and end the call."""
    retry = request.args.get("retry", "")
    minutes = max(1, round(int(retry) / 60)) if retry.isdigit() else 0
    then = f"We'll try them again in {minutes} minute{'s' if minutes != 1 else ''}." if minutes \
        else "That was our last try: we'll send them a text message."
    return twiml_response(render([Say(f"The customer didn't answer. {then} You'll be offered the next caller."),
                                  Hangup()], absolute_url))


@bp.post("/status")
@twilio_signed
def status():
    """The agent's call ended: unanswered -> away and the caller keeps their place; answered -> wrap-up."""
    rt = runtime()
    caller_sid, login = request.args.get("caller", ""), request.args.get("agent", "")
    department = request.args.get("department", "")
    now = rt.clock.timestamp()
    presence = rt.acd.presence.get(login)
    departments = _departments(login)
    if request.form.get("CallStatus") in UNANSWERED or (presence and presence.state is Presence.OFFERED):
        rt.acd.presence.set(login, Presence.AWAY, now, departments)
        if rt.acd.caller_info(caller_sid) is not None and not rt.acd.is_connected(caller_sid):
            rt.acd.back_in_line(department, caller_sid, entered_at=now)
        rt.jobs.enqueue(jobs.distribute, [department])
    elif presence and presence.state is Presence.ON_CALL and presence.call == caller_sid \
            and rt.acd.has(caller_sid, "callback") and not rt.acd.is_connected(caller_sid):
        # Agent-first: the customer never came on the line (no answer, or the agent gave up waiting). Nothing
        # was said, so no wrap-up: the agent is free at once; the callback's own status decides what is next.
        rt.acd.set_presence(login, Presence.AVAILABLE, departments, now)
        rt.jobs.enqueue(jobs.distribute, departments)
    elif presence and presence.state is Presence.ON_CALL and presence.call == caller_sid:
        rt.acd.presence.set(login, Presence.WRAP_UP, now, departments, call=caller_sid)
        duration = request.form.get("CallDuration", "0")
        Promises(rt.redis).log(caller_sid, "agent-left", now, agent=login,
                               duration=int(duration) if duration.isdigit() else 0)
        info = rt.acd.caller_info(caller_sid)
        if info is not None and info.department == department and rt.acd.is_connected(caller_sid):
            # The agent hung up and nobody took the caller over: the survey if the line asks it, else hang up.
            rt.jobs.enqueue(jobs.after_agent_left, caller_sid)
        script = rt.script_for_number(request.form.get("From", ""))
        wrap_up = 30
        if script and department in script.departments:
            wrap_up = script.departments[department].wrap_up_seconds
        rt.schedule(wrap_up, jobs.end_wrap_up, login, now)
        try:  # the call's handle time for wait estimates: talk since the agent answered, plus the set wrap-up
            WaitStats(rt.redis).handled(department, now - presence.since + wrap_up)
        except Exception:
            log.exception("handle time of %s not counted", caller_sid)
    return twiml_response(VoiceResponse())
