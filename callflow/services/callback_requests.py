"""A caller asking for a callback: the number (their own, or another keyed in and confirmed), the toll-fraud
guard's checks, the booking that keeps their place in line (virtual hold), a time of their choosing, and the
offer of a closed department; all of it in the caller's language (the script `placed` gives), which the
booking keeps so the call back speaks it too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callflow.domain import callback_times
from callflow.domain.actions import Gather, Hangup, LeaveQueue, Pause, Say, Voicemail
from callflow.domain.callback_guard import Policy, Refusal, Verdict, check, home_regions, policy_for, spoken
from callflow.domain.callback_words import read_back, why
from callflow.domain.script import utterances
from callflow.domain.script.closing import offers_callback
from callflow.domain.script.hours import next_opening
from callflow.domain.script.own_words import voiced
from callflow.domain.script.translated import in_language
from callflow.services.callers import placed
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


def _say(script, name: str, /, **values) -> Say:
    """One of the line's callback messages, in the caller's language and that language's voice."""
    return voiced(script, script.message(name, **values))


def take_callback(rt, info, department, now: float, holding: bool) -> list:
    """The caller chose a callback: book it on their own number if the guard allows, else offer another way.

    A caller asked before hold can then key a different number; one holding in Twilio's queue (where only
    the wait music's verbs play) is called back on their own number or keeps holding.
    """
    _, script, department = placed(rt, info.sid, info)
    if not holding and rt.acd.has(info.sid, OTHER_NUMBER_FLAG):
        return [ask_number(script)]
    number = info.caller
    if rt.acd.has(info.sid, "callback"):  # booked already (a repeated request)
        with rt.sessions() as session:
            booked = find_by_call(session, info.sid)
        number = booked.phone if booked else number
    else:
        judged = verdict(rt, info.caller, info.line)
        if not judged.allowed:
            return refused(rt, script, info.sid, judged.refusal, holding)
        number = judged.number
        book(rt, info, department.id, number, now)
    booked_words = script.message("callback_booked", number=spoken(number))
    if holding:
        return [voiced(script, booked_words, script.message("callback_hang_up")), LeaveQueue()]
    return [voiced(script, booked_words),
            Gather((_say(script, "callback_more_choices"),), speech=False, purpose="callback-choice"),
            _say(script, "callback_goodbye"), Hangup()]


def choice(rt, sid: str, digits: str | None) -> list:
    """After booking: 2 = be called on a different number; 3 = at a time of their choosing; else goodbye."""
    _, script, _ = placed(rt, sid)
    if digits == "2":
        return [ask_number(script)]
    if digits == "3":
        return [ask_time(script)]
    return [_say(script, "callback_goodbye"), Hangup()]


def book(rt, info, department_id: str, number: str, now: float) -> None:
    """Record the callback and keep the caller's place in line (virtual hold)."""
    with rt.sessions() as session:
        request_callback(session, info.sid, number, info.line, department_id, rt.clock.now(),
                         queued_at=datetime.fromtimestamp(info.entered_at or now, UTC), language=info.language)
    rt.acd.mark(info.sid, "callback")
    rt.acd.queues.join(department_id, info.sid, entered_at=info.entered_at or now, kind=MemberKind.CALLBACK)
    Promises(rt.redis).log(info.sid, "callback-accepted", now)


def refused(rt, script, sid: str, refusal: Refusal, holding: bool) -> list:
    """Say why we can't call that number back, and what the caller can do instead."""
    if holding:
        return [voiced(script, why(refusal, script), script.message("callback_keep_place")), Pause(1)]
    rt.acd.mark(sid, OTHER_NUMBER_FLAG)  # choosing a callback again now asks for another number
    return [Gather((voiced(script, why(refusal, script), script.message("callback_refused_choices")),),
                   speech=False, purpose="hold")]


def ask_number(script) -> Gather:
    """Ask for the number to call back, keyed in."""
    return Gather((_say(script, "callback_ask_number"),), speech=False, num_digits=None, timeout=5,
                  purpose="callback-number")


def ask_time(script) -> Gather:
    """Ask for the time of the callback, four keys of 24-hour time."""
    return Gather((_say(script, "callback_ask_time"),), speech=False, num_digits=4, timeout=8,
                  purpose="callback-time")


def _keep_holding(script, refusal: Refusal) -> Gather:
    return Gather((voiced(script, why(refusal, script), script.message("callback_keep_holding")),), speech=False,
                  purpose="hold")


def number_keyed(rt, sid: str, digits: str) -> list:
    """A keyed number: refused with the reason (and another try, or holding), or read back for confirmation."""
    info, script, _ = placed(rt, sid)
    judged = verdict(rt, digits, info.line, info.caller)
    if not judged.allowed:
        if rt.acd.count(info.sid, "callback-number") < NUMBER_TRIES:
            return [voiced(script, why(judged.refusal, script)), ask_number(script)]
        return [_keep_holding(script, judged.refusal)]
    rt.acd.note(info.sid, PENDING_FIELD, judged.number)
    return [Gather((_say(script, "callback_number_entered", number=read_back(judged.number, script)),),
                   speech=False, purpose="callback-confirm"),
            ask_number(script)]


