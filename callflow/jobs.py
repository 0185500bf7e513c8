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


def close_call(call_sid: str, status: str, ended_at: float, duration: int | None, caller: str | None = None,
               called: str | None = None) -> bool:
    """Record that a call ended and write its summary (idempotent: Twilio may repeat the status callback).

    The call's live state in Redis is dropped only once the summary is safely in the database: if the database
    is down, the job fails, RQ retries it with backoff, and nothing is lost meanwhile. A call whose start could
    not be logged (the database was down then) is logged now from the status callback's From and To.
    """

    from callflow.models import Summary

    rt = runtime()
    with rt.sessions() as session:
        live = rt.live_calls.load(call_sid) if caller is not None else None
        closed = _close_record(session, call_sid, status, ended_at, duration, caller, called,
                               (live or {}).get("script_version"))
        if closed or session.get(Summary, call_sid) is None:  # a repeated status callback rewrites nothing
            write_summary(call_sid, session)
    rt.live_calls.forget(call_sid)
    rt.acd.forget(call_sid)
    return closed


def close_record_only(call_sid: str, status: str, ended_at: float, duration: int | None, caller: str,
                      called: str) -> bool:
    """The status callback came while Redis was down, so no worker can be asked to close the call: its record
    is closed here, in the database alone, and the sweeper writes its summary once Redis is back
    (`summarise_missed`), with whatever of the call's live state Redis kept."""
    rt = runtime()
    with rt.sessions() as session:
        return _close_record(session, call_sid, status, ended_at, duration, caller, called, None)


def _close_record(session, call_sid: str, status: str, ended_at: float, duration: int | None,
                  caller: str | None, called: str | None, script_version: str | None) -> bool:
    """Close a call's record; one whose start could not be logged is logged first from From and To."""
    from datetime import timedelta

    from callflow.models import Call

    if caller is not None and session.get(Call, call_sid) is None:
        started = datetime.fromtimestamp(ended_at, UTC) - timedelta(seconds=duration or 0)
        call_log.call_started(session, call_sid, caller, called or "", started, script_version=script_version)
    return call_log.call_ended(session, call_sid, status, datetime.fromtimestamp(ended_at, UTC), duration)


def summarise_missed(rt, now: datetime) -> int:
    """Write the summary of every call that ended a while ago without one: its close job was never queued
    (Redis was down when Twilio reported the end) or was lost with Redis's data. Every call has a summary."""
    from datetime import timedelta

    from callflow.summaries import ended_without_summary

    with rt.sessions() as session:
        missed = ended_without_summary(session, now - timedelta(seconds=SWEEP_EVERY_SECONDS), MISSED_PER_SWEEP)
    for call_sid in missed:
        write_summary(call_sid)
        rt.live_calls.forget(call_sid)
        rt.acd.forget(call_sid)
    if missed:
        log.warning("wrote the summaries of %d calls that had none", len(missed))
    return len(missed)


def write_summary(call_sid: str, session=None) -> dict | None:
    """(Re)write a call's summary from the call log, its IVR state, timeline, dispositions and callback."""
    from callflow import after_call, summaries
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
                                       "phone": callback.phone,
                                       "due_at": callback.due_at.isoformat() if callback.due_at else None},
        customer.name if customer else None,
        sms_sent=after_call.sms_sent(session, call_sid), survey_score=after_call.answer_of(session, call_sid),
    )
    summaries.save_summary(session, body, rt.clock.now())
    return body


def disposition_filed(call_sid: str) -> dict | None:
    """An agent filed a call's disposition: the caller's SMS of the actions promised (if the line sends it),
    then the summary with the disposition, in that order so the summary says whether the SMS went."""
    send_promised_actions(call_sid)
    return write_summary(call_sid)


SMS_LEASE_SECONDS = 30  # real seconds a claim to send an after-call SMS lasts before another job takes it over


class SendingElsewhere(RuntimeError):
    """Another job holds a fresh claim to send this SMS: try again later (RQ's retry), when it is sent or stale."""


