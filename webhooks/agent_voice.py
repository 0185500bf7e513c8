"""The agent's leg of a call: the whisper when they answer, and what happens when they hang up or don't answer.

Agents are rung by a worker (`jobs.ring_agent`) through the REST API; these are the webhooks of that call.
Caller and agent meet in a conference named after the caller's call, which also leaves room for transfers.
The use cases are in `callflow/services/agents.py`.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow.domain.actions import Hangup, Say
from callflow.services import agents
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import twiml_answer

bp = Blueprint("agent_voice", __name__, url_prefix="/voice/agent")
log = logging.getLogger(__name__)


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """An agent must hear why a call could not be connected, never an application error."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("agent webhook %s failed (%s)", request.path, request.args.to_dict())
    return twiml_answer([Say("Sorry, this call could not be connected. You will be offered the next caller."),
                         Hangup()])


@bp.post("/answer")
@twilio_signed
def answer():
    """The agent picked up: whisper, then join the conference while a worker brings the caller in."""
    actions = agents.agent_answered(runtime(), request.args.get("caller", ""), request.args.get("agent", ""),
                                    request.form.get("CallSid", ""))
    return twiml_answer(actions)


@bp.post("/ready")
@twilio_signed
def ready():
    """The agent has heard the whisper: bring the caller in from the hold music and join them in the room (the
    caller waiting alone in a silent room through the whisper would think they were cut off)."""
    return twiml_answer(agents.agent_ready(runtime(), request.args.get("caller", "")))


@bp.post("/callback-unanswered")
@twilio_signed
def callback_unanswered():
    """Agent-first: the customer the agent waited for did not answer; say what happens next and end the call."""
    retry = request.args.get("retry", "")
    minutes = max(1, round(int(retry) / 60)) if retry.isdigit() else 0
    then = f"We'll try them again in {minutes} minute{'s' if minutes != 1 else ''}." if minutes \
        else "That was our last try: we'll send them a text message."
    return twiml_answer([Say(f"The customer didn't answer. {then} You'll be offered the next caller."), Hangup()])


@bp.post("/status")
@twilio_signed
def status():
    """The agent's call ended: unanswered -> away and the caller keeps their place; answered -> wrap-up."""
    agents.agent_call_ended(runtime(), request.args.get("caller", ""), request.args.get("agent", ""),
                            request.args.get("department", ""), request.form.get("CallStatus"),
                            request.form.get("CallDuration"), request.form.get("From", ""))
    return twiml_answer(())
