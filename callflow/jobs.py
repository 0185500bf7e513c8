"""RQ entry points: module-level functions that take ids and primitives, never ORM objects.

A worker process builds its Runtime from the environment once; every job opens and closes its own session.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from callflow import call_log
from callflow.runtime import Runtime
from callflow.settings import Settings

log = logging.getLogger(__name__)
AGENT_RING_SECONDS = 20  # then the agent is set away and the caller offered to the next one

_runtime: Runtime | None = None


def runtime() -> Runtime:
    """This process's resources: the web app's when called from a request, else built from the environment."""
    global _runtime
    try:
        from flask import current_app

        return current_app.extensions["callflow"]
    except (RuntimeError, KeyError, ImportError):  # not inside a Flask app: a worker or the CLI
        pass
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    return _runtime


def close_call(call_sid: str, status: str, ended_at: float, duration: int | None) -> bool:
    """Record that a call ended (idempotent: Twilio may repeat the status callback)."""
    with runtime().sessions() as session:
        return call_log.call_ended(session, call_sid, status, datetime.fromtimestamp(ended_at, UTC), duration)


def distribute(departments: list[str]) -> int:
    """Match waiting callers with free agents in these departments and ring each matched agent."""
    rt = runtime()
    offers = rt.acd.offers(departments, rt.clock.timestamp())
    for offer in offers:
        ring_agent(offer.department, offer.caller_sid, offer.agent)
    return len(offers)


def ring_agent(department: str, caller_sid: str, agent_login: str) -> str | None:
    """Call the agent an offer was made to; their answer brings the whisper, then the caller."""
    from callflow.agents import find_agent
    from callflow.presence import Presence

    rt = runtime()
    info = rt.acd.caller_info(caller_sid)
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        departments = agent.department_list() if agent else []
        reach = agent.reach if agent else None
    if info is None or reach is None:  # the caller's details expired or the agent was removed
        if reach is None:
            rt.acd.set_presence(agent_login, Presence.AWAY, departments, rt.clock.timestamp())
        if info is not None:
            rt.acd.queues.join(department, caller_sid, entered_at=info.entered_at)
        return None
    query = f"caller={caller_sid}&agent={agent_login}&department={department}"
    base = rt.settings.public_url
    try:
        call = rt.twilio.calls.create(
            to=reach, from_=info.line, url=f"{base}/voice/agent/answer?{query}", method="POST",
            status_callback=f"{base}/voice/agent/status?{query}", status_callback_method="POST",
            status_callback_event=["completed"], timeout=AGENT_RING_SECONDS,
        )
    except Exception:
        # Twilio refused or did not answer: the caller must not be stranded behind an agent we cannot ring.
        log.exception("could not ring agent %s for call %s; offering the caller to the next agent",
                      agent_login, caller_sid)
        rt.acd.set_presence(agent_login, Presence.AWAY, departments, rt.clock.timestamp())
        rt.acd.queues.join(department, caller_sid, entered_at=info.entered_at)
        rt.jobs.enqueue(distribute, [department])
        return None
    return call.sid


def connect_caller(caller_sid: str, room: str) -> bool:
    """Bring the waiting caller into the agent's conference; False when the caller has already gone."""
    from twilio.base.exceptions import TwilioRestException

    rt = runtime()
    try:
        rt.twilio.calls(caller_sid).update(url=f"{rt.settings.public_url}/voice/connect?room={room}",
                                           method="POST")
    except TwilioRestException as error:
        if error.status in (400, 404):  # not in progress any more: the caller hung up while we rang
            return False
        raise
    return True


def end_wrap_up(agent_login: str, since: float) -> bool:
    """After wrap-up the agent is available again (unless they changed presence meanwhile)."""
    from callflow.agents import find_agent
    from callflow.presence import Presence

    rt = runtime()
    presence = rt.acd.presence.get(agent_login)
    if presence is None or presence.state is not Presence.WRAP_UP or presence.since != since:
        return False
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        departments = agent.department_list() if agent else []
    rt.acd.set_presence(agent_login, Presence.AVAILABLE, departments, rt.clock.timestamp())
    distribute(departments)
    return True


def set_presence(agent_login: str, state: str) -> list[str]:
    """Change an agent's presence (console, CLI) and, when they become available, look for a caller for them."""
    from callflow.agents import find_agent
    from callflow.presence import Presence

    rt = runtime()
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        if agent is None:
            raise LookupError(f"no agent {agent_login!r}")
        departments = agent.department_list()
    presence = Presence(state)
    rt.acd.set_presence(agent_login, presence, departments, rt.clock.timestamp())
    if presence is Presence.AVAILABLE:
        rt.jobs.enqueue(distribute, departments)
    return departments


def redirect_caller(caller_sid: str, url: str) -> bool:
    """Send the caller's call to new TwiML (a transfer); False when the caller has gone."""
    from twilio.base.exceptions import TwilioRestException

    try:
        runtime().twilio.calls(caller_sid).update(url=url, method="POST")
    except TwilioRestException as error:
        if error.status in (400, 404):
            return False
        raise
    return True


def hang_up_caller(caller_sid: str) -> bool:
    """End the caller's call; False when it had already ended."""
    from twilio.base.exceptions import TwilioRestException

    try:
        runtime().twilio.calls(caller_sid).update(status="completed")
    except TwilioRestException as error:
        if error.status in (400, 404):
            return False
        raise
    return True


def retrain_router(line: str) -> str | None:
    """Retrain the line's router with what transfers taught it, and publish it to every web process."""
    from callflow.learning import training_pairs

    rt = runtime()
    script = rt.script_for_number(line)
    if script is None:
        return None
    with rt.sessions() as session:
        learned = training_pairs(session)
    return rt.publish_router(script, learned)
