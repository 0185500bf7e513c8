"""The one-question satisfaction survey, on lines whose script has `after_call.survey`.

When the agent hangs up and the caller is still on the line, a worker (`jobs.after_agent_left`) moves the
caller's call here instead of hanging it up: one keypad question, the answer stored with the call's summary,
and a goodbye either way. The caller is never kept waiting on a failure: the call ends politely whatever
breaks, and an answer the database could not take is handed to a worker that retries.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow import jobs
from callflow.domain.actions import Gather, Hangup, Say
from callflow.store import after_call
from callflow.store.callbacks import original_call_sid
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import render, twiml_response
from webhooks.urls import absolute_url

bp = Blueprint("survey_voice", __name__, url_prefix="/voice/survey")
log = logging.getLogger(__name__)


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """The survey is a courtesy: if it fails, the caller just hears goodbye."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("survey webhook %s failed", request.path)
    return twiml_response(render([Say("Thank you for calling. Goodbye."), Hangup()], absolute_url))


def _company() -> str:
    """The company of the line this leg is on: the number called in, or the number we called a customer from."""
    outbound = request.form.get("Direction", "").startswith("outbound")
    script = runtime().script_for_number(request.form.get("From" if outbound else "To", ""))
    return script.company if script else "us"


@bp.post("")
@twilio_signed
def ask():
    """The question, answered on the keypad; silence goes to the same answer route, which says goodbye."""
    question = Gather((Say(after_call.SURVEY_QUESTION),), speech=False, num_digits=1, timeout=5, purpose="survey")
    return twiml_response(render([question, Say(after_call.survey_thanks(_company(), None)), Hangup()],
                                 absolute_url))


@bp.post("/answer")
@twilio_signed
def answer():
    """Store a score of 1 to 5 (any other key or none stores nothing), then thank and end the call."""
    rt = runtime()
    company = _company()
    score = after_call.survey_score(request.form.get("Digits"))
    if score is not None:
        sid, now = request.form.get("CallSid", ""), rt.clock.now()
        try:
            with rt.sessions() as session:
                call_sid = original_call_sid(session, sid)
                after_call.record_answer(session, call_sid, score, now)
            if call_sid != sid:  # a callback call: the summary is the asking call's, long since written
                rt.jobs.enqueue(jobs.write_summary, call_sid)
        except Exception:  # the database is down: a worker stores it when it is back, and rewrites the summary
            log.exception("survey answer of %s handed to a worker", sid)
            rt.jobs.enqueue(jobs.record_survey, sid, score, now.timestamp(), retry=jobs.DATABASE_RETRY)
    return twiml_response(render([Say(after_call.survey_thanks(company, score)), Hangup()], absolute_url))