def send_promised_actions(call_sid: str) -> str | None:
    """Text the caller the actions the agent promised, once per call however often this runs; the message sid.

    Only on lines whose script has `after_call.sms_actions`, never for test calls (they leave no call log), and
    only to a number the toll-fraud guard accepts (a withheld or invalid caller ID gets nothing). A callback's
    customer is texted on the number we called them back on.
    """
    from uuid import uuid4

    from twilio.base.exceptions import TwilioRestException

    from callflow import after_call, test_calls
    from callflow.callback_guard import check, policy_for
    from callflow.callbacks import find_by_call
    from callflow.dispositions import dispositions_of
    from callflow.models import Call

    rt = runtime()
    if rt.acd.has(call_sid, test_calls.MARK):
        return None
    now = rt.clock.now()
    with rt.sessions() as session:
        call = session.get(Call, call_sid)
        script = rt.script_for_number(call.called) if call is not None else None
        if script is None or not script.after_call.sms_actions:
            return None
        promised = [p for d in dispositions_of(session, call_sid) for p in d.promised.split("\n") if p]
        body = after_call.actions_text(script.company, promised)
        callback = find_by_call(session, call_sid)
        judged = check(callback.phone if callback is not None else call.caller, policy_for(rt.settings), 0)
        if body is None or not judged.allowed:
            return None
        token = uuid4().hex
        row = after_call.claim_message(session, call_sid, after_call.ACTIONS, judged.number, call.called, body,
                                       token, now)
        message_id, phone, line, body, state = row.id, row.phone, row.line, row.body, row.state
        if state == "sent":
            return row.message_sid
        if state != "sending":
            return None  # Twilio refused it for good
        if row.token != token:  # someone else's claim: sent already, in progress, or left by a dead worker
            old_token = row.token
            if not after_call.take_over(session, message_id, old_token, token, now,
                                        rt.clock.virtual_seconds(SMS_LEASE_SECONDS)):
                raise SendingElsewhere(f"the SMS for {call_sid} is being sent by another job")
            # The dead worker may have sent it before it could write the sid: Twilio's record says.
            sent = [m.sid for m in rt.twilio.messages.list(to=phone, from_=line, limit=50) if m.body == body]
            if sent:
                after_call.mark_sent(session, message_id, token, sent[-1], now)
                log.warning("after-call SMS for %s: adopted %s sent by a worker that died", call_sid, sent[-1])
                return sent[-1]
    try:
        message = rt.twilio.messages.create(to=phone, from_=line, body=body)
    except TwilioRestException as error:
        if error.status >= 500:
            raise  # unknown whether it was sent: the retry (after the lease) asks Twilio first
        log.error("Twilio refused the after-call SMS for %s to %s: %s", call_sid, phone, error)
        with rt.sessions() as session:
            after_call.mark_refused(session, message_id, token)
        return None
    with rt.sessions() as session:
        after_call.mark_sent(session, message_id, token, message.sid, rt.clock.now())
    return message.sid


def record_survey(leg_sid: str, score: int, answered_at: float) -> bool:
    """Store a survey answer the webhook could not (the database was down), then bring the summary up to date."""
    from callflow import after_call
    from callflow.callbacks import original_call_sid

    rt = runtime()
    with rt.sessions() as session:
        call_sid = original_call_sid(session, leg_sid)
        stored = after_call.record_answer(session, call_sid, score, datetime.fromtimestamp(answered_at, UTC))
    write_summary(call_sid)
    return stored


def distribute(departments: list[str]) -> int:
    """Match waiting callers with free agents in these departments and ring each matched agent."""
    rt = runtime()
    offers = rt.acd.offers(departments, rt.clock.timestamp())
    for offer in offers:
        ring_agent(offer.department, offer.caller_sid, offer.agent)
    return len(offers)


def ring_agent(department: str, caller_sid: str, agent_login: str) -> str | None:
    """Call the agent an offer was made to; their answer brings the whisper, then the caller.

    A callback's turn is different. Customer-first (the default): the customer is called first, and their
    answer rings the agent into the same room. Agent-first (the line's or department's choice): the agent is
    rung like for any caller, told who they are calling, and their answer dials the customer.
    """
    from callflow.agents import find_agent
    from callflow.presence import Presence
    from callflow.queues import MemberKind
    from callflow.script.model import CallbackFirst

    rt = runtime()
    info = rt.acd.caller_info(caller_sid)
    if rt.acd.kind(caller_sid) == MemberKind.CALLBACK:
        if not rt.acd.has(caller_sid, "in_room"):
            if info is None or callback_first(rt, info.line, department) is CallbackFirst.CUSTOMER:
                return place_callback(department, caller_sid, agent_login)
        elif not _first_agent_ring(rt, caller_sid):
            return None  # a repeated job: the agent was already rung for this callback call
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        departments = agent.department_list() if agent else []
        reach = agent.reach if agent else None
    if info is None or reach is None:  # the caller's details expired or the agent was removed
        if reach is None:
            rt.acd.set_presence(agent_login, Presence.AWAY, departments, rt.clock.timestamp())
        if info is not None:
            rt.acd.back_in_line(department, caller_sid, entered_at=info.entered_at)
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
        rt.acd.back_in_line(department, caller_sid, entered_at=info.entered_at)
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