def confirm(rt, sid: str, digits: str | None) -> list:
    """1 = book the callback on the number read back (checked again); anything else = key it again."""
    info, script, department = placed(rt, sid)
    pending = rt.acd.flag(info.sid, PENDING_FIELD)
    if digits != "1" or not pending:
        return [ask_number(script)]
    now = rt.clock.timestamp()
    if rt.acd.has(info.sid, "callback"):  # booked on their own number first: change the number
        with rt.sessions() as session:
            booked = find_by_call(session, info.sid)
            if booked is None or booked.phone != pending:
                judged = verdict(rt, pending, info.line)
                if not judged.allowed or not change_phone(session, booked.id, judged.number, rt.clock.now()):
                    return [voiced(script, why(judged.refusal or Refusal.INVALID, script)),
                            _say(script, "callback_goodbye"), Hangup()]
    else:
        judged = verdict(rt, pending, info.line)
        if not judged.allowed:
            return [_keep_holding(script, judged.refusal)]
        book(rt, info, department.id, judged.number, now)
    return [voiced(script, script.message("callback_booked", number=read_back(pending, script)),
                  script.message("callback_goodbye")), Hangup()]


def after_hours(rt, sid: str, digits: str, words: str, caller: str, called: str, department_id: str) -> list:
    """A closed department's offer (no department open now chosen): 1 = a callback when it opens, 3 = at a time
    the caller keys, anything else or silence = a message."""
    now = rt.clock.now()
    digits = digits or utterances.spoken_key(words) or ("1" if utterances.asks_for_callback(words) else "")
    language = (rt.live_calls.load(sid) or {}).get("language") or ""  # the language the menus spoke
    script = rt.script_for_number(called)
    script = in_language(script, language) if language else script
    department = script.departments[department_id]
    opening = next_opening(department.hours, now) if department.hours else now
    if digits not in ("1", "3") or not offers_callback(department, opening):
        return [_say(script, "callback_leave_message"), Voicemail(department.id, 120)]
    info = CallerInfo(sid, caller, called, department.id, entered_at=now.timestamp(), language=language)
    rt.acd.remember(info)  # the time and number webhooks that may follow find the caller's details
    if digits == "3":
        return [ask_time(script)]
    return book_at(rt, info, script, department, opening)


def time_chosen(rt, sid: str, digits: str) -> list:
    """The keyed time: the callback moves there (or is booked for it), or the caller hears why not."""
    info, script, department = placed(rt, sid)
    now = rt.clock.now()
    chosen = callback_times.choose(department.hours, script.time_zone, digits, now)
    if chosen.at is None:
        words = callback_times.refusal_words(chosen.refusal, department.hours, now, script)
        if rt.acd.count(info.sid, "callback-time") < NUMBER_TRIES:
            return [voiced(script, words), ask_time(script)]
        instead = "callback_time_instead" if rt.acd.has(info.sid, "callback") else "callback_call_when_open"
        return [voiced(script, words, script.message(instead), script.message("callback_goodbye")), Hangup()]
    return book_at(rt, info, script, department, chosen.at)


def book_at(rt, info, script, department, at) -> list:
    """A callback at a set time: booked (or moved out of line to it), on the caller's own or confirmed number.

    Out of line until then: at its time a worker's timer puts it back at its original place (jobs.callback_due).
    """
    now = rt.clock.now()
    with rt.sessions() as session:
        booked = find_by_call(session, info.sid)
        if booked is None:
            judged = verdict(rt, info.caller, info.line)
            if not judged.allowed:
                return [voiced(script, why(judged.refusal, script), script.message("callback_call_when_open"),
                              script.message("callback_goodbye")), Hangup()]
            booked = request_callback(session, info.sid, judged.number, info.line, department.id, now, due_at=at,
                                      queued_at=at, language=info.language)
        elif not move(session, booked.id, CallbackState.SCHEDULED, now, only_from=CallbackState.REQUESTED,
                      due_at=at):
            return [_say(script, "callback_now"), Hangup()]
        callback_id, number = booked.id, booked.phone
    rt.acd.queues.leave(department.id, info.sid)
    rt.acd.mark(info.sid, "callback")
    CallbackTimer(rt.redis, rt.clock).book(callback_id, at)
    Promises(rt.redis).log(info.sid, "callback-accepted", now.timestamp(), due=at.isoformat())
    when = callback_times.spoken_time(at, now, script.language)
    return [voiced(script, script.message("callback_booked_at", number=spoken(number), when=when),
                  script.message("callback_hang_up")), Hangup()]


def booking_failed(rt, sid: str) -> list:
    """The apology when booking broke, in the caller's language when their details can still be read."""
    _, script, _ = placed(rt, sid)
    return [_say(script, "callback_booking_failed"), Hangup()]
