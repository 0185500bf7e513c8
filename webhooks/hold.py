"""The hold manager's webhooks: routing a caller to a department's queue, asking before hold, keeping the
promise (or coming back to say it is broken), callbacks chosen at any moment, and connecting to an agent.

Routes live on the voice blueprint (same signature check, same safe route on failure); the decisions and
the words are in `callflow/domain/hold.py`, the promises in `callflow/store/promises.py`.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import abort, request, send_file

from callflow.domain import estimates, hold
from callflow.domain import hold_music as tunes
from callflow.domain.actions import (
    Dial,
    Hangup,
    JoinRoom,
    LeaveQueue,
    Pause,
    Play,
    RouteToDepartment,
    Say,
    Voicemail,
)
from callflow.domain.promise_words import HumanPromise, human_promise, repromise
from callflow.services.holding import estimate
from callflow.store.acd import CALL_INFO_KEY, CallerInfo, CallerRecord
from callflow.store.estimate_inputs import EstimateInputs
from callflow.store.promises import Promises
from callflow.store.wait_stats import ABANDONED_FLAG, WaitStats, estimate_from_json, estimate_to_json
from webhooks import runtime
from webhooks.security import twilio_signed
from webhooks.twiml import render, twiml_response
from webhooks.urls import absolute_url
from webhooks.voice import bp, call_finished

log = logging.getLogger(__name__)
UNCLEAR_LIMIT = 1  # a caller who says nothing (or something unclear) is asked once more, then held
CONNECTING = "connecting"  # the caller heard "one moment while I connect you" and the ring has not ended yet


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


def promise(rt, sid: str, figure: estimates.Estimate, now: float, broken: int | None = None,
            again: bool = False) -> HumanPromise:
    """Make the promise the caller hears (`callflow/domain/promise_words.py`), remembering the estimate behind it;
    after a broken promise (`broken`: the figure the caller heard) never that figure again."""
    words = human_promise(figure.to_say, figure.point_seconds)
    if broken is not None:
        words = repromise(words, broken)
    _promises(rt).promise(sid, words.deadline, now, estimate_to_json(figure.heard(words.deadline)), words.figure,
                          words.words, again)
    return words


def caller_gave_up(rt, sid: str, now: float, record: CallerRecord | None = None) -> None:
    """A caller's call ended (or left Twilio's queue): if they were still waiting in line, they abandoned.

    Called by whichever webhook hears it first (queue result, status callback); counted once per caller."""
    record = record or rt.acd.record(sid)
    info = record.info
    if info is None or record.has("connected") or record.has("callback") \
            or rt.acd.queues.position(info.department, sid) is None:
        return
    if rt.redis.hsetnx(CALL_INFO_KEY + sid, ABANDONED_FLAG, "1"):
        WaitStats(rt.redis).abandoned(info.department, now - info.entered_at, now)


def route_caller(rt, sid: str, route: RouteToDepartment, state, now, script) -> list:
    """The caller needs a department: an agent now, a short wait, or the question 'hold or call back?'."""
    from callflow.store.acd import CallerInfo

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
    figure = estimate(rt, department, sid)
    if figure.promise_seconds <= script.hold.short_wait_seconds:
        words = promise(rt, sid, figure, now.timestamp())
        rt.acd.mark(sid, "held")
        return [hold.short_wait(department.name, words), route]
    _promises(rt).log(sid, "permission-asked", now.timestamp(), estimate=round(figure.promise_seconds),
                      expected=round(figure.point_seconds))
    return [hold.ask_to_hold(department.name, figure)]


def overflow(department) -> list:
    """Where a caller goes when the department's queue is full: its overflow number, or an honest goodbye."""
    busy = f"I'm sorry, all our {department.name} advisers are busy and too many callers are waiting."
    if department.overflow_number:
        return [Say(busy + " I'm putting you through to our partner team."), Dial(department.overflow_number)]
    return [Say(busy + " Please call again later. Goodbye."), Hangup()]


