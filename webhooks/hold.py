"""The hold manager's webhooks: asking before hold, what a waiting caller hears (Twilio's waitUrl), leaving
Twilio's queue, and connecting to an agent.

Routes live on their own blueprint under /voice (the same paths as the IVR's, the same signature check); the
use cases are `callflow/services/holding.py` and `waiting.py`, the decisions and the words
`callflow/domain/hold.py`.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, request, send_file
from werkzeug.exceptions import HTTPException

from callflow.domain import hold_music as tunes
from callflow.domain.actions import Say
from callflow.services import holding, waiting
from webhooks import runtime
from webhooks.safe_route import safe_route
from webhooks.security import twilio_signed
from webhooks.twiml import twiml_answer, twiml_response
from webhooks.urls import hold_music_url

bp = Blueprint("hold", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """Any failure: log it with the CallSid; a caller in Twilio's queue keeps holding, any other goes to the
    safe route, never to an error."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("voice webhook %s failed for call %s", request.path, request.form.get("CallSid", "?"))
    if request.endpoint == "hold.hold" or request.args.get("purpose") == "holding":
        # The caller is in a Twilio queue: Enqueue and Dial are not allowed here, so keep them holding, with
        # the shipped tune (the line's own may be what failed) rather than silence.
        tune = waiting.music(runtime(), None, 10, hold_music_url)
        return twiml_answer([Say("Thank you for holding."), tune])
    return twiml_response(safe_route())


@bp.post("/hold-choice")
@twilio_signed
def hold_choice():
    """The caller's answer to 'hold or call back?', asked before hold or pressed while holding."""
    actions = holding.hold_choice(runtime(), request.form.get("CallSid", ""), request.form.get("Digits"),
                                  request.form.get("SpeechResult"), request.args.get("purpose") == "holding")
    return twiml_answer(actions)


@bp.post("/hold", endpoint="hold")
@twilio_signed
def hold_music():
    """What a waiting caller hears (Twilio's waitUrl): updates, a promise kept or an apology, a way out."""
    form = request.form
    actions = waiting.waiting(runtime(), form.get("CallSid", ""), form.get("QueueTime"), form.get("To", ""),
                              request.args.get("department", ""), form.get("From", ""), hold_music_url)
    return twiml_answer(actions)


@bp.get("/hold-music/<name>")
def hold_music_file(name: str):
    """A hold music file the app serves (Twilio fetches <Play> URLs with GET, unsigned, and caches them)."""
    path = tunes.find(name, runtime().settings.ivr_scripts)
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/wav", max_age=24 * 3600, conditional=True)


@bp.post("/queue-result")
@twilio_signed
def queue_result():
    """The caller left Twilio's queue: hung up -> free their place (unless a callback keeps it)."""
    actions = waiting.queue_result(runtime(), request.form.get("CallSid", ""), request.args.get("department", ""),
                                   request.form.get("QueueResult"), request.form.get("To", ""))
    return twiml_answer(actions)


@bp.post("/connect")
@twilio_signed
def connect():
    """An agent is ready: thank the caller for holding (if they held) and bring them into the agent's room."""
    actions = waiting.connect(runtime(), request.form.get("CallSid", ""), request.args.get("room", ""),
                              request.form.get("To", ""), hold_music_url)
    return twiml_answer(actions)
