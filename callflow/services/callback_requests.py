"""A caller asking for a callback: the number (their own, or another keyed in and confirmed), the toll-fraud
guard's checks, the booking that keeps their place in line (virtual hold), a time of their choosing, and the
offer of a closed department."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callflow.domain import callback_times
from callflow.domain.actions import Gather, Hangup, LeaveQueue, Pause, Say, Voicemail
from callflow.domain.callback_guard import (
    Policy,
    Refusal,
    Verdict,
    check,
    home_regions,
    policy_for,
    read_back,
    spoken,
    why,
)
from callflow.domain.script import utterances
from callflow.domain.script.closing import offers_callback
from callflow.domain.script.hours import next_opening
from callflow.services.callers import department_of
from callflow.store.acd import CallerInfo
from callflow.store.callback_timer import CallbackTimer
from callflow.store.callbacks import (
    CallbackState,
    change_phone,
    find_by_call,
    move,
    request_callback,
    requests_since,
)
from callflow.store.promises import Promises
from callflow.store.queues import MemberKind

NUMBER_TRIES = 2  # a caller may key another number twice before being offered to hold instead
OTHER_NUMBER_FLAG = "callback-other-number"  # the caller's own number was refused: ask for another
PENDING_FIELD = "callback_number"  # the keyed number, read back and waiting for "press 1"


def policy(rt) -> Policy:
    """The guard's policy from settings; the fictional 555 exchange only when calls go to the local carrier."""
    return policy_for(rt.settings)


def verdict(rt, number: str | None, line: str, caller: str = "") -> Verdict:
    """The guard's answer for a number, counting the callbacks it asked for in the last 24 hours.

    Keyed national numbers are read in the line's country, then in the caller's (a US visitor on a UK line
    keys UK numbers the UK way and their own the American way), with or without 00 or 011 before them.
    """
    script = rt.script_for_number(line)
    regions = home_regions(script.numbers if script else (), script.language if script else "", line, caller)
    judged = check(number, policy(rt), 0, regions)
    if not judged.allowed:
        return judged
    with rt.sessions() as session:
        today = requests_since(session, judged.number, rt.clock.now() - timedelta(days=1))
    return check(judged.number, policy(rt), today)


def take_callback(rt, info, department, now: float, holding: bool) -> list:
    """The caller chose a callback: book it on their own number if the guard allows, else offer another way.

    A caller asked before hold can then key a different number; one holding in Twilio's queue (where only
    the wait music's verbs play) is called back on their own number or keeps holding.
    """
    if not holding and rt.acd.has(info.sid, OTHER_NUMBER_FLAG):
        return [ask_number()]
    number = info.caller
    if rt.acd.has(info.sid, "callback"):  # booked already (a repeated request)
        with rt.sessions() as session:
            booked = find_by_call(session, info.sid)
        number = booked.phone if booked else number
    else:
        judged = verdict(rt, info.caller, info.line)
        if not judged.allowed:
            return refused(rt, info.sid, judged.refusal, holding)
        number = judged.number
        book(rt, info, department.id, number, now)
    booked_words = (f"Thank you. We'll call you back on {spoken(number)} when it's your turn, and you keep your "
                    "place in line.")
    if holding:
        return [Say(booked_words + " You can hang up now. Goodbye."), LeaveQueue()]
    return [Say(booked_words), Gather((Say("To be called on a different number, press 2. To choose the time of the "
                                           "call instead, press 3. Otherwise you can hang up now."),),
                                      speech=False, purpose="callback-choice"),
            Say("Goodbye."), Hangup()]


def book(rt, info, department_id: str, number: str, now: float) -> None:
    """Record the callback and keep the caller's place in line (virtual hold)."""
    with rt.sessions() as session:
        request_callback(session, info.sid, number, info.line, department_id, rt.clock.now(),
                         queued_at=datetime.fromtimestamp(info.entered_at or now, UTC))
    rt.acd.mark(info.sid, "callback")
    rt.acd.queues.join(department_id, info.sid, entered_at=info.entered_at or now, kind=MemberKind.CALLBACK)
    Promises(rt.redis).log(info.sid, "callback-accepted", now)


def refused(rt, sid: str, refusal: Refusal, holding: bool) -> list:
    """Say why we can't call that number back, and what the caller can do instead."""
    if holding:
        return [Say(why(refusal) + " You keep your place in line; please stay on the line."), Pause(1)]
    rt.acd.mark(sid, OTHER_NUMBER_FLAG)  # choosing a callback again now asks for another number
    options = "To be called back on another number, press 2. To keep holding, press 1."
    return [Gather((Say(f"{why(refusal)} {options}"),), speech=False, purpose="hold")]


def ask_number() -> Gather:
    """Ask for the number to call back, keyed in."""
    return Gather((Say("Please key in the number we should call you back on, including the area code, then "
                       "press hash. For a number in another country, key 0 0 and its country code first."),),
                  speech=False, num_digits=None, timeout=5, purpose="callback-number")


def ask_time() -> Gather:
    """Ask for the time of the callback, four keys of 24-hour time."""
    return Gather((Say("Please key in the time you'd like us to call you, as four digits in 24-hour time: for "
                       "example 1 5 3 0 for half past three in the afternoon."),),
                  speech=False, num_digits=4, timeout=8, purpose="callback-time")