def set_presence(agent_login: str, state: str, back_in_minutes: int | None = None) -> list[str]:
    """Change an agent's presence (console, CLI) and, when they become available, look for a caller for them.

    An agent going on a break can say when they will be back: callers' wait estimates count on them from then,
    so a promise made during a lunch hour does not assume the room stays half empty.
    """
    from callflow.agents import find_agent
    from callflow.presence import Presence

    rt = runtime()
    with rt.sessions() as session:
        agent = find_agent(session, agent_login)
        if agent is None:
            raise LookupError(f"no agent {agent_login!r}")
        departments = agent.department_list()
    presence, now = Presence(state), rt.clock.timestamp()
    back_at = now + 60 * back_in_minutes if back_in_minutes and presence is Presence.AWAY else None
    rt.acd.set_presence(agent_login, presence, departments, now, back_at=back_at)
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


def _live_leg(rt, caller_sid: str) -> str:
    """The call the caller is on now: their own, or for a callback the call we placed to them."""
    from callflow.callbacks import find_by_call

    if rt.acd.has(caller_sid, "in_room"):
        with rt.sessions() as session:
            callback = find_by_call(session, caller_sid)
            return callback.dial_sid if callback and callback.dial_sid else caller_sid
    return caller_sid


def hang_up_caller(caller_sid: str) -> bool:
    """End the caller's line (for a callback, the call we placed to them); False when it had already ended."""
    from twilio.base.exceptions import TwilioRestException

    rt = runtime()
    try:
        rt.twilio.calls(_live_leg(rt, caller_sid)).update(status="completed")
    except TwilioRestException as error:
        if error.status in (400, 404):
            return False
        raise
    return True


def after_agent_left(caller_sid: str) -> bool:
    """The agent hung up and nobody took the caller over: the satisfaction survey if the line asks it (the
    caller is still on the line to hear it), else the caller's call ends too. False when the caller had gone."""
    from twilio.base.exceptions import TwilioRestException

    from callflow import test_calls

    rt = runtime()
    info = rt.acd.caller_info(caller_sid)
    script = rt.script_for_number(info.line) if info is not None else None
    if script is None or not script.after_call.survey or rt.acd.has(caller_sid, test_calls.MARK):
        return hang_up_caller(caller_sid)
    try:
        rt.twilio.calls(_live_leg(rt, caller_sid)).update(url=f"{rt.settings.public_url}/voice/survey",
                                                          method="POST")
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


def retrain_every_line(rt) -> None:
    """Queue a retrain of every line's router: the learned examples changed (removed, imported)."""
    for script in rt.scripts.current.values():
        for number in script.numbers or ("",):
            rt.jobs.enqueue(retrain_router, number)


SWEEP_EVERY_SECONDS = 300  # virtual seconds between two sweeps of callbacks (5 s real at rate 60)
MISSED_PER_SWEEP = 200  # summaries of calls that had none written per sweep, at most
AGENT_RUNG_KEY = "callflow:callbacks:agent-rung:"  # per callback call: its agent has been rung
SWEEPER_KEY = "callflow:callbacks:sweeper"  # the live sweeper chain's id; expires when the chain stops


def callback_policy(rt, line: str):
    """The line's callback policy (who is rung first, attempts, waits, ring time); the defaults without a script."""
    from callflow.script.model import CallbackPolicy

    script = rt.script_for_number(line)
    return script.callbacks if script is not None else CallbackPolicy()


def callback_first(rt, line: str, department: str):
    """Who this department's callbacks ring first."""
    from callflow.script.model import CallbackFirst

    script = rt.script_for_number(line)
    return script.callback_first(department) if script is not None else CallbackFirst.CUSTOMER


def _claimant() -> str:
    """Who holds a claim: host and process, so an operator (or a test) can find the worker."""
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _lease(rt, wait_real_seconds: float):
    """A claim's end: the wait for its outbound slot plus the time a dial may take, on the shared clock."""
    from callflow.callbacks import lease_end

    budget = wait_real_seconds + rt.settings.callback_lease_seconds
    return lease_end(rt.clock.now(), rt.clock.virtual_seconds(budget))


def place_callback(department: str, call_sid: str, agent_login: str) -> str | None:
    """Ring the customer who asked for a callback; the agent reserved for them waits for their answer.

    Exactly once: the dial happens only under a claim this job won. A retried job, a second worker or a
    duplicate offer finds the callback claimed and returns the call already placed (or None), and gives
    back an agent that was reserved for it in vain.
    """
    from uuid import uuid4

    from callflow.callbacks import CallbackState, claim, find_by_call
    from callflow.outbound import OutboundRate

    rt = runtime()
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        if callback is None or callback.state != CallbackState.REQUESTED.value:
            _free_agent_reserved_in_vain(rt, agent_login, call_sid, callback.agent if callback else None)
            return callback.dial_sid if callback else None
        callback_id = callback.id
    wait = OutboundRate(rt.redis, rt.settings.twilio_account_sid, rt.settings.outbound_calls_per_second).reserve()
    token = uuid4().hex
    with rt.sessions() as session:
        claimed = claim(session, callback_id, agent_login, token, _claimant(), rt.clock.now(), _lease(rt, wait))
    if claimed is None:
        _free_agent_reserved_in_vain(rt, agent_login, call_sid, None)
        return None
    return _dial(callback_id, token, wait, claimed)