def _department(rt, sid: str, info: CallerInfo | None = None):
    """The caller's details and their department's settings."""
    info, _, department = _placed(rt, sid, info)
    return info, department


def _placed(rt, sid: str, info: CallerInfo | None = None):
    """The caller's details, their line's script and their department, from the scripts this process has in
    memory: checking for newly published scripts (files' stats and a Redis read) is for new calls, and for a
    department this process does not know yet, not for every request of a caller already in line."""
    info = info or rt.acd.caller_info(sid)
    if info is None:
        raise LookupError(f"call {sid} has no place in any queue")
    script = rt.scripts.for_number(info.line)
    if script is None or info.department not in script.departments:  # published since this process looked
        script = rt.script_for_number(info.line)
    return info, script, script.departments[info.department]


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
    if choice is hold.HoldChoice.VOICEMAIL and holding and rt.acd.has(sid, "long-hold-offered"):
        rt.acd.mark(sid, "voicemail")  # Twilio's queue result then plays the recording prompt
        promises.log(sid, "voicemail-chosen", now)
        return twiml_response(render([LeaveQueue()], absolute_url))
    if holding:  # anything else while holding: keep holding (the wait music resumes)
        if choice is hold.HoldChoice.HOLD:
            promises.log(sid, "hold-accepted", now)
        return twiml_response(render([Pause(1)], absolute_url))
    route = RouteToDepartment(department.id, department.queue, reason="hold")
    if choice is hold.HoldChoice.UNCLEAR and rt.acd.count(sid, "unclear") <= UNCLEAR_LIMIT:
        figure = estimate(rt, department, sid)
        return twiml_response(render([hold.ask_to_hold(department.name, figure, again=True)],
                                     absolute_url))
    promises.log(sid, "hold-accepted" if choice is hold.HoldChoice.HOLD else "held-without-answer", now)
    promise(rt, sid, estimate(rt, department, sid), now)
    rt.acd.mark(sid, "held")
    return twiml_response(render([Say("Thank you. I'll keep your place in line."), route], absolute_url))


def _take_callback(rt, info, department, now: float, holding: bool) -> list:
    """Book the callback (the toll-fraud guard, another number: webhooks/callback_voice.py); the caller keeps
    their place in line (virtual hold) and can hang up."""
    from webhooks.callback_voice import take_callback

    return take_callback(rt, info, department, now, holding)


@bp.post("/hold", endpoint="hold")
@twilio_signed
def hold_music():
    """What a waiting caller hears (Twilio's waitUrl): updates, a promise kept or an apology, a way out."""
    rt = runtime()
    sid, now = request.form.get("CallSid", ""), rt.clock.timestamp()
    record = rt.acd.record(sid)
    if record.offered_to:  # an agent is being rung: music meanwhile, one play at a time
        script = _placed(rt, sid, record.info)[1] if record.info else rt.script_for_number(request.form.get("To"))
        first = not record.has(CONNECTING)
        if first:
            rt.acd.mark(sid, CONNECTING)
        return twiml_response(render(hold.connecting(music(rt, script, 0), first), absolute_url))
    if record.info is None:
        _take_back_lost_place(rt, sid, now)
    info, script, department = _placed(rt, sid, record.info)
    pacing = script.hold
    promises = _promises(rt)
    if record.has(CONNECTING) and rt.acd.unmark(sid, CONNECTING):  # the agent we rang did not pick up
        return twiml_response(render(_ring_unanswered(rt, sid, script, department, now), absolute_url))
    if now - info.entered_at >= pacing.max_hold_seconds and not record.has("long-hold-offered"):
        rt.acd.mark(sid, "long-hold-offered")
        promises.log(sid, "long-hold-offered", now, waited=round(now - info.entered_at))
        return twiml_response(render([hold.long_hold_offer(department.name)], absolute_url))
    if promises.broken(sid, now, record.promise_until):
        # what is known now: the agents' calls' ages, the caller's place; read at the level learnt from promises
        # made after broken ones, and never the figure the caller just heard broken
        broken, again = promises.current(sid)
        if again:  # learnt from now: only the last promise is learnt from at the answer
            WaitStats(rt.redis).repromise_broken(department.id)
        fresh = promise(rt, sid, estimate(rt, department, sid, again=True), now, broken, again=True)
        return twiml_response(render([hold.promise_broken(department.name, fresh)], absolute_url))
    update, first = None, "count:updates" not in record.fields  # the caller's first request of the music
    if first:
        rt.acd.count(sid, "updates")
    if first or int(request.form.get("QueueTime") or 0) >= pacing.update_every_seconds:
        line = EstimateInputs(rt.redis).read(department.id, sid, now)
        update = hold.hold_update(line.position or 1, _standing(estimate(rt, department, sid, line), now,
                                                                 record.promise_until))
    return twiml_response(render([hold.holding(update, music(rt, script, pacing.update_every_seconds))],
                                 absolute_url))


