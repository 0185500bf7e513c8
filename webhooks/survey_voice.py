"""The one-question satisfaction survey, on lines whose script has `after_call.survey`.

When the agent hangs up and the caller is still on the line, a worker (`jobs.after_agent_left`) moves the
caller's call here instead of hanging it up: one keypad question, the answer stored with the call's summary
(`callflow/services/after_call.py`), and a goodbye either way, in the caller's language. The caller is never kept waiting on a failure:
the call ends politely whatever breaks, and an answer the database could not take is handed to a worker that
retries.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow.services import after_call
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import twiml_answer

bp = Blueprint("survey_voice", __name__, url_prefix="/voice/survey")
log = logging.getLogger(__name__)


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """The survey is a courtesy: if it fails, the caller just hears goodbye."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("survey webhook %s failed", request.path)
    return twiml_answer(after_call.survey_failed())


def _line() -> str:
    """The line this leg is on: the number called in, or the number we called a customer from."""
    outbound = request.form.get("Direction", "").startswith("outbound")
    return request.form.get("From" if outbound else "To", "")


@bp.post("")
@twilio_signed
def ask():
    """The question, answered on the keypad; silence goes to the same answer route, which says goodbye."""
    return twiml_answer(after_call.survey_question(runtime(), request.form.get("CallSid", ""), _line()))


@bp.post("/answer")
@twilio_signed
def answer():
    """Store a score of 1 to 5 (any other key or none stores nothing), then thank and end the call."""
    actions = after_call.survey_answered(runtime(), request.form.get("CallSid", ""), request.form.get("Digits"),
                                         _line())
    return twiml_answer(actions)
