"""The hold manager's webhooks: routing a caller to a department's queue, asking before hold, keeping the
promise (or coming back to say it is broken), callbacks chosen at any moment, and connecting to an agent.

Routes live on the voice blueprint (same signature check, same safe route on failure); the decisions and
the words are in `callflow/hold.py`, the promises in `callflow/promises.py`.
"""

from __future__ import annotations

import logging

from flask import request

from callflow import hold
from callflow.actions import Dial, Hangup, JoinRoom, LeaveQueue, Pause, RouteToDepartment, Say
from callflow.promises import Promises, interim_estimate
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import render, twiml_response
from webhooks.urls import absolute_url
from webhooks.voice import bp

log = logging.getLogger(__name__)
UNCLEAR_LIMIT = 1  # a caller who says nothing (or something unclear) is asked once more, then held


def _promises(rt) -> Promises:
    return Promises(rt.redis)


def offer_now(rt, department: str, now: float) -> list:
    """Match callers with free agents now (one Lua call), so the caller's first hold request already knows an
    agent is being rung; ringing the agent is a REST call, left to a worker."""
    from callflow import jobs

    offers = rt.acd.offers([department], now)
    for offer in offers:
        rt.jobs.enqueue(jobs.ring_agent, offer.department, offer.caller_sid, offer.agent)
    return offers


def estimate(rt, department: str, position: int) -> float:
    """How long a caller at `position` should wait, counting callbacks holding places in line."""
    return interim_estimate(position, rt.acd.presence.staffed(department))


def route_caller(rt, sid: str, route: RouteToDepartment, state, now, script) -> list:
    """The caller needs a department: an agent now, a short wait, or the question 'hold or call back?'."""
    from callflow.acd import CallerInfo

    department = script.departments[route.department]
    info = CallerInfo(sid, caller=request.form.get("From", ""), line=request.form.get("To", ""),
                      department=route.department, name=state.customer_name, said=tuple(state.said),
                      path=tuple(state.path), entered_at=now.timestamp())
    position = rt.acd.caller_waits(info, now.timestamp(), max_size=department.max_queue)
    _promises(rt).log(sid, "routed", now.timestamp(), department=route.department)
    if position is None:
        _promises(rt).log(sid, "queue-full", now.timestamp())
        return overflow(department)
    if any(offer.caller_sid == sid for offer in offer_now(rt, route.department, now.timestamp())):
        return [route]  # an agent is being rung: no hold at all
    promise = estimate(rt, route.department, position)
    if promise <= hold.SHORT_WAIT_SECONDS:
        _promises(rt).promise(sid, hold.promised_seconds(promise), now.timestamp())
        rt.acd.mark(sid, "held")
        return [hold.short_wait(department.name, promise), route]
    _promises(rt).log(sid, "permission-asked", now.timestamp(), estimate=round(promise))
    return [hold.ask_to_hold(department.name, promise)]


def overflow(department) -> list:
    """Where a caller goes when the department's queue is full: its overflow number, or an honest goodbye."""
    busy = f"I'm sorry, all our {department.name} advisers are busy and too many callers are waiting."
    if department.overflow_number:
        return [Say(busy + " I'm putting you through to our partner team."), Dial(department.overflow_number)]
    return [Say(busy + " Please call again later. Goodbye."), Hangup()]


def _department(rt, sid: str):
    info = rt.acd.caller_info(sid)
    if info is None:
        raise LookupError(f"call {sid} has no place in any queue")
    script = rt.script_for_number(info.line)
    return info, script.departments[info.department]