def _ring_unanswered(rt, sid: str, script, department, now: float) -> list:
    """Back in line after a ring nobody answered: a fresh promise, asked about (or said, when short) before
    the caller holds on, then the music."""
    fresh = estimate(rt, department, sid)
    ask = fresh.promise_seconds > script.hold.short_wait_seconds
    _promises(rt).log(sid, "permission-asked" if ask else "ring-unanswered", now,
                      estimate=round(fresh.promise_seconds), expected=round(fresh.point_seconds))
    words = promise(rt, sid, fresh, now)
    rt.acd.mark(sid, "held")
    return [hold.ring_unanswered(department.name, words, ask),
            hold.holding(None, music(rt, script, script.hold.update_every_seconds))]


def music(rt, script, fill_seconds: float) -> Play:
    """The line's hold music (`hold.music`) looped to fill about `fill_seconds`; a served file that is missing
    plays the shipped tune instead (the linter reports it)."""
    chosen = script.hold if script is not None else None
    if chosen is not None and chosen.music_seconds and "://" in chosen.music:
        return hold.music(chosen.music, chosen.music_seconds, fill_seconds)
    name = chosen.music if chosen is not None else tunes.DEFAULT
    found = tunes.served(name, rt.settings.ivr_scripts) or tunes.served(tunes.DEFAULT, rt.settings.ivr_scripts)
    if found[0] != name:
        _missing(name)
    return hold.music(absolute_url("voice.hold_music_file", name=found[0]), found[1], fill_seconds)


@lru_cache(maxsize=16)
def _missing(name: str) -> None:
    """Say once per process, not at every holding caller's update, that a line's hold music is missing."""
    log.warning("hold music %r not found beside the scripts; playing %s (callflow lint reports it)", name,
                tunes.DEFAULT)


@bp.get("/hold-music/<name>")
def hold_music_file(name: str):
    """A hold music file the app serves (Twilio fetches <Play> URLs with GET, unsigned, and caches them)."""
    path = tunes.find(name, runtime().settings.ivr_scripts)
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/wav", max_age=24 * 3600, conditional=True)


def _standing(fresh: estimates.Estimate, now: float, until: float | None) -> HumanPromise | None:
    """The wait an update says: the standing promise counted down ("less than 7 minutes" three minutes after
    "about 10"), so the figure moves as the caller waits and never outlives the promise; none when the line now
    expects to run past it (the apology with a new promise comes when it passes, not a figure known to be
    wrong, nor the same figure minute after minute)."""
    if until is None:
        return human_promise(fresh.to_say, fresh.point_seconds)
    if now + fresh.point_seconds > until:
        return None
    return human_promise(until - now)


