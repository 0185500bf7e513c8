"""Callbacks are dialled exactly once under faults, with real `callflow worker` processes and the local carrier.

Each test counts the calls the carrier (through Twilio's REST `calls.list`) placed to a customer who asked
for a callback: exactly one, whatever happened to the workers or to Redis, and the customer reaches an agent.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys

import pytest
from rq import Worker

from callflow import jobs
from callflow.carrier import Caller
from callflow.services import ringing
from callflow.services.callbacks import first_agent_ring
from callflow.store.acd import CallerInfo
from callflow.store.agents import add_agent
from callflow.store.callbacks import find_by_call, request_callback
from callflow.store.models import CallbackDial
from callflow.store.outbound import OutboundRate
from callflow.store.presence import Presence
from callflow.store.queues import MemberKind
from callflow.telephony import twilio_client
from tests import processes
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e.conftest import LINE, RATE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def centre(settings, carrier, app_server):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    return runtime


@pytest.fixture
def workers(settings, redis, clock_start, carrier):
    """Start real `callflow worker` processes (each in its own process group, so kill -9 takes its job too)."""
    started: list[subprocess.Popen] = []

    def start(**overrides) -> subprocess.Popen:
        env = dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
                   TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                   IVR_SCRIPTS=str(settings.ivr_scripts), CALLFLOW_INSTANCE=str(settings.instance_path),
                   CALLFLOW_CLOCK_RATE=str(RATE), CALLFLOW_CLOCK_START=clock_start.isoformat(),
                   TWILIO_API_URL=carrier.url,
                   PUBLIC_URL=carrier.numbers[LINE].voice_url.rsplit("/voice/", 1)[0], **overrides)
        before = len(Worker.all(connection=redis))
        process = processes.start([sys.executable, "-m", "callflow.cli", "worker"], env=env,
                                   start_new_session=True, stdout=subprocess.DEVNULL)
        started.append(process)
        wait_for(lambda: len(Worker.all(connection=redis)) > before or process.poll() is not None,
                 what="the RQ worker to start")
        assert process.poll() is None, "the RQ worker exited at start"
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in started:  # a loaded machine may keep one finishing its job: killed then, not failed
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def kill_9(process: subprocess.Popen) -> None:
    """SIGKILL the worker and every process under it (its scheduler; a work-horse with `--fork`): what a
    machine dying mid-job looks like."""
    for pid in [process.pid, *_descendants(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren... of a process (Linux /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def customer(n: int) -> str:
    return f"+1555123{n:04d}"


def ask_for_callback(runtime, sessions, carrier, n: int) -> str:
    """What the hold webhook does when caller n chooses a callback: a row, and a place kept in line."""
    sid, phone, now = f"CA{n:032x}", customer(n), runtime.clock.now()
    with sessions() as session:
        request_callback(session, sid, phone, LINE, "fraud", now, queued_at=now)
    info = CallerInfo(sid, phone, LINE, "fraud", entered_at=now.timestamp() + n / 1000)
    runtime.acd.caller_waits(info, now.timestamp())
    runtime.acd.mark(sid, "callback")
    runtime.acd.queues.join("fraud", sid, entered_at=info.entered_at, kind=MemberKind.CALLBACK)
    carrier.add_phone(phone, Caller(talk=["Hello, thanks for calling back."]))
    return sid


def agents_at_work(runtime, sessions, carrier, count: int, available: bool = True) -> list[str]:
    logins = [f"agent{k}" for k in range(count)]
    with sessions() as session:
        for k, login in enumerate(logins):
            add_agent(session, login, f"Agent {k}", "correct horse battery", f"+1555777{k:04d}", ["fraud"])
            carrier.add_phone(f"+1555777{k:04d}", Caller(talk=[f"Fraud team, agent {k}."], hang_up_after=20))
    if available:
        for login in logins:
            runtime.acd.set_presence(login, Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    return logins


def calls_placed_to(carrier, phone: str) -> list:
    """Calls placed to a number, as Twilio's REST API lists them."""
    client = twilio_client(dataclasses.replace(_settings_of(carrier), twilio_api_url=carrier.url))
    return [c for c in client.calls.list(to=phone) if c.direction == "outbound-api"]