def _first_agent_ring(rt, call_sid: str) -> bool:
    """Whether this is the first ring of the agent for the callback call now in progress (one per dial)."""
    from callflow.callbacks import find_by_call

    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        dial_sid = callback.dial_sid if callback else None
    return bool(rt.redis.set(f"{AGENT_RUNG_KEY}{call_sid}:{dial_sid}", "1", nx=True, ex=24 * 3600))


def _free_agent_reserved_in_vain(rt, agent_login: str, call_sid: str, holder: str | None) -> None:
    """A duplicate offer reserved a second agent for a callback someone else is dialling: free them."""
    from callflow.presence import Presence

    presence = rt.acd.presence.get(agent_login)
    if holder == agent_login or presence is None or presence.state is not Presence.OFFERED \
            or presence.call != call_sid:
        return
    rt.acd.set_presence(agent_login, Presence.AVAILABLE, list(presence.departments), rt.clock.timestamp())
    rt.jobs.enqueue(distribute, list(presence.departments))


def _dial(callback_id: int, token: str, wait: float, claimed=None) -> str | None:
    """Wait for the outbound slot, check the claim and the reserved agent still hold, dial, record the sid.

    `claimed`: what the claim just taken returned; without a wait for the slot the claim is seconds from
    expiring at the earliest, so it is dialled on without asking the database again.
    """
    import time

    from twilio.base.exceptions import TwilioRestException

    from callflow.callbacks import CallbackState, record_dial, release, renew
    from callflow.models import Callback
    from callflow.presence import Presence

    rt = runtime()
    if wait > 0 or claimed is None:
        if wait > 0:
            time.sleep(wait)  # the account's outbound rate; the claim's lease covers this wait
        with rt.sessions() as session:
            claimed = renew(session, callback_id, token, rt.clock.now(), _lease(rt, 0))
        if claimed is None:
            return None  # the lease ran out and the sweeper took the callback over
    phone, line, call_sid, department, agent_login = claimed
    presence = rt.acd.presence.get(agent_login)
    # The reserved agent is waiting: rung once the customer answers, or (agent-first) on the line already.
    if presence is None or presence.state not in (Presence.OFFERED, Presence.ON_CALL) or presence.call != call_sid:
        # Never more callbacks dialled than agents able to take them: without its agent, back in line.
        with rt.sessions() as session:
            if release(session, callback_id, token, rt.clock.now()):
                _hold_place(rt, session.get(Callback, callback_id))
        distribute([department])
        return None
    first = "agent" if presence.state is Presence.ON_CALL else "customer"
    query = f"call={call_sid}&agent={agent_login}&department={department}&callback={callback_id}&first={first}"
    base = rt.settings.public_url
    try:
        call = rt.twilio.calls.create(
            to=phone, from_=line, url=f"{base}/voice/callback/answer?{query}", method="POST",
            status_callback=f"{base}/voice/callback/status?{query}", status_callback_method="POST",
            status_callback_event=["completed"], timeout=callback_policy(rt, line).ring_seconds,
            machine_detection="Enable",
        )
    except TwilioRestException as error:
        if error.status >= 500:
            raise  # unknown whether a call was placed: the sweeper checks Twilio once the lease is over
        log.error("Twilio refused callback %s to %s: %s", callback_id, phone, error)
        with rt.sessions() as session:
            record_dial(session, callback_id, token, f"refused:{token}")
        callback_call_ended(callback_id, call_sid, agent_login, CallbackState.FAILED.value)
        return None
    with rt.sessions() as session:
        record_dial(session, callback_id, token, call.sid)
    return call.sid