def _take_back_lost_place(rt, sid: str, now: float) -> None:
    """Redis came back without its data while this caller held in Twilio's queue: Twilio still has them, so
    they take their place back, ordered by how long Twilio says they have waited (QueueTime), and are offered
    to a free agent at once. Without a department in the waitUrl there is nothing to go on (LookupError)."""
    script = rt.script_for_number(request.form.get("To", ""))
    department_id = request.args.get("department", "")
    if script is None or department_id not in script.departments or call_finished(rt, sid):
        return  # (a replayed waitUrl request of a call that has ended takes no place)
    waited = request.form.get("QueueTime", "0")
    entered_at = now - (int(waited) if waited.isdigit() else 0)
    info = CallerInfo(sid, caller=request.form.get("From", ""), line=request.form.get("To", ""),
                      department=department_id, entered_at=entered_at)
    if rt.acd.caller_waits(info, now) is not None:
        rt.acd.mark(sid, "held")
        log.warning("call %s: place in %s lost with Redis's data, taken back from Twilio's queue time",
                    sid, department_id)
        offer_now(rt, department_id, now)


@bp.post("/queue-result")
@twilio_signed
def queue_result():
    """The caller left Twilio's queue: hung up -> free their place (unless a callback keeps it)."""
    rt = runtime()
    sid, department = request.form.get("CallSid", ""), request.args.get("department", "")
    if request.form.get("QueueResult") == "queue-full":
        # Twilio's own queue is full (MaxSize: 1,000 callers unless raised, 5,000 at most): never a silent
        # hang-up; the caller hears why and takes the department's overflow route, as when our line is full.
        rt.acd.caller_left(department, sid)
        _promises(rt).log(sid, "queue-full", rt.clock.timestamp())
        script = rt.script_for_number(request.form.get("To", ""))
        return twiml_response(render(overflow(script.departments[department]), absolute_url))
    if request.form.get("QueueResult") == "leave" and rt.acd.has(sid, "voicemail"):
        rt.acd.caller_left(department, sid)  # a message instead of holding: the place goes
        script = rt.script_for_number(request.form.get("To", ""))
        prompt = script.message("voicemail") if script else "Please leave a message after the tone."
        return twiml_response(render([Say(prompt), Voicemail(department)], absolute_url))
    if request.form.get("QueueResult") in ("hangup", "leave", "error", "system-error") \
            and not rt.acd.has(sid, "callback"):
        if request.form.get("QueueResult") == "hangup":
            try:  # learning patience must never keep a caller's place from being freed
                caller_gave_up(rt, sid, rt.clock.timestamp())
            except Exception:
                log.exception("abandonment of %s not counted", sid)
        rt.acd.caller_left(department, sid)
        _promises(rt).log(sid, "abandoned", rt.clock.timestamp())
    return twiml_response(render([Hangup()], absolute_url))


@bp.post("/connect")
@twilio_signed
def connect():
    """An agent is ready: thank the caller for holding (if they held) and bring them into the agent's room."""
    rt = runtime()
    sid, now = request.form.get("CallSid", ""), rt.clock.timestamp()
    record = rt.acd.record(sid)
    actions = [hold.thanks_for_holding()] if record.has("held") else []
    info, (first, again, again_at) = record.info, _promises(rt).estimates(sid)
    _promises(rt).kept(sid, now)
    if record.has(CONNECTING):
        rt.acd.unmark(sid, CONNECTING)  # a transfer later back into a queue must not hear of a failed ring
    # a transferred caller's wait began in another department's line: not this one's history
    if info is not None and not record.has("connected") and not record.fields.get("transferred_by"):
        try:  # the estimator learns from every answered caller; the caller is connected whatever happens here
            repromised = (estimate_from_json(again), again_at) if again and again_at is not None else None
            WaitStats(rt.redis).answered(info.department, now - info.entered_at, now, estimate_from_json(first),
                                         repromised)
        except Exception:
            log.exception("wait statistics not updated for %s", sid)
    rt.acd.mark(sid, "connected")
    script = _placed(rt, sid, info)[1] if info is not None else rt.script_for_number(request.form.get("To"))
    actions.append(JoinRoom(request.args.get("room", ""), ends_room=True, music=music(rt, script, 0).url))
    return twiml_response(render(actions, absolute_url))
