"""Ringing: waiting callers matched with free agents, and each offer carried out.

An offer to an agent rings the agent (their answer brings the whisper, then the caller); a callback's offer
dials the customer first, exactly once, under a claim (`place_callback`), unless its department rings the
agent first. Whatever fails, the caller or callback takes back their place in line and the agent is not left
reserved for nobody.
"""

from __future__ import annotations

import logging
import time
from uuid import uuid4

from twilio.base.exceptions import TwilioRestException

from callflow.domain.script.model import CallbackFirst
from callflow.services import queued
from callflow.services.callbacks import (
    callback_call_ended,
    callback_first,
    callback_policy,
    claimant,
    first_agent_ring,
    hold_place,
    lease,
)
from callflow.store.agents import find_agent
from callflow.store.callbacks import CallbackState, claim, find_by_call, record_dial, release, renew
from callflow.store.models import Callback
from callflow.store.outbound import OutboundRate
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from callflow.store.queues import MemberKind

log = logging.getLogger(__name__)

AGENT_RING_SECONDS = 20  # then the agent is set away and the caller offered to the next one


def distribute(rt, departments: list[str]) -> int:
    """Match waiting callers with free agents in these departments and ring each matched agent."""
    offers = rt.acd.offers(departments, rt.clock.timestamp())
    for offer in offers:
        ring_agent(rt, offer.department, offer.caller_sid, offer.agent)
    return len(offers)


def ring_agent(rt, department: str, caller_sid: str, agent_login: str) -> str | None:
    """Call the agent an offer was made to; their answer brings the whisper, then the caller.

    A callback's turn is different. Customer-first (the default): the customer is called first, and their
    answer rings the agent into the same room. Agent-first (the line's or department's choice): the agent is
    rung like for any caller, told who they are calling, and their answer dials the customer.
    """
    info = rt.acd.caller_info(caller_sid)
    if rt.acd.kind(caller_sid) == MemberKind.CALLBACK:
        if not rt.acd.has(caller_sid, "in_room"):
            if info is None or callback_first(rt, info.line, department) is CallbackFirst.CUSTOMER:
                return place_callback(rt, department, caller_sid, agent_login)
        elif not first_agent_ring(rt, caller_sid):
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
        queued.enqueue(rt, "distribute", [department])
        return None
    Promises(rt.redis).log(caller_sid, "agent-offered", rt.clock.timestamp(), agent=agent_login)
    return call.sid


def place_callback(rt, department: str, call_sid: str, agent_login: str) -> str | None:
    """Ring the customer who asked for a callback; the agent reserved for them waits for their answer.

    Exactly once: the dial happens only under a claim this job won. A retried job, a second worker or a
    duplicate offer finds the callback claimed and returns the call already placed (or None), and gives
    back an agent that was reserved for it in vain.
    """
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        if callback is None or callback.state != CallbackState.REQUESTED.value:
            _free_agent_reserved_in_vain(rt, agent_login, call_sid, callback.agent if callback else None)
            return callback.dial_sid if callback else None
        callback_id = callback.id
    wait = OutboundRate(rt.redis, rt.settings.twilio_account_sid, rt.settings.outbound_calls_per_second).reserve()
    token = uuid4().hex
    with rt.sessions() as session:
        claimed = claim(session, callback_id, agent_login, token, claimant(), rt.clock.now(), lease(rt, wait))
    if claimed is None:
        _free_agent_reserved_in_vain(rt, agent_login, call_sid, None)
        return None
    return dial(rt, callback_id, token, wait, claimed)


def _free_agent_reserved_in_vain(rt, agent_login: str, call_sid: str, holder: str | None) -> None:
    """A duplicate offer reserved a second agent for a callback someone else is dialling: free them."""
    presence = rt.acd.presence.get(agent_login)
    if holder == agent_login or presence is None or presence.state is not Presence.OFFERED \
            or presence.call != call_sid:
        return
    rt.acd.set_presence(agent_login, Presence.AVAILABLE, list(presence.departments), rt.clock.timestamp())
    queued.enqueue(rt, "distribute", list(presence.departments))


def dial(rt, callback_id: int, token: str, wait: float, claimed=None) -> str | None:
    """Wait for the outbound slot, check the claim and the reserved agent still hold, dial, record the sid.

    `claimed`: what the claim just taken returned; without a wait for the slot the claim is seconds from
    expiring at the earliest, so it is dialled on without asking the database again.
    """
    if wait > 0 or claimed is None:
        if wait > 0:
            time.sleep(wait)  # the account's outbound rate; the claim's lease covers this wait
        with rt.sessions() as session:
            claimed = renew(session, callback_id, token, rt.clock.now(), lease(rt, 0))
        if claimed is None:
            return None  # the lease ran out and the sweeper took the callback over
    phone, line, call_sid, department, agent_login = claimed
    presence = rt.acd.presence.get(agent_login)
    # The reserved agent is waiting: rung once the customer answers, or (agent-first) on the line already.
    if presence is None or presence.state not in (Presence.OFFERED, Presence.ON_CALL) or presence.call != call_sid:
        # Never more callbacks dialled than agents able to take them: without its agent, back in line.
        with rt.sessions() as session:
            if release(session, callback_id, token, rt.clock.now()):
                hold_place(rt, session.get(Callback, callback_id))
        distribute(rt, [department])
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
        callback_call_ended(rt, callback_id, call_sid, agent_login, CallbackState.FAILED.value)
        return None
    with rt.sessions() as session:
        record_dial(session, callback_id, token, call.sid)
    return call.sid