def callback_call_ended(callback_id: int, call_sid: str, agent_login: str, outcome: str | None) -> bool:
    """The callback call ended: done after a conversation; unanswered -> again later (the line's retry
    policy), then given up by SMS.

    Outcome None means the call was answered; if it ended without the customer ever being put through (the
    agent waiting for them had gone, say), it counts as a failed attempt. A repeated status callback moves
    nothing twice.
    """
    from datetime import timedelta

    from callflow.callbacks import CallbackState, move
    from callflow.models import Callback
    from callflow.presence import Presence

    rt = runtime()
    now = rt.clock.now()
    with rt.sessions() as session:
        if outcome is None:
            if move(session, callback_id, CallbackState.DONE, now):
                rt.acd.callback_closed(call_sid)
                return True
            callback = session.get(Callback, callback_id)
            if callback is None or callback.state != CallbackState.DIALLING.value:
                return False
            outcome = CallbackState.FAILED.value  # answered, but never put through to anyone
        callback = session.get(Callback, callback_id)
        attempts, line = callback.attempts, callback.line
        retry_in = callback_policy(rt, line).retry_after(attempts)
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else now
        if not move(session, callback_id, CallbackState(outcome), now, retry_at=retry_at):
            return False
    # The agent reserved for this callback did nothing wrong: they are free for the next caller.
    presence = rt.acd.presence.get(agent_login)
    if presence is not None and presence.state is Presence.OFFERED and presence.call == call_sid:
        rt.acd.set_presence(agent_login, Presence.AVAILABLE, list(presence.departments), rt.clock.timestamp())
        rt.jobs.enqueue(distribute, list(presence.departments))
    elif presence is not None and presence.state is Presence.ON_CALL and presence.call == call_sid:
        _tell_waiting_agent(rt, call_sid, agent_login, retry_in)  # agent-first: they wait in the room
    if retry_in is not None:
        rt.schedule(retry_in, retry_callback, call_sid)
    else:
        rt.jobs.enqueue(give_up_callback, callback_id)
    return True


def _tell_waiting_agent(rt, call_sid: str, agent_login: str, retry_in: int | None) -> None:
    """Agent-first: the agent waited on the line for a customer who did not answer. They hear so and the call
    ends; their hang-up (webhooks/agent_voice.py status) makes them available for the next caller."""
    from twilio.base.exceptions import TwilioRestException

    leg = rt.acd.flag(call_sid, "agent_leg")
    if not leg:
        return
    retry = "" if retry_in is None else f"&retry={retry_in}"
    try:
        rt.twilio.calls(leg).update(url=f"{rt.settings.public_url}/voice/agent/callback-unanswered?caller="
                                        f"{call_sid}&agent={agent_login}{retry}", method="POST")
    except TwilioRestException as error:
        if error.status not in (400, 404):  # (the agent has hung up already)
            raise


def _hold_place(rt, callback) -> None:
    """Put a callback in its department's line at its original place (virtual hold), details included.

    Called when it is its time, after a retry, or by the sweeper when Redis lost the place: the database row
    is the source of truth and this rebuilds Redis from it.
    """
    from callflow.acd import CALL_INFO_KEY, CALL_INFO_TTL, CallerInfo
    from callflow.queues import MemberKind

    entered = (callback.queued_at or callback.created_at).timestamp()
    if not rt.redis.exists(CALL_INFO_KEY + callback.call_sid):
        info = CallerInfo(callback.call_sid, callback.phone, callback.line, callback.department, entered_at=entered)
        rt.redis.hset(CALL_INFO_KEY + callback.call_sid, mapping={**info.to_redis(), "callback": "1"})
        rt.redis.expire(CALL_INFO_KEY + callback.call_sid, CALL_INFO_TTL)
    rt.acd.mark(callback.call_sid, "callback")
    rt.acd.queues.join(callback.department, callback.call_sid, entered_at=entered, kind=MemberKind.CALLBACK,
                       priority=1 if callback.due_at is not None else 0)


def retry_callback(call_sid: str) -> bool:
    """An unanswered callback tries again: back in line at its original place."""
    from callflow.callbacks import CallbackState, find_by_call, move

    rt = runtime()
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        now = rt.clock.now()
        if callback is not None and callback.retry_at is not None and callback.retry_at > now:
            # RQ's scheduler keeps whole seconds and may run a job up to a second early (a minute of virtual time
            # at rate 60): the line's wait between attempts is kept to the second, so wait out the rest.
            rt.schedule((callback.retry_at - now).total_seconds(), retry_callback, call_sid)
            return False
        if callback is None or not move(session, callback.id, CallbackState.REQUESTED, now, retry_at=None):
            return False
        _hold_place(rt, callback)
        department = callback.department
    distribute([department])
    return True


def callback_due(callback_id: int) -> bool:
    """A callback's chosen time has come: it takes its place in line, ahead of callers who did not book."""
    from callflow.callback_timer import CallbackTimer
    from callflow.callbacks import CallbackState, move
    from callflow.models import Callback

    rt = runtime()
    with rt.sessions() as session:
        callback = session.get(Callback, callback_id)
        if callback is not None and callback.state == CallbackState.SCHEDULED.value \
                and callback.due_at is not None and callback.due_at > rt.clock.now():
            CallbackTimer(rt.redis, rt.clock).book(callback_id, callback.due_at)  # early (clocks differ): again
            return False
        if callback is None or callback.due_at is None \
                or not move(session, callback_id, CallbackState.REQUESTED, rt.clock.now(),
                            only_from=CallbackState.SCHEDULED):
            return False  # not waiting for its time any more (the sweeper and the timer both ran)
        _hold_place(rt, callback)
        department = callback.department
    distribute([department])
    return True


