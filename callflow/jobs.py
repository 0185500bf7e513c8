"""RQ entry points: module-level functions that take ids and primitives, never ORM objects.

A worker process builds its Runtime from the environment once; every job opens and closes its own session.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from rq import Retry

from callflow import call_log
from callflow.runtime import Runtime
from callflow.settings import Settings

log = logging.getLogger(__name__)
AGENT_RING_SECONDS = 20
# Database work is retried with backoff (real seconds) so a database outage delays summaries but loses none.
DATABASE_RETRY = Retry(max=10, interval=[1, 2, 5, 10, 30, 60, 120, 300, 600, 900])  # then the agent is set away and the caller offered to the next one

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
    """Record that a call ended and write its summary (idempotent: Twilio may repeat the status callback).

    The call's live state in Redis is dropped only once the summary is safely in the database: if the database
    is down, the job fails, RQ retries it with backoff, and nothing is lost meanwhile.
    """
    rt = runtime()
    with rt.sessions() as session:
        closed = call_log.call_ended(session, call_sid, status, datetime.fromtimestamp(ended_at, UTC), duration)
        write_summary(call_sid, session)
    rt.live_calls.forget(call_sid)
    rt.acd.forget(call_sid)
    return closed


def write_summary(call_sid: str, session=None) -> dict | None:
    """(Re)write a call's summary from the call log, its IVR state, timeline, dispositions and callback."""
    from callflow import summaries
    from callflow.callbacks import find_by_call
    from callflow.customers import find_customer
    from callflow.dispositions import dispositions_of
    from callflow.models import Call
    from callflow.promises import Promises

    rt = runtime()
    if session is None:
        with rt.sessions() as own:
            return write_summary(call_sid, own)
    call = session.get(Call, call_sid)
    if call is None:
        return None
    ivr = rt.live_calls.load(call_sid)
    if ivr is None and call.path:
        ivr = {"path": json.loads(call.path)}
    callback = find_by_call(session, call_sid)
    customer = find_customer(session, call.caller)
    body = summaries.build_summary(
        {"sid": call.sid, "caller": call.caller, "called": call.called, "direction": call.direction,
         "status": call.status, "started_at": call.started_at.isoformat(),
         "ended_at": call.ended_at.isoformat() if call.ended_at else None,
         "duration_seconds": call.duration_seconds, "department": call.department,
         "script_version": call.script_version},
        ivr, Promises(rt.redis).history(call_sid),
        [{"agent": d.agent, "outcome": d.outcome, "notes": d.notes,
          "promised": [p for p in d.promised.split("\n") if p]} for d in dispositions_of(session, call_sid)],
        None if callback is None else {"state": callback.state, "attempts": callback.attempts,
                                       "phone": callback.phone},
        customer.name if customer else None,
    )
    summaries.save_summary(session, body, rt.clock.now())
    return body


def distribute(departments: list[str]) -> int:
    """Match waiting callers with free agents in these departments and ring each matched agent."""
    rt = runtime()
    offers = rt.acd.offers(departments, rt.clock.timestamp())
    for offer in offers:
        ring_agent(offer.department, offer.caller_sid, offer.agent)
    return len(offers)


def ring_agent(department: str, caller_sid: str, agent_login: str) -> str | None:
    """Call the agent an offer was made to; their answer brings the whisper, then the caller.

    A callback's turn is different: the customer is called first (customer-first), and their answer rings
    the agent into the same room.
    """
    from callflow.agents import find_agent
    from callflow.presence import Presence
    from callflow.queues import MemberKind

    rt = runtime()
    if rt.acd.kind(caller_sid) == MemberKind.CALLBACK and not rt.acd.has(caller_sid, "in_room"):
        return place_callback(department, caller_sid, agent_login)
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
    if presence.call:  # the disposition is usually filed during wrap-up: bring the summary up to date
        write_summary(presence.call)
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
    """End the caller's line (for a callback, the call we placed to them); False when it had already ended."""
    from twilio.base.exceptions import TwilioRestException

    from callflow.callbacks import find_by_call

    rt = runtime()
    live = caller_sid
    if rt.acd.has(caller_sid, "in_room"):
        with rt.sessions() as session:
            callback = find_by_call(session, caller_sid)
            live = callback.dial_sid if callback and callback.dial_sid else caller_sid
    try:
        rt.twilio.calls(live).update(status="completed")
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


CALLBACK_RING_SECONDS = 30
CALLBACK_RETRY_SECONDS = (300, 900)  # after the first and second unanswered attempt; then given up


def place_callback(department: str, call_sid: str, agent_login: str) -> str | None:
    """Ring the customer who asked for a callback; the agent reserved for them waits for their answer."""
    from callflow.callbacks import CallbackState, find_by_call, move

    rt = runtime()
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        if callback is None or not move(session, callback.id, CallbackState.DIALLING, rt.clock.now(),
                                        agent=agent_login):
            return None  # already being dialled by another worker, or closed
        phone, line, callback_id = callback.phone, callback.line, callback.id
    query = f"call={call_sid}&agent={agent_login}&department={department}&callback={callback_id}"
    base = rt.settings.public_url
    call = rt.twilio.calls.create(
        to=phone, from_=line, url=f"{base}/voice/callback/answer?{query}", method="POST",
        status_callback=f"{base}/voice/callback/status?{query}", status_callback_method="POST",
        status_callback_event=["completed"], timeout=CALLBACK_RING_SECONDS, machine_detection="Enable",
    )
    with rt.sessions() as session:
        from callflow.models import Callback

        session.get(Callback, callback_id).dial_sid = call.sid
        session.commit()
    return call.sid


def retry_callback(call_sid: str) -> bool:
    """An unanswered callback tries again: back in line at its original place."""
    from callflow.callbacks import CallbackState, find_by_call, move

    rt = runtime()
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        if callback is None or not move(session, callback.id, CallbackState.REQUESTED, rt.clock.now()):
            return False
        department = callback.department
    info = rt.acd.caller_info(call_sid)
    from callflow.queues import MemberKind

    rt.acd.queues.join(department, call_sid, entered_at=info.entered_at if info else rt.clock.timestamp(),
                       kind=MemberKind.CALLBACK)
    distribute([department])
    return True


def give_up_callback(callback_id: int) -> bool:
    """After the last unanswered attempt: close the request and tell the customer by SMS that we tried."""
    from callflow.callbacks import CallbackState, move
    from callflow.models import Callback

    rt = runtime()
    with rt.sessions() as session:
        callback = session.get(Callback, callback_id)
        if callback is None or not move(session, callback_id, CallbackState.GIVEN_UP, rt.clock.now()):
            return False
        phone, line, call_sid = callback.phone, callback.line, callback.call_sid
    script = rt.script_for_number(line)
    company = script.company if script else "us"
    rt.twilio.messages.create(to=phone, from_=line, body=f"{company} tried to call you back and couldn't reach "
                                                          "you. Please call us again when it suits you.")
    rt.acd.callback_closed(call_sid)
    return True