def _settings_of(carrier):
    from callflow.settings import Settings

    return Settings(twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN)


def state_of(sessions, sid: str) -> str:
    with sessions() as session:
        return find_by_call(session, sid).state


def claims_of(sessions, sid: str) -> list[CallbackDial]:
    from sqlalchemy import select

    with sessions() as session:
        callback_id = find_by_call(session, sid).id
        return list(session.scalars(select(CallbackDial).where(CallbackDial.callback_id == callback_id)
                                    .order_by(CallbackDial.id)))


def test_duplicate_jobs_raced_by_two_workers_ring_each_customer_once(centre, workers, carrier, sessions, redis):
    runtime = centre
    sids = [ask_for_callback(runtime, sessions, carrier, n) for n in range(6)]
    agents_at_work(runtime, sessions, carrier, 6)
    offers = runtime.acd.offers(["fraud"], runtime.clock.timestamp())
    assert len(offers) == 6
    for offer in offers:  # every placing job is delivered twice, back to back: two workers take one each
        for _ in range(2):
            runtime.jobs.enqueue(jobs.ring_agent, offer.department, offer.caller_sid, offer.agent)
    for _ in range(2):
        workers(CALLFLOW_OUTBOUND_RATE="50")

    for sid in sids:
        wait_for(lambda sid=sid: state_of(sessions, sid) == "done", timeout=60, what=f"callback {sid} done")
    for n in range(6):
        assert len(calls_placed_to(carrier, customer(n))) == 1
    agent_legs = [c for c in carrier.calls.values() if c.to.startswith("+1555777")]
    assert sorted(c.to for c in agent_legs) == sorted(f"+1555777{k:04d}" for k in range(6))  # each rung once
    assert all(runtime.acd.presence.get(o.agent).state is not Presence.OFFERED for o in offers)


def test_a_retried_placing_job_does_not_ring_again(centre, workers, carrier, sessions):
    runtime = centre
    sid = ask_for_callback(runtime, sessions, carrier, 1)
    agents_at_work(runtime, sessions, carrier, 1)
    (offer,) = runtime.acd.offers(["fraud"], runtime.clock.timestamp())
    workers()
    first = runtime.jobs.enqueue(jobs.place_callback, offer.department, sid, offer.agent)
    wait_for(lambda: first.refresh() or first.is_finished, what="the placing job")
    wait_for(lambda: state_of(sessions, sid) == "done", timeout=60, what="the callback to be done")
    again = runtime.jobs.enqueue(jobs.place_callback, offer.department, sid, offer.agent)  # delivered again
    wait_for(lambda: again.refresh() or again.is_finished, what="the repeated job")
    assert again.return_value() == first.return_value()  # the call already placed, not a new one
    assert len(calls_placed_to(carrier, customer(1))) == 1


def test_a_worker_killed_between_claim_and_dial_is_reclaimed_and_the_customer_rung_once(
        centre, workers, carrier, sessions, redis):
    runtime = centre
    sid = ask_for_callback(runtime, sessions, carrier, 1)
    agents_at_work(runtime, sessions, carrier, 1)
    slow = {"CALLFLOW_OUTBOUND_RATE": "0.2", "CALLFLOW_CALLBACK_LEASE_SECONDS": "2"}
    # Another call just took the account's outbound slot: the claimed callback waits 5 s for the next one.
    OutboundRate(redis, ACCOUNT_SID, 0.2).reserve()
    doomed = workers(**slow)
    runtime.jobs.enqueue(jobs.distribute, ["fraud"])
    claim = wait_for(lambda: next(iter(claims_of(sessions, sid)), None), timeout=10, what="the claim")
    assert state_of(sessions, sid) == "dialling" and claim.dial_sid is None
    assert int(claim.claimed_by.rsplit(":", 1)[1]) in [doomed.pid, *_descendants(doomed.pid)]  # doomed's job
    kill_9(doomed)
    assert calls_placed_to(carrier, customer(1)) == []  # killed before it dialled

    workers(**slow)  # its sweeper finds the expired claim
    wait_for(lambda: state_of(sessions, sid) == "done", timeout=60, what="the reclaimed callback to be done")
    assert len(calls_placed_to(carrier, customer(1))) == 1
    claims = claims_of(sessions, sid)
    assert len(claims) == 2 and claims[0].dial_sid is None and claims[1].dial_sid.startswith("CA")
    callback_leg = calls_placed_to(carrier, customer(1))[0]
    assert "Fraud team, agent 0." in [e.text for e in carrier.calls[callback_leg.sid].entries("talk")]