def give_up_callback(callback_id: int) -> bool:
    """After the last unanswered attempt: close the request and tell the customer by SMS that we tried."""
    from callflow.callbacks import CallbackState, move
    from callflow.models import Callback

    rt = runtime()
    with rt.sessions() as session:
        callback = session.get(Callback, callback_id)
        if callback is None or not move(session, callback_id, CallbackState.GIVEN_UP, rt.clock.now(),
                                        retry_at=None):
            return False
        phone, line, call_sid = callback.phone, callback.line, callback.call_sid
    script = rt.script_for_number(line)
    company = script.company if script else "us"
    rt.twilio.messages.create(to=phone, from_=line, body=f"{company} tried to call you back and couldn't reach "
                                                          "you. Please call us again when it suits you.")
    rt.acd.callback_closed(call_sid)
    return True


def sweep_callbacks(chain: str | None = None) -> dict:
    """Reclaim what a dead worker or a lost Redis left behind, from the database (the source of truth).

    - a claim whose lease ran out with no call recorded: adopt the call Twilio placed for it, if any, else
      dial again under a new claim;
    - a callback in line that Redis forgot (flush, restart without persistence): its place is restored;
    - an offer whose placing job was lost (the agent stays reserved): placed again (claims make it safe);
    - a customer who answered their callback and waits for an agent whose ringing job was lost: rung again;
    - an agent offered a caller on the line whose ringing job was lost: rung again, or freed if the caller left;
    - a chosen time that passed, or a retry whose job was lost: done now;
    - a call that ended without a summary (Redis was down when it ended): its summary is written.
    Then the chain schedules its next sweep (see `keep_sweeping`).
    """
    from callflow.callbacks import CallbackState, expired_claims, in_state, lost_retries

    rt = runtime()
    now = rt.clock.now()
    from collections import Counter

    done: Counter = Counter()
    with rt.sessions() as session:
        stuck = [(c.id, c.lease_token) for c in expired_claims(session, now)]
        scheduled = [c.id for c in in_state(session, CallbackState.SCHEDULED) if c.due_at <= now]
        retries = [(c.id, c.call_sid, c.attempts, c.line) for c in lost_retries(session, now)]
    for callback_id, old_token in stuck:
        done[_recover_claim(callback_id, old_token)] += 1
    for callback_id in scheduled:
        done["due"] += callback_due(callback_id)
    for callback_id, call_sid, attempts, line in retries:
        moved = retry_callback(call_sid) if callback_policy(rt, line).retry_after(attempts) is not None \
            else give_up_callback(callback_id)
        done["retried"] += moved
    departments = set()
    with rt.sessions() as session:
        waiting = in_state(session, CallbackState.REQUESTED)
    for callback in waiting:
        departments.add(callback.department)
        done[_check_place(rt, callback, now)] += 1
    with rt.sessions() as session:
        answered = in_state(session, CallbackState.CONNECTED)
    for callback in answered:
        done[_check_room(rt, callback, now)] += 1
    for outcome in _check_offers(rt):
        done[outcome] += 1
    done.pop("ok", None)
    done["summaries"] += summarise_missed(rt, now)
    done = dict(+done)  # (counts of zero dropped)
    if departments:
        distribute(sorted(departments))
    if chain is not None:
        _continue_chain(rt, chain)
    if any(done.values()):
        log.warning("callback sweep: %s", done)
    return done


def _check_place(rt, callback, now) -> str:
    """A callback in line must hold a place in Redis, or an offer whose placing is under way.

    An offer stands while its agent is reserved for it: being rung (customer-first: the customer is dialled
    first; agent-first: the agent is rung first), or, agent-first, on the line waiting for the customer.
    """
    from callflow.presence import Presence
    from callflow.script.model import CallbackFirst

    if rt.acd.queues.position(callback.department, callback.call_sid) is not None:
        return "ok"
    agent = rt.acd.queues.offered_to(callback.call_sid)
    presence = rt.acd.presence.get(agent) if agent else None
    if presence is not None and presence.call == callback.call_sid \
            and presence.state in (Presence.OFFERED, Presence.ON_CALL):
        grace = rt.clock.virtual_seconds(rt.settings.callback_lease_seconds)
        agent_rung = presence.state is Presence.OFFERED \
            and callback_first(rt, callback.line, callback.department) is CallbackFirst.AGENT
        if agent_rung:
            grace += rt.clock.virtual_seconds(AGENT_RING_SECONDS)
        if now.timestamp() - presence.since < grace:
            return "ok"  # just matched (or the agent is being rung): the placing job is on its way
        if agent_rung:
            ring_agent(callback.department, callback.call_sid, agent)  # the ringing job was lost
        else:
            place_callback(callback.department, callback.call_sid, agent)  # (a claim: never dialled twice)
        return "offers"
    _hold_place(rt, callback)
    return "restored"


