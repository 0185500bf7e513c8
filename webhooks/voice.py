"""Twilio's voice webhooks: each request becomes an engine event, each engine step becomes TwiML.

A caller must never hear Twilio's "an application error has occurred": any failure in here is logged with the
CallSid and answered with TwiML that apologises and takes the caller to the safe route.
"""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from callflow.domain import draft_calls
from callflow.domain.actions import Hangup, RouteToDepartment, Say
from callflow.domain.events import CallStarted, Digits, NoInput, Speech
from callflow.store import call_log, customers
from webhooks import runtime
from webhooks.safe_route import safe_route
from webhooks.security import twilio_signed
from webhooks.twiml import render, twiml_response
from webhooks.urls import absolute_url

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)
ENDED_KEY = "callflow:call-ended:"  # set by the final status callback: late or replayed requests change nothing
ENDED_TTL_SECONDS = 2 * 24 * 3600


@bp.errorhandler(Exception)
def apologise(error: Exception):
    """Any failure: log it with the CallSid and send the caller somewhere safe instead of an error."""
    if isinstance(error, HTTPException) and error.code < 500:
        return error
    log.exception("voice webhook %s failed for call %s", request.path, request.form.get("CallSid", "?"))
    if request.endpoint == "voice.hold" or request.args.get("purpose") == "holding":
        # The caller is in a Twilio queue: Enqueue and Dial are not allowed here, so keep them holding, with
        # the shipped tune (the line's own may be what failed) rather than silence.
        from webhooks.hold import music

        return twiml_response(render([Say("Thank you for holding."), music(runtime(), None, 10)], absolute_url))
    return twiml_response(safe_route())


def _engine_step(start: bool, event) -> list:
    """Run one engine step for this request's call, store the call's new state, and return its actions."""
    from callflow.domain.script import engine
    from callflow.domain.script.state import CallState
    from webhooks import hold as hold_manager

    rt = runtime()
    sid = request.form.get("CallSid", "")
    now = rt.clock.now()
    stored = None if start else rt.live_calls.load(sid)
    script = None if stored is None else rt.script_version(stored["script_version"])
    draft = request.args.get("draft") if start else None
    if draft:  # an administrator's test call (signed like every request): the draft, and no trace of it
        return _test_call_start(rt, sid, draft, now)
    if stored is not None and rt.acd.has(sid, draft_calls.MARK):
        step = engine.handle(script, CallState.from_dict(stored), event, now, steer=rt.steer_for(script))
        rt.live_calls.save(sid, step.state.to_dict())
        return draft_calls.stand_ins(list(step.actions), script)
    if not start and call_finished(rt, sid, ask_database=stored is None):
        # A replayed or late request (a Gather's answer after the call ended): the call is over; it must not
        # start again, take a place in line or write the call log twice.
        log.warning("call %s: %s after the call ended, ignored", sid, request.path)
        return [Hangup()]
    if script is None:
        called, caller = request.form.get("To", ""), request.form.get("From", "")
        script = rt.script_for_number(called)
        if script is None:
            raise LookupError(f"no IVR script answers {called} and there is no default line")
        name = last = None
        try:
            with rt.sessions() as session:
                customer = customers.find_customer(session, caller)
                name = customer.name if customer else None
                last = call_log.recent_department(session, caller, now)
                call_log.call_started(session, sid, caller, called, now, script_version=script.version)
        except Exception:  # the database is down: the call goes on without personalisation
            log.exception("call %s: could not read or write the call log", sid)
        steer = rt.steer_for(script)
        step = engine.start(script, CallStarted(caller, called, name, last), now, steer=steer)
        if not start:  # the call's state was lost: take this input as the answer to the first question
            step = engine.handle(script, step.state, event, now, steer=steer)
    else:
        step = engine.handle(script, CallState.from_dict(stored), event, now, steer=rt.steer_for(script))
    rt.live_calls.save(sid, step.state.to_dict())
    actions = []
    for action in step.actions:
        if isinstance(action, RouteToDepartment):
            _remember_department(rt, sid, step.state)
            actions.extend(hold_manager.route_caller(rt, sid, action, step.state, now, script))
        else:
            actions.append(action)
    return actions


def call_finished(rt, sid: str, ask_database: bool = True) -> bool:
    """Whether the call has ended: its final status callback came (Redis), or the call log says so (False
    when unknown, or Redis and the database are both down)."""
    from callflow.store.models import Call

    try:
        if rt.redis.exists(ENDED_KEY + sid):
            return True
    except redis.RedisError:
        log.warning("call %s: could not read whether the call ended from Redis", sid)
    if not ask_database:
        return False
    try:
        with rt.sessions() as session:
            call = session.get(Call, sid)
            return call is not None and call.ended_at is not None
    except Exception:
        log.exception("call %s: could not read the call log", sid)
        return False


