"""A callback's rules and outcomes: the line's policy, who is rung first, claims' leases, its place in line,
the end of its call, and giving up.

The database row is the source of truth (`callflow/store/callbacks.py`, the state machine's moves); Redis holds the
callback's place in line, rebuilt from the row when lost. Dialling the customer exactly once is
`ringing.place_callback`'s; a turn coming back is `callback_turns.py`'s; recovery is `callback_sweeper.py`'s.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from twilio.base.exceptions import TwilioRestException

from callflow.domain.script.model import CallbackFirst, CallbackPolicy
from callflow.domain.script.own_words import say
from callflow.domain.script.translated import in_language
from callflow.services import queued
from callflow.store.acd import CallerInfo
from callflow.store.callbacks import CallbackState, find_by_call, lease_end, move
from callflow.store.models import Callback
from callflow.store.presence import Presence
from callflow.store.queues import MemberKind

log = logging.getLogger(__name__)

AGENT_RUNG_KEY = "callflow:callbacks:agent-rung:"  # per callback call: its agent has been rung


def callback_policy(rt, line: str) -> CallbackPolicy:
    """The line's callback policy (who is rung first, attempts, waits, ring time); the defaults without a script."""
    script = rt.script_for_number(line)
    return script.callbacks if script is not None else CallbackPolicy()


def callback_first(rt, line: str, department: str) -> CallbackFirst:
    """Who this department's callbacks ring first."""
    script = rt.script_for_number(line)
    return script.callback_first(department) if script is not None else CallbackFirst.CUSTOMER


def claimant() -> str:
    """Who holds a claim: host and process, so an operator (or a test) can find the worker."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lease(rt, wait_real_seconds: float):
    """A claim's end: the wait for its outbound slot plus the time a dial may take, on the shared clock."""
    budget = wait_real_seconds + rt.settings.callback_lease_seconds
    return lease_end(rt.clock.now(), rt.clock.virtual_seconds(budget))


def first_agent_ring(rt, call_sid: str) -> bool:
    """Whether this is the first ring of the agent for the callback call now in progress (one per dial)."""
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        dial_sid = callback.dial_sid if callback else None
    return bool(rt.redis.set(f"{AGENT_RUNG_KEY}{call_sid}:{dial_sid}", "1", nx=True, ex=24 * 3600))


def forget_agent_ring(rt, call_sid: str, dial_sid: str | None) -> None:
    """That ring never reached the agent: the next one is a first ring again."""
    rt.redis.delete(f"{AGENT_RUNG_KEY}{call_sid}:{dial_sid}")


def hold_place(rt, callback) -> None:
    """Put a callback in its department's line at its original place (virtual hold), details included.

    Called when it is its time, after a retry, or by the sweeper when Redis lost the place: the database row
    is the source of truth and this rebuilds Redis from it.
    """
    entered = (callback.queued_at or callback.created_at).timestamp()
    rt.acd.recall_callback(CallerInfo(callback.call_sid, callback.phone, callback.line, callback.department,
                                      entered_at=entered, language=callback.language or ""))
    rt.acd.queues.join(callback.department, callback.call_sid, entered_at=entered, kind=MemberKind.CALLBACK,
                       priority=1 if callback.due_at is not None else 0)


def callback_call_ended(rt, callback_id: int, call_sid: str, agent_login: str, outcome: str | None) -> bool:
    """The callback call ended: done after a conversation; unanswered -> again later (the line's retry
    policy), then given up by SMS.

    Outcome None means the call was answered; if it ended without the customer ever being put through (the
    agent waiting for them had gone, say), it counts as a failed attempt. A repeated status callback moves
    nothing twice.
    """
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
        queued.enqueue(rt, "distribute", list(presence.departments))
    elif presence is not None and presence.state is Presence.ON_CALL and presence.call == call_sid:
        _tell_waiting_agent(rt, call_sid, agent_login, retry_in)  # agent-first: they wait in the room
    if retry_in is not None:
        queued.schedule(rt, retry_in, "retry_callback", call_sid)
    else:
        queued.enqueue(rt, "give_up_callback", callback_id)
    return True


def _tell_waiting_agent(rt, call_sid: str, agent_login: str, retry_in: int | None) -> None:
    """Agent-first: the agent waited on the line for a customer who did not answer. They hear so and the call
    ends; their hang-up (webhooks/agent_voice.py status) makes them available for the next caller."""
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


def give_up_callback(rt, callback_id: int) -> bool:
    """After the last unanswered attempt: close the request and tell the customer by SMS that we tried."""
    with rt.sessions() as session:
        callback = session.get(Callback, callback_id)
        if callback is None or not move(session, callback_id, CallbackState.GIVEN_UP, rt.clock.now(),
                                        retry_at=None):
            return False
        phone, line, call_sid, language = callback.phone, callback.line, callback.call_sid, callback.language
    script = rt.script_for_number(line)
    if script is not None and language:
        script = in_language(script, language)  # the SMS in the language they asked in
    rt.twilio.messages.create(to=phone, from_=line, body=say(script, "callback_given_up_sms"))
    rt.acd.callback_closed(call_sid)
    return True