def _check_room(rt, callback, now) -> str:
    """Customer-first: a customer who answered waits in the room while their reserved agent is rung. If the
    agent is still only offered the call once a ring would have been answered or timed out (whose status
    webhook frees the agent), the ringing job died with its worker: ring the agent again."""
    from callflow.presence import Presence

    sid = callback.call_sid
    if not rt.acd.has(sid, "in_room") or rt.acd.is_connected(sid) or callback.agent is None:
        return "ok"
    presence = rt.acd.presence.get(callback.agent)
    if presence is None or presence.state is not Presence.OFFERED or presence.call != sid:
        return "ok"
    grace = rt.clock.virtual_seconds(rt.settings.callback_lease_seconds + AGENT_RING_SECONDS)
    if (now - callback.updated_at).total_seconds() < grace:
        return "ok"
    rt.redis.delete(f"{AGENT_RUNG_KEY}{sid}:{callback.dial_sid}")  # that ring never reached the agent
    log.warning("callback %s: the customer waited in vain for agent %s; ringing them again", callback.id,
                callback.agent)
    ring_agent(callback.department, sid, callback.agent)
    return "agent rung again"


def _check_offers(rt) -> list[str]:
    """An agent offered a caller on the line stays reserved until the ring ends (the agent's status webhook
    frees them). Still offered once a ring would have been answered or timed out, the ringing job died with
    its worker: ring the agent again if the caller still waits, else free the agent. Without this the agent
    would never be offered another call. (Callbacks' offers are `_check_place`'s and `_check_room`'s.)"""
    from callflow.models import Call
    from callflow.presence import Presence

    now = rt.clock.timestamp()
    grace = rt.clock.virtual_seconds(rt.settings.callback_lease_seconds + AGENT_RING_SECONDS)
    departments = sorted(rt.scripts.departments())
    stale = {p.agent: p for d in departments for p in rt.acd.presence.at_work(d)
             if p.state is Presence.OFFERED and p.call and now - p.since >= grace}
    outcomes = []
    for agent, presence in sorted(stale.items()):
        sid = presence.call
        if rt.acd.has(sid, "callback"):
            continue
        info = rt.acd.caller_info(sid)
        with rt.sessions() as session:
            call = session.get(Call, sid)
            ended = call is not None and call.ended_at is not None
        if info is None or ended or rt.acd.is_connected(sid):
            rt.acd.set_presence(agent, Presence.AVAILABLE, list(presence.departments), now)
            rt.jobs.enqueue(distribute, list(presence.departments))
            log.warning("agent %s was left offered call %s, which has gone: free again", agent, sid)
            outcomes.append("offer freed")
        else:
            log.warning("agent %s was offered call %s but never rung: ringing them again", agent, sid)
            ring_agent(info.department, sid, agent)
            outcomes.append("agent rung again")
    return outcomes


def _recover_claim(callback_id: int, old_token: str) -> str:
    """An expired claim: if Twilio has a call to the number that no claim of ours recorded, the dead worker
    placed it (after Twilio accepted, before writing the sid): adopt it. Otherwise dial under a new claim."""
    from uuid import uuid4

    from callflow.callbacks import known_dials, reclaim, record_dial
    from callflow.models import Callback
    from callflow.outbound import OutboundRate

    rt = runtime()
    with rt.sessions() as session:
        callback = session.get(Callback, callback_id)
        phone, line = callback.phone, callback.line
        known = known_dials(session, phone)
    orphans = [c.sid for c in rt.twilio.calls.list(to=phone, from_=line, limit=20) if c.sid not in known]
    if orphans:
        with rt.sessions() as session:
            record_dial(session, callback_id, old_token, orphans[0])  # newest first
        log.warning("callback %s: adopted call %s placed by a worker that died", callback_id, orphans[0])
        return "adopted"
    wait = OutboundRate(rt.redis, rt.settings.twilio_account_sid, rt.settings.outbound_calls_per_second).reserve()
    token = uuid4().hex
    with rt.sessions() as session:
        if not reclaim(session, callback_id, old_token, token, _claimant(), rt.clock.now(), _lease(rt, wait)):
            return "ok"
    log.warning("callback %s: reclaimed from a worker that died before dialling", callback_id)
    _dial(callback_id, token, wait)
    return "reclaimed"