@bp.post("/hold-choice")
@twilio_signed
def hold_choice():
    """The caller's answer to 'hold or call back?', asked before hold or pressed while holding."""
    rt = runtime()
    sid, now = request.form.get("CallSid", ""), rt.clock.timestamp()
    info, department = _department(rt, sid)
    choice = hold.understand(request.form.get("Digits"), request.form.get("SpeechResult"))
    promises = _promises(rt)
    holding = request.args.get("purpose") == "holding"
    if choice is hold.HoldChoice.CALLBACK:
        return twiml_response(render(_take_callback(rt, info, department, now, holding), absolute_url))
    if holding:  # anything else while holding: keep holding (the wait music resumes)
        return twiml_response(render([Pause(1)], absolute_url))
    route = RouteToDepartment(department.id, department.queue, reason="hold")
    if choice is hold.HoldChoice.UNCLEAR and rt.acd.count(sid, "unclear") <= UNCLEAR_LIMIT:
        promise = estimate(rt, department.id, rt.acd.queues.position(department.id, sid) or 1)
        return twiml_response(render([hold.ask_to_hold(department.name, promise, again=True)], absolute_url))
    promises.log(sid, "hold-accepted" if choice is hold.HoldChoice.HOLD else "held-without-answer", now)
    position = rt.acd.queues.position(department.id, sid) or 1
    promises.promise(sid, hold.promised_seconds(estimate(rt, department.id, position)), now)
    rt.acd.mark(sid, "held")
    return twiml_response(render([Say("Thank you. I'll keep your place in line."), route], absolute_url))


def _take_callback(rt, info, department, now: float, holding: bool) -> list:
    """Record the callback; the caller keeps their place in line (virtual hold) and can hang up."""
    from callflow.callbacks import request_callback
    from callflow.queues import MemberKind

    with rt.sessions() as session:
        request_callback(session, info.sid, info.caller, info.line, department.id, rt.clock.now())
    rt.acd.mark(info.sid, "callback")
    rt.acd.queues.join(department.id, info.sid, entered_at=info.entered_at, kind=MemberKind.CALLBACK)
    _promises(rt).log(info.sid, "callback-accepted", now)
    spoken = " ".join(info.caller.lstrip("+"))
    actions = [Say(f"Thank you. We'll call you back on {spoken} when it's your turn, and you keep your place in "
                   f"line. You can hang up now. Goodbye.")]
    return actions + ([LeaveQueue()] if holding else [Hangup()])


@bp.post("/hold", endpoint="hold")
@twilio_signed
def hold_music():
    """What a waiting caller hears (Twilio's waitUrl): updates, a promise kept or an apology, a way out."""
    rt = runtime()
    sid, now = request.form.get("CallSid", ""), rt.clock.timestamp()
    if rt.acd.queues.offered_to(sid):  # an agent is being rung: no hold, just a moment
        return twiml_response(render([Say("One moment while I connect you."), Pause(30)], absolute_url))
    _, department = _department(rt, sid)
    position = rt.acd.queues.position(department.id, sid) or 1
    promises = _promises(rt)
    if promises.broken(sid, now):
        fresh = estimate(rt, department.id, position)
        promises.promise(sid, hold.promised_seconds(fresh), now)
        return twiml_response(render([hold.promise_broken(department.name, fresh)], absolute_url))
    update = None
    if rt.acd.count(sid, "updates") == 1 or int(request.form.get("QueueTime") or 0) >= hold.UPDATE_EVERY_SECONDS:
        update = hold.hold_update(position, estimate(rt, department.id, position))
    return twiml_response(render([hold.holding(update)], absolute_url))


@bp.post("/queue-result")
@twilio_signed
def queue_result():
    """The caller left Twilio's queue: hung up -> free their place (unless a callback keeps it)."""
    rt = runtime()
    sid = request.form.get("CallSid", "")
    if request.form.get("QueueResult") in ("hangup", "leave", "error", "system-error") \
            and not rt.acd.has(sid, "callback"):
        rt.acd.caller_left(request.args.get("department", ""), sid)
        _promises(rt).log(sid, "abandoned", rt.clock.timestamp())
    return twiml_response(render([Hangup()], absolute_url))


@bp.post("/connect")
@twilio_signed
def connect():
    """An agent is ready: thank the caller for holding (if they held) and bring them into the agent's room."""
    rt = runtime()
    sid = request.form.get("CallSid", "")
    actions = [hold.thanks_for_holding()] if rt.acd.has(sid, "held") else []
    _promises(rt).kept(sid, rt.clock.timestamp())
    rt.acd.mark(sid, "connected")
    actions.append(JoinRoom(request.args.get("room", ""), ends_room=True))
    return twiml_response(render(actions, absolute_url))
