"""Agents at work: presence and the end of wrap-up, and the caller's leg while and after an agent serves them
(brought into the agent's room, moved by a transfer, hung up, or asked the survey when the agent leaves)."""

from __future__ import annotations

import logging

from twilio.base.exceptions import TwilioRestException

from callflow.domain import draft_calls, languages
from callflow.domain.actions import Hangup, JoinRoom, Redirect, Say
from callflow.domain.whisper import callback_whisper, whisper
from callflow.services import queued
from callflow.services.ringing import distribute
from callflow.services.summaries import write_summary
from callflow.store.agents import find_agent
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from callflow.store.wait_stats import WaitStats

log = logging.getLogger(__name__)
UNANSWERED = ("busy", "no-answer", "failed", "canceled")


def room_for(caller_sid: str) -> str:
    """The conference where an agent and a caller meet."""
    return f"call-{caller_sid}"


def set_presence(rt, agent_login: str, state: str, back_in_minutes: int | None = None) -> list[str]:
    """Change an agent's presence (console, CLI) and, when they become available, look for a caller for them.

    An agent going on a break can say when they will be back: callers' wait estimates count on them from then,
    so a promise made during a lunch hour does not assume the room stays half empty.
    """
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        if agent is None:
            raise LookupError(f"no agent {agent_login!r}")
        departments, languages = agent.department_list(), agent.language_list()
    presence, now = Presence(state), rt.clock.timestamp()
    back_at = now + 60 * back_in_minutes if back_in_minutes and presence is Presence.AWAY else None
    _wrap_up_ended(rt, rt.acd.presence.get(agent_login), agent_login, now)
    rt.acd.set_presence(agent_login, presence, departments, now, back_at=back_at, languages=languages)
    if presence is Presence.AVAILABLE:
        queued.enqueue(rt, "distribute", departments)
    return departments


def end_wrap_up(rt, agent_login: str, since: float) -> bool:
    """After wrap-up the agent is available again (unless they changed presence meanwhile)."""
    presence = rt.acd.presence.get(agent_login)
    if presence is None or presence.state is not Presence.WRAP_UP or presence.since != since:
        return False
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        departments = agent.department_list() if agent else []
        languages = agent.language_list() if agent else []
    now = rt.clock.timestamp()
    rt.acd.set_presence(agent_login, Presence.AVAILABLE, departments, now, languages=languages)
    _wrap_up_ended(rt, presence, agent_login, now)
    distribute(rt, departments)
    if presence.call:  # the disposition is usually filed during wrap-up: bring the summary up to date
        write_summary(rt, presence.call)
    return True


def _wrap_up_ended(rt, presence, agent_login: str, now: float) -> None:
    """Log the end of an agent's wrap-up in the call's hold log (handle time counts it), whether it ran its
    course or the agent ended it early from the console."""
    if presence is not None and presence.state is Presence.WRAP_UP and presence.call:
        Promises(rt.redis).log(presence.call, "wrap-up-ended", now, agent=agent_login,
                               seconds=round(now - presence.since, 3))


def connect_caller(rt, caller_sid: str, room: str) -> bool:
    """Bring the waiting caller into the agent's conference; False when the caller has already gone."""
    return _redirect(rt, caller_sid, url=f"{rt.settings.public_url}/voice/connect?room={room}", method="POST")


def redirect_caller(rt, caller_sid: str, url: str) -> bool:
    """Send the caller's call to new TwiML (a transfer); False when the caller has gone."""
    return _redirect(rt, caller_sid, url=url, method="POST")


def hang_up_caller(rt, caller_sid: str) -> bool:
    """End the caller's line (for a callback, the call we placed to them); False when it had already ended."""
    return _redirect(rt, _live_leg(rt, caller_sid), status="completed")


def after_agent_left(rt, caller_sid: str) -> bool:
    """The agent hung up and nobody took the caller over: the satisfaction survey if the line asks it (the
    caller is still on the line to hear it), else the caller's call ends too. False when the caller had gone."""
    info = rt.acd.caller_info(caller_sid)
    script = rt.script_for_number(info.line) if info is not None else None
    if script is None or not script.after_call.survey or rt.acd.has(caller_sid, draft_calls.MARK):
        return hang_up_caller(rt, caller_sid)
    return _redirect(rt, _live_leg(rt, caller_sid), url=f"{rt.settings.public_url}/voice/survey", method="POST")


def _redirect(rt, call_sid: str, **update) -> bool:
    """Update a call in progress (new TwiML, or ended); False when it is not in progress any more."""
    try:
        rt.twilio.calls(call_sid).update(**update)
    except TwilioRestException as error:
        if error.status in (400, 404):  # not in progress any more: the caller hung up meanwhile
            return False
        raise
    return True


def _live_leg(rt, caller_sid: str) -> str:
    """The call the caller is on now: their own, or for a callback the call we placed to them."""
    if rt.acd.has(caller_sid, "in_room"):
        with rt.sessions() as session:
            callback = find_by_call(session, caller_sid)
            return callback.dial_sid if callback and callback.dial_sid else caller_sid
    return caller_sid