def _test_call_start(rt, sid: str, draft: str, now) -> list:
    """Start a test call on a draft version: we rang the tester (To) from the line (From)."""
    from callflow.domain.script import engine

    script = rt.script_version(draft)
    if script is None:
        raise LookupError(f"test call {sid}: no script version {draft}")
    rt.acd.mark(sid, draft_calls.MARK)
    step = engine.start(script, CallStarted(request.form.get("To", ""), request.form.get("From", ""), None, None),
                        now, steer=rt.steer_for(script))
    rt.live_calls.save(sid, step.state.to_dict())
    return draft_calls.stand_ins(list(step.actions), script)


def _remember_department(rt, sid: str, state) -> None:
    """Note the department reached, so a caller who rings again today is offered it first."""
    try:
        with rt.sessions() as session:
            call_log.call_progressed(session, sid, state.department, list(state.path))
    except Exception:  # the database is down: the call goes on, only the offer next time is lost
        log.exception("call %s: could not record the department reached", sid)


@bp.post("/incoming")
@twilio_signed
def incoming():
    """A call comes in: greet the caller and open the main menu."""
    log.info("call %s from %s to %s", request.form.get("CallSid", "?"), request.form.get("From", "?"),
             request.form.get("To", "?"))  # the number is masked in the logs (callflow/log_masking.py)
    return twiml_response(render(_engine_step(True, None), absolute_url))


@bp.post("/input")
@twilio_signed
def caller_input():
    """The answer to a Gather: keys, words, or nothing."""
    if request.form.get("Digits"):
        event = Digits(request.form["Digits"])
    elif request.form.get("SpeechResult"):
        event = Speech(request.form["SpeechResult"][:1000], _confidence(request.form.get("Confidence")))
    else:
        event = NoInput()
    return twiml_response(render(_engine_step(False, event), absolute_url))


def _confidence(value: str | None) -> float:
    """Twilio's recognition confidence, 0 when missing or garbled."""
    try:
        return min(max(float(value or 0.0), 0.0), 1.0)
    except ValueError:
        return 0.0


@bp.post("/transferred")
@twilio_signed
def transferred():
    """A cold transfer: tell the caller where they are going and hold them in that department's queue."""
    from webhooks import hold as hold_manager

    rt = runtime()
    sid, department_id = request.form.get("CallSid", ""), request.args.get("department", "")
    info = rt.acd.caller_info(sid)
    script = rt.script_for_number(info.line if info else request.form.get("To", ""))
    department = script.departments[department_id]
    actions = [Say(f"I'm transferring you to {department.name}. Please stay on the line."),
               RouteToDepartment(department.id, department.queue, reason="transfer")]
    hold_manager.offer_now(rt, department.id, rt.clock.timestamp())
    return twiml_response(render(actions, absolute_url))


@bp.post("/dial-result")
@twilio_signed
def dial_result():
    """An outside number was dialled; if nobody answered, the caller goes to the safe route."""
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        return twiml_response(render([Hangup()], absolute_url))
    return twiml_response(safe_route(dialled_failed=True))


@bp.post("/voicemail")
@twilio_signed
def voicemail():
    """A message was recorded: thank the caller."""
    return twiml_response(render([Say("Thank you. We have your message and will call you back."), Hangup()],
                                 absolute_url))


@bp.post("/status")
@twilio_signed
def status():
    """Twilio's status callback: a finished call is closed by a worker, off the webhook's hot path."""
    from callflow import jobs
    from callflow.services.summaries import close_record_only

    sid, call_status = request.form.get("CallSid", ""), request.form.get("CallStatus", "")
    if call_status in ("completed", "busy", "failed", "no-answer", "canceled"):
        rt = runtime()
        duration = request.form.get("CallDuration")
        ended = (sid, call_status, rt.clock.timestamp(), int(duration) if duration and duration.isdigit() else None,
                 request.form.get("From", ""), request.form.get("To", ""))
        try:
            rt.redis.set(ENDED_KEY + sid, call_status, ex=ENDED_TTL_SECONDS)
        except redis.RedisError:
            # Twilio reports a call's end once: with Redis down no worker can be asked to close it, so its record
            # is closed here and the workers' sweeper writes its summary when Redis is back.
            log.warning("Redis is down: call %s closed in the database only; its summary follows", sid)
            close_record_only(rt, *ended)
            return twiml_response(VoiceResponse())
        record = rt.acd.record(sid)
        try:  # still in line when the call ended: an abandon, which wait estimates learn patience from
            from webhooks.hold import caller_gave_up

            caller_gave_up(rt, sid, rt.clock.timestamp(), record)
        except Exception:
            log.exception("abandonment of %s not counted", sid)
        rt.acd.call_ended(sid, record)  # at once: no agent may be offered a caller who has gone
        rt.jobs.enqueue(jobs.close_call, *ended, job_id=f"close-call-{sid}", retry=jobs.DATABASE_RETRY)
    return twiml_response(VoiceResponse())
