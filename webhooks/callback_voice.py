"""Callbacks on the phone: booking one (the toll-fraud guard, another number keyed in and confirmed, a time),
and the callback call itself, where the customer answers and hears who is calling and why: customer-first, they
wait a moment in the room while the agent reserved for them is rung; agent-first, the agent is there already.

The use cases are `callflow/services/callback_requests.py` (booking) and `callback_calls.py` (the call).
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from callflow.domain.actions import Hangup, Say
from callflow.domain.script.own_words import say
from callflow.services import callback_calls, callback_requests, ivr
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import twiml_answer
from webhooks.urls import hold_music_url

bp = Blueprint("callback_voice", __name__, url_prefix="/voice/callback")
log = logging.getLogger(__name__)


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """The customer we called must never hear an application error: an apology, in their language when what
    broke still lets us read it, else in callflow's English."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("callback webhook %s failed (%s)", request.path, request.args.to_dict())
    booking = request.path.rsplit("/", 1)[-1] in ("choice", "number", "confirm", "time", "after-hours")
    try:
        actions = callback_requests.booking_failed(runtime(), request.form.get("CallSid", "")) if booking else \
            callback_calls.call_failed(runtime(), int(request.args.get("callback", 0)), request.form.get("From", ""))
    except Exception:  # noqa: BLE001 (the apology itself must not fail)
        name = "callback_booking_failed" if booking else "callback_call_failed"
        actions = [Say(say(None, name)), Hangup()]
    return twiml_answer(actions)


@bp.post("/answer")
@twilio_signed
def answer():
    """The customer picked up: say who is calling and why, then bring them to the reserved agent."""
    args, form = request.args, request.form
    actions = callback_calls.customer_answered(
        runtime(), args.get("call", ""), args.get("agent", ""), args.get("department", ""),
        int(args.get("callback", 0)), form.get("CallSid", ""), form.get("AnsweredBy", "human"),
        args.get("first") == "agent", form.get("From", ""), hold_music_url)
    return twiml_answer(actions)


@bp.post("/status")
@twilio_signed
def status():
    """The callback call ended: done after a conversation; unanswered -> try again later, then give up."""
    callback_calls.call_ended(runtime(), int(request.args.get("callback", 0)), request.args.get("call", ""),
                              request.args.get("agent", ""), request.form.get("CallStatus", ""),
                              request.form.get("AnsweredBy", ""))
    return twiml_answer([])


# -- booking a callback ---------------------------------------------------------------------------------------
@bp.post("/choice")
@twilio_signed
def choice():
    """After booking: 2 = be called on a different number; 3 = at a time of their choosing; else goodbye."""
    actions = callback_requests.choice(runtime(), request.form.get("CallSid", ""), request.form.get("Digits"))
    return twiml_answer(actions)


@bp.post("/number")
@twilio_signed
def number():
    """A keyed number: refused with the reason (and another try, or holding), or read back for confirmation."""
    actions = callback_requests.number_keyed(runtime(), request.form.get("CallSid", ""),
                                             request.form.get("Digits", ""))
    return twiml_answer(actions)


@bp.post("/confirm")
@twilio_signed
def confirm():
    """1 = book the callback on the number read back (checked again); anything else = key it again."""
    actions = callback_requests.confirm(runtime(), request.form.get("CallSid", ""), request.form.get("Digits"))
    return twiml_answer(actions)


@bp.post("/after-hours")
@twilio_signed
def after_hours():
    """A closed department's offer: a department open now (its key or its name), 1 = a callback when it opens,
    3 = at a time the caller keys, anything else or silence = a message."""
    rt, form = runtime(), request.form
    sid, digits, words = form.get("CallSid", ""), form.get("Digits", ""), form.get("SpeechResult", "")[:1000]
    caller, called = form.get("From", ""), form.get("To", "")
    actions = ivr.open_department_chosen(rt, sid, digits, words, form.get("Confidence"), caller, called) \
        or callback_requests.after_hours(rt, sid, digits, words, caller, called, request.args.get("department", ""))
    return twiml_answer(actions)


@bp.post("/time")
@twilio_signed
def time_chosen():
    """The keyed time: the callback moves there (or is booked for it), or the caller hears why not."""
    actions = callback_requests.time_chosen(runtime(), request.form.get("CallSid", ""),
                                            request.form.get("Digits", ""))
    return twiml_answer(actions)