def test_a_worker_killed_just_after_dialling_leaves_one_call_and_the_callback_completes(
        centre, workers, carrier, sessions):
    runtime = centre
    sid = ask_for_callback(runtime, sessions, carrier, 1)
    agents_at_work(runtime, sessions, carrier, 1)
    doomed = workers(CALLFLOW_CALLBACK_LEASE_SECONDS="2")
    runtime.jobs.enqueue(jobs.distribute, ["fraud"])
    wait_for(lambda: any(c.to == customer(1) for c in list(carrier.calls.values())), timeout=30,
             what="the callback call")
    kill_9(doomed)  # wherever it was: recording the sid, or done
    workers(CALLFLOW_CALLBACK_LEASE_SECONDS="2")
    wait_for(lambda: state_of(sessions, sid) == "done", timeout=60, what="the callback to be done")
    claims = claims_of(sessions, sid)
    assert len(calls_placed_to(carrier, customer(1))) == 1
    assert [c.dial_sid for c in claims] == [calls_placed_to(carrier, customer(1))[0].sid]


def test_a_ringing_job_lost_with_its_worker_after_the_customer_answered_is_rung_again(
        centre, workers, carrier, sessions, app_server):
    runtime = centre
    sid = ask_for_callback(runtime, sessions, carrier, 1)
    agents_at_work(runtime, sessions, carrier, 1)
    (offer,) = runtime.acd.offers(["fraud"], runtime.clock.timestamp())
    ringing.place_callback(runtime, offer.department, sid, offer.agent)  # dialled here: no worker runs yet
    ring = wait_for(lambda: next((j for j in runtime.jobs.get_jobs() if j.func is jobs.ring_agent), None),
                    what="the customer's answer to ask for the agent's ring")
    # A worker took that job, marked the agent as rung and died before dialling: the job is gone.
    runtime.jobs.remove(ring)
    assert first_agent_ring(runtime, sid)
    workers(CALLFLOW_CALLBACK_LEASE_SECONDS="2")
    wait_for(lambda: state_of(sessions, sid) == "done", timeout=60, what="the agent rung again and the call done")
    agent_legs = [c for c in carrier.calls.values() if c.to == "+15557770000"]
    assert len(agent_legs) == 1 and len(calls_placed_to(carrier, customer(1))) == 1
    (callback_leg,) = calls_placed_to(carrier, customer(1))
    assert "Fraud team, agent 0." in [e.text for e in carrier.calls[callback_leg.sid].entries("talk")]


def test_redis_flushed_the_place_is_restored_from_the_database_and_the_customer_rung_once(
        centre, workers, carrier, sessions, redis):
    runtime = centre
    first, second = (ask_for_callback(runtime, sessions, carrier, n) for n in (1, 2))
    agents_at_work(runtime, sessions, carrier, 1, available=False)
    workers()
    redis.flushdb()  # Redis restarted without its data: places in line, jobs, the sweeper chain are gone
    assert runtime.acd.queues.position("fraud", first) is None
    wait_for(lambda: runtime.acd.queues.position("fraud", first) == 1
             and runtime.acd.queues.position("fraud", second) == 2, timeout=30,
             what="the sweeper to restore both places in their original order")
    runtime.jobs.enqueue(jobs.set_presence, "agent0", "available")
    wait_for(lambda: state_of(sessions, first) == "done", timeout=60, what="the first callback to be done")
    wait_for(lambda: state_of(sessions, second) == "done", timeout=60, what="the second callback, next")
    assert len(calls_placed_to(carrier, customer(1))) == len(calls_placed_to(carrier, customer(2))) == 1
    [rung_first], [rung_second] = ([c for c in carrier.calls.values() if c.to == customer(n)] for n in (1, 2))
    assert rung_second.created_at >= rung_first.ended_at  # one agent: the second waited its turn