def number_keyed(rt, sid: str, digits: str) -> list:
    """A keyed number: refused with the reason (and another try, or holding), or read back for confirmation."""
    info, _ = department_of(rt, sid)
    judged = verdict(rt, digits, info.line, info.caller)
    if not judged.allowed:
        if rt.acd.count(info.sid, "callback-number") < NUMBER_TRIES:
            return [Say(why(judged.refusal)), ask_number()]
        return [Gather((Say(f"{why(judged.refusal)} To keep holding, press 1."),), speech=False, purpose="hold")]
    rt.acd.note(info.sid, PENDING_FIELD, judged.number)
    return [Gather((Say(f"You entered {read_back(judged.number)}. To confirm, press 1. To key it again, press 2."),),
                   speech=False, purpose="callback-confirm"),
            ask_number()]


def confirm(rt, sid: str, digits: str | None) -> list:
    """1 = book the callback on the number read back (checked again); anything else = key it again."""
    info, department = department_of(rt, sid)
    pending = rt.acd.flag(info.sid, PENDING_FIELD)
    if digits != "1" or not pending:
        return [ask_number()]
    now = rt.clock.timestamp()
    if rt.acd.has(info.sid, "callback"):  # booked on their own number first: change the number
        with rt.sessions() as session:
            booked = find_by_call(session, info.sid)
            if booked is None or booked.phone != pending:
                judged = verdict(rt, pending, info.line)
                if not judged.allowed or not change_phone(session, booked.id, judged.number, rt.clock.now()):
                    return [Say(why(judged.refusal or Refusal.INVALID)), Say("Goodbye."), Hangup()]
    else:
        judged = verdict(rt, pending, info.line)
        if not judged.allowed:
            return [Gather((Say(f"{why(judged.refusal)} To keep holding, press 1."),), speech=False, purpose="hold")]
        book(rt, info, department.id, judged.number, now)
    return [Say(f"Thank you. We'll call you back on {read_back(pending)} when it's your turn, and you keep your "
                "place in line. Goodbye."), Hangup()]


def after_hours(rt, sid: str, digits: str, words: str, caller: str, called: str, department_id: str) -> list:
    """A closed department's offer (no department open now chosen): 1 = a callback when it opens, 3 = at a time
    the caller keys, anything else or silence = a message."""
    now = rt.clock.now()
    digits = digits or utterances.spoken_key(words) or ("1" if utterances.asks_for_callback(words) else "")
    script = rt.script_for_number(called)
    department = script.departments[department_id]
    opening = next_opening(department.hours, now) if department.hours else now
    if digits not in ("1", "3") or not offers_callback(department, opening):
        return [Say("Please leave your name and what you need after the tone, and we'll call you back."),
                Voicemail(department.id, 120)]
    info = CallerInfo(sid, caller, called, department.id, entered_at=now.timestamp())
    rt.acd.remember(info)  # the time and number webhooks that may follow find the caller's details
    if digits == "3":
        return [ask_time()]
    return book_at(rt, info, department, opening)


def time_chosen(rt, sid: str, digits: str) -> list:
    """The keyed time: the callback moves there (or is booked for it), or the caller hears why not."""
    info, department = department_of(rt, sid)
    script, now = rt.script_for_number(info.line), rt.clock.now()
    chosen = callback_times.choose(department.hours, script.time_zone, digits, now)
    if chosen.at is None:
        words = callback_times.refusal_words(chosen.refusal, department.hours, now)
        if rt.acd.count(info.sid, "callback-time") < NUMBER_TRIES:
            return [Say(words), ask_time()]
        if rt.acd.has(info.sid, "callback"):
            return [Say(f"{words} We'll call you back when it's your turn instead. Goodbye."), Hangup()]
        return [Say(f"{words} Please call us again when we're open. Goodbye."), Hangup()]
    return book_at(rt, info, department, chosen.at)


def book_at(rt, info, department, at) -> list:
    """A callback at a set time: booked (or moved out of line to it), on the caller's own or confirmed number.

    Out of line until then: at its time a worker's timer puts it back at its original place (jobs.callback_due).
    """
    now = rt.clock.now()
    with rt.sessions() as session:
        booked = find_by_call(session, info.sid)
        if booked is None:
            judged = verdict(rt, info.caller, info.line)
            if not judged.allowed:
                return [Say(f"{why(judged.refusal)} Please call us again when we're open. Goodbye."), Hangup()]
            booked = request_callback(session, info.sid, judged.number, info.line, department.id, now, due_at=at,
                                      queued_at=at)
        elif not move(session, booked.id, CallbackState.SCHEDULED, now, only_from=CallbackState.REQUESTED,
                      due_at=at):
            return [Say("An adviser is free now, so we're calling you back straight away. Goodbye."), Hangup()]
        callback_id, number = booked.id, booked.phone
    rt.acd.queues.leave(department.id, info.sid)
    rt.acd.mark(info.sid, "callback")
    CallbackTimer(rt.redis, rt.clock).book(callback_id, at)
    Promises(rt.redis).log(info.sid, "callback-accepted", now.timestamp(), due=at.isoformat())
    when = callback_times.spoken_time(at, now)
    return [Say(f"Thank you. We'll call you back on {spoken(number)} {when}. You can hang up now. Goodbye."),
            Hangup()]
