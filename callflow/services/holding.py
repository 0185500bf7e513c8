"""Holding: a caller put in a department's line, the question 'hold or call back?', the wait estimate and
the promise the caller hears, and a caller who gives up.

The wait estimate a caller is promised is ours (`callflow.domain.estimates`), read from the department's
history, its agents' presence and the caller's place; the decisions and the words are in
`callflow/domain/hold.py`, the promises in `callflow/store/promises.py`. What a caller hears while waiting is
`waiting.py`.
"""

from __future__ import annotations

from callflow.domain import estimates, hold, languages
from callflow.domain.actions import Dial, Hangup, LeaveQueue, Pause, RouteToDepartment
from callflow.domain.promise_words import HumanPromise, human_promise, repromise
from callflow.domain.script.translated import in_language
from callflow.services import callback_requests, queued
from callflow.services.callers import placed
from callflow.store.acd import CallerInfo, CallerRecord
from callflow.store.estimate_inputs import EstimateInputs, LineInputs
from callflow.store.promises import Promises
from callflow.store.wait_stats import ABANDONED_FLAG, WaitStats, estimate_to_json

UNCLEAR_LIMIT = 1  # a caller who says nothing (or something unclear) is asked once more, then held
ABANDON_LEARNED = "abandon-learned"  # on the caller's details: the wait estimates learned their patience
CONNECTING = "connecting"  # the caller heard "one moment while I connect you" and the ring has not ended yet


def _promises(rt) -> Promises:
    return Promises(rt.redis)


def offer_now(rt, department: str, now: float) -> list:
    """Match callers with free agents now (one Lua call), so the caller's first hold request already knows an
    agent is being rung; ringing the agent is a REST call, left to a worker."""
    offers = rt.acd.offers([department], now)
    for offer in offers:
        queued.enqueue(rt, "ring_agent", offer.department, offer.caller_sid, offer.agent)
    return offers


def estimate(rt, department, sid: str, line: LineInputs | None = None, again: bool = False,
             language: str = "", interpreter_in: float = 0.0) -> estimates.Estimate:
    """Ours (`callflow.domain.estimates.estimate`) for a caller in line: the department's history, its agents'
    presence (how long each busy agent's call has lasted, who is wrapping up, who serves a department with
    callers waiting first, who is on a break and due back when) and the caller's place, callbacks holding
    places counted (they never give up); all read in one round trip (`line`, when the webhook has it).

    A caller of a `language` only some of the agents speak waits for one of those, or for any agent once the
    line's interpreter wait has run out (`interpreter_in` seconds from now): whichever comes first."""
    now = rt.clock.timestamp()
    line = line or EstimateInputs(rt.redis).read(department.id, sid, now)
    first = {d for p in line.at_work for d in p.departments[:p.departments.index(department.id)]
             if department.id in p.departments}
    busy_elsewhere = {d for d in first if line.waiting.get(d)}  # shared agents will take those callers first
    back = tuple((at, +1) for at in line.due_back)

    def among(agents) -> estimates.Estimate:
        staffing = estimates.staffing_from(agents, department.wrap_up_seconds, back, department.id, busy_elsewhere)
        return estimates.estimate(line.stats, line.place, staffing, now, line.callbacks_ahead, again)

    speakers = tuple(p for p in line.at_work if languages.speaks(p.languages, language))
    if len(speakers) == len(line.at_work):
        return among(line.at_work)
    # an agent free now who does not speak it takes the caller when the interpreter wait runs out
    idle = any(str(getattr(p.state, "value", p.state)) == "available" for p in line.at_work)
    anyone = estimates.Estimate(0.0, 0.0, "idle-agent") if idle else among(line.at_work)
    return estimates.sooner(among(speakers), estimates.not_before(anyone, interpreter_in))


def language_wait(script, info: CallerInfo | None, now: float) -> dict:
    """The caller's language and how long until any agent may take them (`estimate`'s keywords)."""
    if info is None or not info.language:
        return {}
    waited = now - info.entered_at if info.entered_at else 0.0
    return {"language": info.language, "interpreter_in": script.hold.interpreter_after_seconds - waited}


def line_inputs(rt, department, sid: str, now: float) -> LineInputs:
    """What the estimate reads, read once (the caller's position comes with it)."""
    return EstimateInputs(rt.redis).read(department.id, sid, now)


def promise(rt, sid: str, figure: estimates.Estimate, now: float, broken: int | None = None,
            again: bool = False, pipe=None, after: tuple[tuple[str, dict], ...] = ()) -> HumanPromise:
    """Make the promise the caller hears (`callflow/domain/promise_words.py`), remembering the estimate behind it;
    after a broken promise (`broken`: the figure the caller heard) never that figure again."""
    words = human_promise(figure.to_say, figure.point_seconds)
    if broken is not None:
        words = repromise(words, broken)
    _promises(rt).promise(sid, words.deadline, now, estimate_to_json(figure.heard(words.deadline)), words.figure,
                          words.words, again, pipe=pipe, after=after)
    return words


def caller_gave_up(rt, sid: str, now: float, record: CallerRecord | None = None) -> None:
    """A caller left Twilio's queue by hanging up: if they were still waiting in line, they abandoned. Marked
    here, whichever hears it first (this webhook, or the status callback's `ACD.caller_hung_up`); the worker
    closing the call teaches the wait estimates (`learn_patience`), off the webhook's path."""
    record = record or rt.acd.record(sid)
    info = record.info
    if info is None or record.has("connected") or record.has("callback") \
            or rt.acd.queues.position(info.department, sid) is None:
        return
    rt.acd.mark_once(sid, ABANDONED_FLAG)