def _departments(rt, login: str) -> list[str]:
    with rt.sessions() as session:
        agent = find_agent(session, login)
        return agent.department_list() if agent else []


def agent_answered(rt, caller_sid: str, login: str, agent_leg: str) -> list:
    """The agent picked up: whisper, then join the conference while a worker brings the caller in."""
    now = rt.clock.timestamp()
    info = rt.acd.caller_info(caller_sid)
    if info is None:
        departments = _departments(rt, login)
        rt.acd.set_presence(login, Presence.AVAILABLE, departments, now)
        queued.enqueue(rt, "distribute", departments)
        return [Say("Sorry, that caller has already hung up."), Hangup()]
    rt.acd.set_presence(login, Presence.ON_CALL, _departments(rt, login), now, call=caller_sid)
    Promises(rt.redis).log(caller_sid, "agent-answered", now, agent=login, waited=round(now - info.entered_at))
    script = rt.script_for_number(info.line)
    department = script.departments.get(info.department) if script else None
    name = department.name if department else info.department
    note = languages.caller_note(info.language, script.language if script else "",
                                 rt.acd.interpreter_needed(caller_sid))
    warm_from = rt.acd.flag(caller_sid, "warm_from")
    if warm_from:  # the caller is already in the room with the agent who transferred them
        heard = Say(f"Transfer from {warm_from}. " + whisper(info, name, now, note))
        rt.acd.mark(caller_sid, "connected")
    elif rt.acd.has(caller_sid, "in_room"):  # a callback: the customer answered and waits in the room
        heard = Say("Callback. " + whisper(info, name, now, note))
        rt.acd.mark(caller_sid, "connected")
    elif rt.acd.has(caller_sid, "callback"):  # agent-first callback: the customer is dialled now
        heard = Say(callback_whisper(info, name))
        rt.acd.note(caller_sid, "agent_leg", agent_leg)
        queued.enqueue(rt, "place_callback", info.department, caller_sid, login)
    else:  # the caller keeps hearing hold music until the whisper is over, then joins an agent who is there
        query = (("caller", caller_sid), ("agent", login))
        return [Say(whisper(info, name, now, note)), Redirect("agent_voice.ready", query)]
    # The caller's leg ends the room; an agent leaving (after a warm transfer, say) does not.
    return [heard, JoinRoom(room_for(caller_sid), ends_room=False)]


def agent_ready(rt, caller_sid: str) -> list:
    """The agent has heard the whisper: bring the caller in from the hold music and join them in the room (the
    caller waiting alone in a silent room through the whisper would think they were cut off)."""
    queued.enqueue(rt, "connect_caller", caller_sid, room_for(caller_sid))
    return [JoinRoom(room_for(caller_sid), ends_room=False)]


def agent_call_ended(rt, caller_sid: str, login: str, department: str, call_status: str | None,
                     duration: str | None, line: str) -> None:
    """The agent's call ended: unanswered -> away and the caller keeps their place; answered -> wrap-up."""
    now = rt.clock.timestamp()
    presence = rt.acd.presence.get(login)
    departments = _departments(rt, login)
    if call_status in UNANSWERED or (presence and presence.state is Presence.OFFERED):
        rt.acd.presence.set(login, Presence.AWAY, now, departments)
        Promises(rt.redis).log(caller_sid, "agent-not-answered", now, agent=login)
        if rt.acd.caller_info(caller_sid) is not None and not rt.acd.is_connected(caller_sid):
            rt.acd.back_in_line(department, caller_sid, entered_at=now)
        queued.enqueue(rt, "distribute", [department])
    elif presence and presence.state is Presence.ON_CALL and presence.call == caller_sid \
            and rt.acd.has(caller_sid, "callback") and not rt.acd.is_connected(caller_sid):
        # Agent-first: the customer never came on the line (no answer, or the agent gave up waiting). Nothing
        # was said, so no wrap-up: the agent is free at once; the callback's own status decides what is next.
        rt.acd.set_presence(login, Presence.AVAILABLE, departments, now)
        queued.enqueue(rt, "distribute", departments)
    elif presence and presence.state is Presence.ON_CALL and presence.call == caller_sid:
        rt.acd.presence.set(login, Presence.WRAP_UP, now, departments, call=caller_sid)
        duration = duration or "0"
        Promises(rt.redis).log(caller_sid, "agent-left", now, agent=login,
                               duration=int(duration) if duration.isdigit() else 0)
        info = rt.acd.caller_info(caller_sid)
        if info is not None and info.department == department and rt.acd.is_connected(caller_sid):
            # The agent hung up and nobody took the caller over: the survey if the line asks it, else hang up.
            queued.enqueue(rt, "after_agent_left", caller_sid)
        script = rt.script_for_number(line)
        wrap_up = 30
        if script and department in script.departments:
            wrap_up = script.departments[department].wrap_up_seconds
        queued.schedule(rt, wrap_up, "end_wrap_up", login, now)
        try:  # the call's handle time for wait estimates: talk since the agent answered, plus the set wrap-up
            WaitStats(rt.redis).handled(department, now - presence.since + wrap_up)
        except Exception:
            log.exception("handle time of %s not counted", caller_sid)
