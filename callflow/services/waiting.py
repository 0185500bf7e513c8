"""A caller waiting in Twilio's queue: what they hear (updates, a promise kept or an apology, a way out, the
line's hold music), the ring of an agent nobody answered, leaving the queue, and connecting to the agent.

Services build no URLs: the webhook hands in `music_url(name)`, the public address of a served music file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

from callflow.domain import estimates, hold
from callflow.domain import hold_music as tunes
from callflow.domain.actions import Hangup, JoinRoom, Play, Voicemail
from callflow.domain.promise_words import HumanPromise, human_promise
from callflow.domain.script.own_words import say, voiced
from callflow.services import metrics
from callflow.services.callers import call_finished, placed
from callflow.services.holding import (
    CONNECTING,
    caller_gave_up,
    estimate,
    language_wait,
    line_inputs,
    offer_now,
    overflow,
    promise,
)
from callflow.store.acd import CallerInfo
from callflow.store.promises import Promises
from callflow.store.wait_stats import WaitStats, estimate_from_json

log = logging.getLogger(__name__)
MusicUrl = Callable[[str], str]  # a served hold music file's public URL, from its name


def waiting(rt, sid: str, queue_time: str | None, called: str, department_id: str, caller: str,
            music_url: MusicUrl) -> list:
    """What a waiting caller hears (Twilio's waitUrl): updates, a promise kept or an apology, a way out."""
    now = rt.clock.timestamp()
    record = rt.acd.record(sid)
    if record.offered_to:  # an agent is being rung: music meanwhile, one play at a time
        script = placed(rt, sid, record.info)[1] if record.info else rt.script_for_number(called)
        first = not record.has(CONNECTING)
        if first:
            rt.acd.mark(sid, CONNECTING)
        return hold.connecting(script, music(rt, script, 0, music_url), first)
    if record.info is None:
        _take_back_lost_place(rt, sid, now, called, caller, department_id, queue_time)
    info, script, department = placed(rt, sid, record.info)
    pacing = script.hold
    promises = Promises(rt.redis)
    if record.has(CONNECTING) and rt.acd.unmark(sid, CONNECTING):  # the agent we rang did not pick up
        return _ring_unanswered(rt, sid, script, department, now, music_url, info)
    if now - info.entered_at >= pacing.max_hold_seconds and not record.has("long-hold-offered"):
        rt.acd.mark(sid, "long-hold-offered")
        promises.log(sid, "long-hold-offered", now, waited=round(now - info.entered_at))
        return [hold.long_hold_offer(script, department.name)]
    if promises.broken(sid, now, record.promise_until):
        # what is known now: the agents' calls' ages, the caller's place; read at the level learnt from promises
        # made after broken ones, and never the figure the caller just heard broken
        broken, again = promises.current(sid)
        if again:  # learnt from now: only the last promise is learnt from at the answer
            WaitStats(rt.redis).repromise_broken(department.id)
        fresh = promise(rt, sid, estimate(rt, department, sid, again=True, **language_wait(script, info, now)), now,
                        broken, again=True)
        return [hold.promise_broken(script, department.name, fresh)]
    update, first = None, "count:updates" not in record.fields  # the caller's first request of the music
    if first:
        rt.acd.count(sid, "updates")
    if first or _seconds(queue_time) >= pacing.update_every_seconds:
        line = line_inputs(rt, department, sid, now)
        fresh = estimate(rt, department, sid, line, **language_wait(script, info, now))
        update = hold.hold_update(script, line.position or 1, _standing(fresh, now, record.promise_until))
    return [hold.holding(script, update, music(rt, script, pacing.update_every_seconds, music_url))]


def _ring_unanswered(rt, sid: str, script, department, now: float, music_url: MusicUrl, info=None) -> list:
    """Back in line after a ring nobody answered: a fresh promise, asked about (or said, when short) before
    the caller holds on, then the music."""
    fresh = estimate(rt, department, sid, **language_wait(script, info, now))
    ask = fresh.promise_seconds > script.hold.short_wait_seconds
    Promises(rt.redis).log(sid, "permission-asked" if ask else "ring-unanswered", now,
                           estimate=round(fresh.promise_seconds), expected=round(fresh.point_seconds))
    words = promise(rt, sid, fresh, now)
    rt.acd.mark(sid, "held")
    return [hold.ring_unanswered(script, department.name, words, ask),
            hold.holding(script, None, music(rt, script, script.hold.update_every_seconds, music_url))]


def music(rt, script, fill_seconds: float, music_url: MusicUrl) -> Play:
    """The line's hold music (`hold.music`) looped to fill about `fill_seconds`; a served file that is missing
    plays the shipped tune instead (the linter reports it)."""
    chosen = script.hold if script is not None else None
    if chosen is not None and chosen.music_seconds and "://" in chosen.music:
        return hold.music(chosen.music, chosen.music_seconds, fill_seconds)
    name = chosen.music if chosen is not None else tunes.DEFAULT
    found = tunes.served(name, rt.settings.ivr_scripts) or tunes.served(tunes.DEFAULT, rt.settings.ivr_scripts)
    if found[0] != name:
        _missing(name)
    return hold.music(music_url(found[0]), found[1], fill_seconds)


@lru_cache(maxsize=16)
def _missing(name: str) -> None:
    """Say once per process, not at every holding caller's update, that a line's hold music is missing."""
    log.warning("hold music %r not found beside the scripts; playing %s (callflow lint reports it)", name,
                tunes.DEFAULT)


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


def _seconds(queue_time: str | None) -> float:
    """Twilio's QueueTime (whole seconds); anything unreadable counts as 0, so the caller still hears music."""
    try:
        seconds = float(queue_time or 0)
    except ValueError:
        return 0.0
    return seconds if seconds >= 0 and seconds != float("inf") else 0.0


def _take_back_lost_place(rt, sid: str, now: float, called: str, caller: str, department_id: str,
                          queue_time: str | None) -> None:
    """Redis came back without its data while this caller held in Twilio's queue: Twilio still has them, so
    they take their place back, ordered by how long Twilio says they have waited (QueueTime), and are offered
    to a free agent at once. Without a department in the waitUrl there is nothing to go on (LookupError)."""
    script = rt.script_for_number(called)
    if script is None or department_id not in script.departments or call_finished(rt, sid):
        return  # (a replayed waitUrl request of a call that has ended takes no place)
    entered_at = now - _seconds(queue_time)
    info = CallerInfo(sid, caller=caller, line=called, department=department_id, entered_at=entered_at)
    if rt.acd.caller_waits(info, now) is not None:
        rt.acd.mark(sid, "held")
        log.warning("call %s: place in %s lost with Redis's data, taken back from Twilio's queue time",
                    sid, department_id)
        offer_now(rt, department_id, now)


def queue_result(rt, sid: str, department: str, result: str | None, called: str) -> list:
    """The caller left Twilio's queue: hung up -> free their place (unless a callback keeps it)."""
    if result == "queue-full":
        # Twilio's own queue is full (MaxSize: 1,000 callers unless raised, 5,000 at most): never a silent
        # hang-up; the caller hears why and takes the department's overflow route, as when our line is full.
        info = rt.acd.caller_info(sid)  # (before leaving the line takes it away) to answer in their language
        script = placed(rt, sid, info)[1] if info is not None else rt.script_for_number(called)
        rt.acd.caller_left(department, sid)
        Promises(rt.redis).log(sid, "queue-full", rt.clock.timestamp())
        return overflow(script, script.departments[department])
    if result == "leave" and rt.acd.has(sid, "voicemail"):
        info = rt.acd.caller_info(sid)
        script = placed(rt, sid, info)[1] if info is not None else rt.script_for_number(called)
        rt.acd.caller_left(department, sid)  # a message instead of holding: the place goes
        return [voiced(script, say(script, "voicemail")), Voicemail(department)]
    if result in ("hangup", "leave", "error", "system-error") and not rt.acd.has(sid, "callback"):
        if result == "hangup":
            try:  # learning patience must never keep a caller's place from being freed
                caller_gave_up(rt, sid, rt.clock.timestamp())
            except Exception:
                log.exception("abandonment of %s not counted", sid)
        rt.acd.caller_left(department, sid)
        Promises(rt.redis).log(sid, "abandoned", rt.clock.timestamp())
    return [Hangup()]


def connect(rt, sid: str, room: str, called: str, music_url: MusicUrl) -> list:
    """An agent is ready: thank the caller for holding (if they held) and bring them into the agent's room."""
    now = rt.clock.timestamp()
    record = rt.acd.record(sid)
    promises = Promises(rt.redis)
    info = record.info
    script = placed(rt, sid, info)[1] if info is not None else rt.script_for_number(called)
    actions = [hold.thanks_for_holding(script)] if record.has("held") else []
    first, again, again_at = promises.estimates(sid)
    metrics.promise_answered(promises.kept(sid, now))
    if record.has(CONNECTING):
        rt.acd.unmark(sid, CONNECTING)  # a transfer later back into a queue must not hear of a failed ring
    # a transferred caller's wait began in another department's line: not this one's history
    if info is not None and not record.has("connected") and not record.fields.get("transferred_by"):
        try:  # the estimator learns from every answered caller; the caller is connected whatever happens here
            repromised = (estimate_from_json(again), again_at) if again and again_at is not None else None
            estimated = estimate_from_json(first)
            WaitStats(rt.redis).answered(info.department, now - info.entered_at, now, estimated, repromised)
            if estimated is not None:
                metrics.estimate_answered(info.department, now - info.entered_at, estimated.point_seconds)
        except Exception:
            log.exception("wait statistics not updated for %s", sid)
    rt.acd.mark(sid, "connected")
    actions.append(JoinRoom(room, ends_room=True, music=music(rt, script, 0, music_url).url))
    return actions
