"""The callback sweeper: what a dead worker or a lost Redis left behind, reclaimed from the database (the
source of truth), every few minutes of the shared clock by one chain of jobs across all workers."""

from __future__ import annotations

import logging
import math
from collections import Counter
from datetime import datetime, timedelta
from uuid import uuid4

from callflow.domain.script.model import CallbackFirst
from callflow.services import queued
from callflow.services.callback_turns import callback_due, retry_callback
from callflow.services.callbacks import (
    callback_first,
    callback_policy,
    claimant,
    forget_agent_ring,
    give_up_callback,
    hold_place,
    lease,
)
from callflow.services.ringing import AGENT_RING_SECONDS, dial, distribute, place_callback, ring_agent
from callflow.services.summaries import summarise_missed
from callflow.store.callbacks import (
    CallbackState,
    expired_claims,
    in_state,
    known_dials,
    lost_retries,
    reclaim,
    record_dial,
)
from callflow.store.models import Call, Callback
from callflow.store.outbound import OutboundRate
from callflow.store.presence import Presence

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 300  # virtual seconds between two sweeps of callbacks (5 s real at rate 60)
MISSED_PER_SWEEP = 200  # summaries of calls that had none written per sweep, at most
SWEEPER_KEY = "callflow:callbacks:sweeper"  # the live sweeper chain's id; expires when the chain stops


def sweep_callbacks(rt, chain: str | None = None) -> dict:
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
    now = rt.clock.now()
    done: Counter = Counter()
    with rt.sessions() as session:
        stuck = [(c.id, c.lease_token) for c in expired_claims(session, now)]
        scheduled = [c.id for c in in_state(session, CallbackState.SCHEDULED) if c.due_at <= now]
        retries = [(c.id, c.call_sid, c.attempts, c.line) for c in lost_retries(session, now)]
    for callback_id, old_token in stuck:
        done[_recover_claim(rt, callback_id, old_token)] += 1
    for callback_id in scheduled:
        done["due"] += callback_due(rt, callback_id)
    for callback_id, call_sid, attempts, line in retries:
        moved = retry_callback(rt, call_sid) if callback_policy(rt, line).retry_after(attempts) is not None \
            else give_up_callback(rt, callback_id)
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
    done["summaries"] += summarise_missed(rt, now - timedelta(seconds=SWEEP_EVERY_SECONDS), MISSED_PER_SWEEP)
    done = dict(+done)  # (counts of zero dropped)
    if departments:
        distribute(rt, sorted(departments))
    if chain is not None:
        _continue_chain(rt, chain)
    if any(done.values()):
        log.warning("callback sweep: %s", done)
    return done


def _check_place(rt, callback, now: datetime) -> str:
    """A callback in line must hold a place in Redis, or an offer whose placing is under way.

    An offer stands while its agent is reserved for it: being rung (customer-first: the customer is dialled
    first; agent-first: the agent is rung first), or, agent-first, on the line waiting for the customer.
    """
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
            ring_agent(rt, callback.department, callback.call_sid, agent)  # the ringing job was lost
        else:
            place_callback(rt, callback.department, callback.call_sid, agent)  # (a claim: never dialled twice)
        return "offers"
    hold_place(rt, callback)
    return "restored"


def _check_room(rt, callback, now: datetime) -> str:
    """Customer-first: a customer who answered waits in the room while their reserved agent is rung. If the
    agent is still only offered the call once a ring would have been answered or timed out (whose status
    webhook frees the agent), the ringing job died with its worker: ring the agent again."""
    sid = callback.call_sid
    if not rt.acd.has(sid, "in_room") or rt.acd.is_connected(sid) or callback.agent is None:
        return "ok"
    presence = rt.acd.presence.get(callback.agent)
    if presence is None or presence.state is not Presence.OFFERED or presence.call != sid:
        return "ok"
    grace = rt.clock.virtual_seconds(rt.settings.callback_lease_seconds + AGENT_RING_SECONDS)
    if (now - callback.updated_at).total_seconds() < grace:
        return "ok"
    forget_agent_ring(rt, sid, callback.dial_sid)  # that ring never reached the agent
    log.warning("callback %s: the customer waited in vain for agent %s; ringing them again", callback.id,
                callback.agent)
    ring_agent(rt, callback.department, sid, callback.agent)
    return "agent rung again"


def _check_offers(rt) -> list[str]:
    """An agent offered a caller on the line stays reserved until the ring ends (the agent's status webhook
    frees them). Still offered once a ring would have been answered or timed out, the ringing job died with
    its worker: ring the agent again if the caller still waits, else free the agent. Without this the agent
    would never be offered another call. (Callbacks' offers are `_check_place`'s and `_check_room`'s.)"""
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
            queued.enqueue(rt, "distribute", list(presence.departments))
            log.warning("agent %s was left offered call %s, which has gone: free again", agent, sid)
            outcomes.append("offer freed")
        else:
            log.warning("agent %s was offered call %s but never rung: ringing them again", agent, sid)
            ring_agent(rt, info.department, sid, agent)
            outcomes.append("agent rung again")
    return outcomes


def _recover_claim(rt, callback_id: int, old_token: str) -> str:
    """An expired claim: if Twilio has a call to the number that no claim of ours recorded, the dead worker
    placed it (after Twilio accepted, before writing the sid): adopt it. Otherwise dial under a new claim."""
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
        if not reclaim(session, callback_id, old_token, token, claimant(), rt.clock.now(), lease(rt, wait)):
            return "ok"
    log.warning("callback %s: reclaimed from a worker that died before dialling", callback_id)
    dial(rt, callback_id, token, wait)
    return "reclaimed"


def sweeper_ttl(rt) -> int:
    """How long (real seconds) a sweeper chain's mark lives without a sweep renewing it."""
    return max(2, math.ceil(rt.clock.real_seconds(SWEEP_EVERY_SECONDS) * 3))


def _continue_chain(rt, chain: str) -> None:
    """Schedule the chain's next sweep, unless another chain has taken over (only one chain lives)."""
    current = rt.redis.get(SWEEPER_KEY)
    if current is not None and current.decode() != chain:
        return
    rt.redis.set(SWEEPER_KEY, chain, ex=sweeper_ttl(rt))
    queued.schedule(rt, SWEEP_EVERY_SECONDS, "sweep_callbacks", chain)


def keep_sweeping(rt) -> bool:
    """Start a sweeper chain unless one is alive (its mark in Redis); True when one was started.

    Every worker calls this at start and then now and again (`worker.watch_sweeper`), so a chain lost with
    Redis's data is started again.
    """
    chain = uuid4().hex
    if not rt.redis.set(SWEEPER_KEY, chain, nx=True, ex=sweeper_ttl(rt)):
        return False
    queued.enqueue(rt, "sweep_callbacks", chain)
    return True