def learn_patience(rt, sid: str, ended_at: float) -> None:
    """A worker closing a call: if the caller was marked as an abandon (`caller_gave_up`, or the status
    callback's `ACD.caller_hung_up`), the department's wait estimates learn how long they waited, once (a job
    retried after a database failure does not count them again)."""
    record = rt.acd.record(sid)
    if record.info is None or not record.has(ABANDONED_FLAG) or not rt.acd.mark_once(sid, ABANDON_LEARNED):
        return
    WaitStats(rt.redis).abandoned(record.info.department, ended_at - record.info.entered_at, ended_at)


def count_abandon(rt, department: str, waited: float, now: float) -> None:
    """A worker teaches the department's wait estimates that a caller gave up after `waited` seconds (a job
    enqueued by a process older than `learn_patience`)."""
    WaitStats(rt.redis).abandoned(department, waited, now)


def route_caller(rt, sid: str, route: RouteToDepartment, state, now, script, caller: str, line: str,
                 also=None) -> list:
    """The caller needs a department: an agent now, a short wait, or the question 'hold or call back?', in the
    language the caller has been answered in. `also(pipe)`: the caller's other writes (their call's state),
    made in the same round trip as their joining the line."""
    script = in_language(script, state.language)
    department = script.departments[route.department]
    info = CallerInfo(sid, caller=caller, line=line, department=route.department, name=state.customer_name,
                      said=tuple(state.said), path=tuple(state.path), entered_at=now.timestamp(),
                      language=state.language)
    joined = rt.acd.caller_joins(info, now.timestamp(), max_size=department.max_queue, also=also)  # one trip
    routed = ("routed", {"department": route.department})
    if joined.position is None:
        _promises(rt).log_many(sid, now.timestamp(), routed, ("queue-full", {}))
        return overflow(script, department)
    if joined.offer is not None:  # agents are free: every offer possible now, each agent rung by a worker
        _promises(rt).log_many(sid, now.timestamp(), routed)
        queued.enqueue(rt, "ring_agent", joined.offer.department, joined.offer.caller_sid, joined.offer.agent)
        offers = [joined.offer, *offer_now(rt, route.department, now.timestamp())]
        if any(offer.caller_sid == sid for offer in offers):
            return [route]  # an agent is being rung: no hold at all
        routed = None  # logged already
    logged = (routed,) if routed else ()
    figure = estimate(rt, department, sid, line=None if joined.offer is not None else joined.line,
                      **language_wait(script, info, now.timestamp()))
    if figure.promise_seconds <= script.hold.short_wait_seconds:
        with rt.redis.pipeline(transaction=False) as pipe:
            words = promise(rt, sid, figure, now.timestamp(), pipe=pipe, after=logged)
            rt.acd.mark(sid, "held", pipe=pipe)
            pipe.execute()
        return [hold.short_wait(script, department.name, words), route]
    _promises(rt).log_many(sid, now.timestamp(), *logged,
                           ("permission-asked", {"estimate": round(figure.promise_seconds),
                                                 "expected": round(figure.point_seconds)}))
    return [hold.ask_to_hold(script, department.name, figure)]


def overflow(script, department) -> list:
    """Where a caller goes when the department's queue is full: its overflow number, or an honest goodbye."""
    said = hold.queue_full(script, department.name, partner=bool(department.overflow_number))
    if department.overflow_number:
        return [said, Dial(department.overflow_number)]
    return [said, Hangup()]


def hold_choice(rt, sid: str, digits: str | None, speech: str | None, holding: bool) -> list:
    """The caller's answer to 'hold or call back?', asked before hold or pressed while holding (`holding`)."""
    now = rt.clock.timestamp()
    # Asked before hold, the answer most often needs the estimate: the caller's details and their line are
    # read together, in one round trip.
    info, line = (None, None) if holding else rt.acd.caller_and_line(sid, now)
    info, script, department = placed(rt, sid, info)
    choice = hold.understand(digits, speech, script.language)
    promises = _promises(rt)
    if choice is hold.HoldChoice.CALLBACK:
        # the toll-fraud guard, another number: callback_requests.py; the caller keeps their place in line
        # (virtual hold) and can hang up
        return callback_requests.take_callback(rt, info, department, now, holding)
    if choice is hold.HoldChoice.VOICEMAIL and holding and rt.acd.has(sid, "long-hold-offered"):
        rt.acd.mark(sid, "voicemail")  # Twilio's queue result then plays the recording prompt
        promises.log(sid, "voicemail-chosen", now)
        return [LeaveQueue()]
    if holding:  # anything else while holding: keep holding (the wait music resumes)
        if choice is hold.HoldChoice.HOLD:
            promises.log(sid, "hold-accepted", now)
        return [Pause(1)]
    route = RouteToDepartment(department.id, department.queue, reason="hold")
    if choice is hold.HoldChoice.UNCLEAR and rt.acd.count(sid, "unclear") <= UNCLEAR_LIMIT:
        figure = estimate(rt, department, sid, line=line, **language_wait(script, info, now))
        return [hold.ask_to_hold(script, department.name, figure, again=True)]
    figure = estimate(rt, department, sid, line=line, **language_wait(script, info, now))
    with rt.redis.pipeline(transaction=False) as pipe:  # the answer, the promise and the hold in one round trip
        answer = "hold-accepted" if choice is hold.HoldChoice.HOLD else "held-without-answer"
        promise(rt, sid, figure, now, pipe=pipe, after=((answer, {}),))
        rt.acd.mark(sid, "held", pipe=pipe)
        pipe.execute()
    return [hold.accepted(script), route]