def _sweeper_ttl(rt) -> int:
    """How long (real seconds) a sweeper chain's mark lives without a sweep renewing it."""
    import math

    return max(2, math.ceil(rt.clock.real_seconds(SWEEP_EVERY_SECONDS) * 3))


def _continue_chain(rt, chain: str) -> None:
    """Schedule the chain's next sweep, unless another chain has taken over (only one chain lives)."""
    current = rt.redis.get(SWEEPER_KEY)
    if current is not None and current.decode() != chain:
        return
    rt.redis.set(SWEEPER_KEY, chain, ex=_sweeper_ttl(rt))
    rt.schedule(SWEEP_EVERY_SECONDS, sweep_callbacks, chain)


def keep_sweeping(rt=None) -> bool:
    """Start a sweeper chain unless one is alive (its mark in Redis); True when one was started.

    Every worker calls this at start and then now and again (`watch_sweeper`), so a chain lost with
    Redis's data is started again.
    """
    from uuid import uuid4

    rt = rt or runtime()
    chain = uuid4().hex
    if not rt.redis.set(SWEEPER_KEY, chain, nx=True, ex=_sweeper_ttl(rt)):
        return False
    rt.jobs.enqueue(sweep_callbacks, chain)
    return True


def preload() -> Runtime:
    """Import and build what jobs use in the worker's parent process, and return that runtime.

    RQ forks a work-horse per job, and whatever a horse imports or builds dies with it. Measured: importing
    the twilio client takes most of a second and loading and checking the scripts another second, so a horse
    that built its own runtime spent over a second before its first line of work (docs/benchmarks.md,
    Callbacks). Horses inherit this runtime instead. Redis connections are re-made in a forked process by
    redis-py itself; the database pool is dropped in every horse (without closing the parent's connections),
    so no database connection is ever shared across a fork.
    """
    import os

    import flask  # noqa: F401  (runtime() looks for an app first)
    import twilio.rest  # noqa: F401

    import callflow.acd
    import callflow.after_call
    import callflow.agents
    import callflow.callback_timer
    import callflow.callbacks
    import callflow.dispositions
    import callflow.outbound
    import callflow.summaries  # noqa: F401

    global _runtime
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    rt = _runtime
    rt.script_for_number("")  # the scripts, loaded and checked (publications read from the database)
    for built in ("twilio", "clock", "jobs", "acd", "live_calls"):
        getattr(rt, built)
    os.register_at_fork(after_in_child=_own_database_pool)
    rt.engine.dispose()
    return rt


def _own_database_pool() -> None:
    """In a forked work-horse: forget the parent's pooled database connections (they stay the parent's)."""
    if _runtime is not None and "engine" in vars(_runtime):
        _runtime.engine.dispose(close=False)


def keep_scripts_current(rt) -> None:
    """In the worker's parent: reload scripts after a publication, so horses inherit them instead of each
    loading them again; and size Twilio's queues for any department new to the scripts."""
    try:
        rt.script_for_number("")
    except Exception:
        log.warning("could not refresh the scripts in the worker", exc_info=True)
        return
    keep_twilio_queues_sized(rt)


_queues_sized: set[str] = set()  # this process's note of what it has sized already (Twilio holds the sizes)


def keep_twilio_queues_sized(rt) -> None:
    """Every department's Twilio queue as large as Twilio allows (`callflow/twilio_queues.py`); tried again
    at the next look if Twilio could not be reached."""
    from callflow import twilio_queues

    names = twilio_queues.queue_names(rt.scripts.current.values())
    if names <= _queues_sized:
        return
    try:
        twilio_queues.size_queues(rt.twilio, names)
    except Exception:
        log.warning("could not size Twilio's queues; trying again shortly", exc_info=True)
        return
    _queues_sized.update(names)


def watch_sweeper(rt, stop=None) -> None:
    """A worker's thread: make sure a sweeper chain lives (Redis flushed or restarted, chain lost)."""
    import threading

    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            keep_sweeping(rt)
        except Exception:  # Redis restarting: try again next time
            log.warning("could not check the callback sweeper", exc_info=True)
        keep_scripts_current(rt)
        stop.wait(min(_sweeper_ttl(rt) / 3, 5))


def watch_due_callbacks(rt, stop=None) -> None:
    """A worker's thread: each callback booked for a time is put in line the moment it is due."""
    from callflow import callback_timer

    callback_timer.run(rt, lambda callback_id: rt.jobs.enqueue(callback_due, callback_id), stop)
