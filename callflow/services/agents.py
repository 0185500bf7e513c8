"""Agents at work: presence and the end of wrap-up, and the caller's leg while and after an agent serves them
(brought into the agent's room, moved by a transfer, hung up, or asked the survey when the agent leaves)."""

from __future__ import annotations

from twilio.base.exceptions import TwilioRestException

from callflow.domain import draft_calls
from callflow.services import queued
from callflow.services.ringing import distribute
from callflow.services.summaries import write_summary
from callflow.store.agents import find_agent
from callflow.store.callbacks import find_by_call
from callflow.store.presence import Presence


def set_presence(rt, agent_login: str, state: str, back_in_minutes: int | None = None) -> list[str]:
    """Change an agent's presence (console, CLI) and, when they become available, look for a caller for them.

    An agent going on a break can say when they will be back: callers' wait estimates count on them from then,
    so a promise made during a lunch hour does not assume the room stays half empty.
    """
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        if agent is None:
            raise LookupError(f"no agent {agent_login!r}")
        departments = agent.department_list()
    presence, now = Presence(state), rt.clock.timestamp()
    back_at = now + 60 * back_in_minutes if back_in_minutes and presence is Presence.AWAY else None
    rt.acd.set_presence(agent_login, presence, departments, now, back_at=back_at)
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
    rt.acd.set_presence(agent_login, Presence.AVAILABLE, departments, rt.clock.timestamp())
    distribute(rt, departments)
    if presence.call:  # the disposition is usually filed during wrap-up: bring the summary up to date
        write_summary(rt, presence.call)
    return True


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
