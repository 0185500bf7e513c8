"""Redis goes away mid-call and comes back: callers still reach a person, never an application error, and the
queues work again afterwards (places restored where Redis lost them).

Redis is our own redis-server process (tests/faults/conftest.py), killed with SIGKILL and started again.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press
from callflow.services.agents import set_presence
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE
from tests.faults.conftest import FALLBACK
from tests.waiting import wait_for
from webhooks.safe_route import APOLOGY

pytestmark = pytest.mark.e2e

ANN = "+15557770001"


def calls_to(carrier, number: str) -> list:
    return [c for c in list(carrier.calls.values()) if c.to == number]


def hire_ann(centre, sessions) -> None:
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", ANN, ["fraud"])
    centre.carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))


def make_available(centre, login: str) -> None:
    set_presence(centre.runtime, login, Presence.AVAILABLE.value)  # what the console does on "available"


def test_redis_dies_during_the_menu_and_the_caller_is_put_through_to_a_person(centre, redis_server):
    def answer(prompt: str):
        if "tell me what you're calling about" in prompt:
            redis_server.stop()  # the caller is listening to the menu when Redis dies
            return press("4")
        return None

    call = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller(on_prompt=answer))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    assert APOLOGY in call.heard_text()
    assert [e.text for e in call.entries("dialing")] and FALLBACK in call.entries("dialing")[0].text
    assert "Duty manager speaking." in [e.text for e in call.entries("talk")]


def test_a_call_that_starts_while_redis_is_down_reaches_a_person(centre, redis_server):
    centre.runtime.clock  # noqa: B018 -- the process started (and agreed its clock) while Redis was up
    redis_server.stop()
    call = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4")]))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    assert APOLOGY in call.heard_text()
    assert "Duty manager speaking." in [e.text for e in call.entries("talk")]


def test_after_an_outage_the_worker_carries_on_and_callers_reach_agents_again(centre, redis_server, sessions):
    hire_ann(centre, sessions)
    centre.start_worker()
    redis_server.stop()
    down = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4")]))
    down.wait(timeout=60)
    assert not down.entries("application-error") and APOLOGY in down.heard_text()
    redis_server.start()  # back, empty: no persistence on this server
    make_available(centre, "ann")  # the worker that lived through the outage does the ringing
    call = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4")],
                                                                          talk=["Hello, my card was stolen."]))
    call.wait(timeout=60)
    assert not call.entries("application-error")
    assert "Fraud team, Ann speaking." in [e.text for e in call.entries("talk")]
    assert APOLOGY not in call.heard_text()


@pytest.mark.parametrize("persistent", [False, True], ids=["redis-restarted-empty", "redis-restarted-with-aof"])
def test_a_holding_caller_keeps_holding_through_an_outage_and_reaches_the_agent_after(
        centre, redis_server, sessions, persistent):
    redis_server.appendonly = persistent
    if persistent:  # start again with the append-only file on, as docker-compose runs it
        redis_server.stop()
        redis_server.start()
    hire_ann(centre, sessions)
    centre.start_worker()
    call = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1", expect="hold")],
                                                                          talk=["Hello, my card was stolen."]))
    call.wait_for("enqueued", timeout=30)
    sid = call.sid
    wait_for(lambda: centre.runtime.acd.queues.position("fraud", sid) == 1, what="the caller's place in line")
    redis_server.stop()
    heard_before = len(call.entries("request"))
    wait_for(lambda: len(call.entries("request")) > heard_before + 1, timeout=30,
             what="the caller's hold music to be requested while Redis is down")
    redis_server.start()
    wait_for(lambda: centre.runtime.acd.queues.position("fraud", sid) == 1, timeout=30,
             what="the caller's place in line, kept or taken back")
    make_available(centre, "ann")
    call.wait(timeout=60)
    assert not call.entries("application-error")
    assert "Fraud team, Ann speaking." in [e.text for e in call.entries("talk")]


def test_a_call_that_ends_while_redis_is_down_still_gets_its_summary_once_redis_is_back(centre, redis_server,
                                                                                        sessions):
    from callflow.store.models import Call
    from callflow.store.summaries import get_summary

    centre.start_worker()
    centre.runtime.clock  # noqa: B018 -- the web process started (and agreed its clock) while Redis was up
    redis_server.stop()
    call = centre.carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4")]))
    call.wait(timeout=60)
    assert APOLOGY in call.heard_text()  # through to the duty manager, and the call ends during the outage
    with sessions() as session:
        closed = wait_for(lambda: (session.expire_all(), session.get(Call, call.sid))[1], timeout=10,
                          what="the call's record")
        assert closed.ended_at is not None and closed.status == "completed"  # closed without Redis
        assert get_summary(session, call.sid) is None  # no worker could write it yet

    redis_server.start()  # back, empty: the close job was never queued, so the sweeper writes the summary
    with sessions() as session:
        summary = wait_for(lambda: (session.expire_all(), get_summary(session, call.sid))[1], timeout=60,
                           what="the call's summary after the outage")
    assert summary["caller"] == CALLER and summary["ended_at"] is not None
