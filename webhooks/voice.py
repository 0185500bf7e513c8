"""Twilio's voice webhooks: each request becomes an engine event, each engine step becomes TwiML.

A caller must never hear Twilio's "an application error has occurred": any failure in here is logged with the
CallSid and answered with TwiML that apologises and takes the caller to the safe route.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow.domain.actions import Hangup
from callflow.domain.events import Digits, NoInput, Speech
from callflow.services import call_ends, ivr
from webhooks import runtime
from webhooks.safe_route import safe_route
from webhooks.security import twilio_signed
from webhooks.twiml import twiml_answer, twiml_response

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """Any failure: log it with the CallSid and send the caller somewhere safe instead of an error."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("voice webhook %s failed for call %s", request.path, request.form.get("CallSid", "?"))
    return twiml_response(safe_route())


def _engine_step(start: bool, event) -> list:
    """Run one engine step for this request's call (`callflow/services/ivr.py`) and return its actions."""
    return ivr.step(runtime(), request.form.get("CallSid", ""), start, event, request.form.get("From", ""),
                    request.form.get("To", ""), draft=request.args.get("draft"))


@bp.post("/incoming")
@twilio_signed
def incoming():
    """A call comes in: greet the caller and open the main menu."""
    log.info("call %s from %s to %s", request.form.get("CallSid", "?"), request.form.get("From", "?"),
             request.form.get("To", "?"))  # the number is masked in the logs (callflow/log_masking.py)
    return twiml_answer(_engine_step(True, None))


@bp.post("/input")
@twilio_signed
def caller_input():
    """The answer to a Gather: keys, words, or nothing."""
    if request.form.get("Digits"):
        event = Digits(request.form["Digits"])
    elif request.form.get("SpeechResult"):
        event = Speech(request.form["SpeechResult"][:1000], ivr.speech_confidence(request.form.get("Confidence")))
    else:
        event = NoInput()
    return twiml_answer(_engine_step(False, event))


@bp.post("/transferred")
@twilio_signed
def transferred():
    """A cold transfer: tell the caller where they are going and hold them in that department's queue."""
    actions = ivr.transferred(runtime(), request.form.get("CallSid", ""), request.args.get("department", ""),
                              request.form.get("To", ""))
    return twiml_answer(actions)


@bp.post("/dial-result")
@twilio_signed
def dial_result():
    """An outside number was dialled; if nobody answered, the caller goes to the safe route."""
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        return twiml_answer([Hangup()])
    return twiml_response(safe_route(dialled_failed=True))


@bp.post("/voicemail")
@twilio_signed
def voicemail():
    """A message was recorded: thank the caller, in their language."""
    actions = ivr.message_left(runtime(), request.form.get("CallSid", ""), request.form.get("To", ""))
    return twiml_answer(actions)


@bp.post("/status")
@twilio_signed
def status():
    """Twilio's status callback: a finished call is closed by a worker, off the webhook's hot path."""
    form = request.form
    call_ends.call_ended(runtime(), form.get("CallSid", ""), form.get("CallStatus", ""), form.get("CallDuration"),
                         form.get("From", ""), form.get("To", ""))
    return twiml_answer(())
