"""An agent offered a caller whose ringing job died with its worker is not lost to the centre: the sweeper rings
them again while the caller still holds, or frees them once the caller has gone. Real `callflow worker`
processes and the local carrier; the lost job is an offer made here with no ring ever queued.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press
from callflow.store.acd import CallerInfo
from callflow.store.presence import Presence
from tests.e2e import test_callbacks_exactly_once as exactly_once
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

centre, workers = exactly_once.centre, exactly_once.workers
agents_at_work, calls_placed_to = exactly_once.agents_at_work, exactly_once.calls_placed_to

AGENT = "+15557770000"  # agent0's phone (agents_at_work)


def test_a_holding_caller_whose_agent_was_never_rung_is_connected_by_the_sweeper(centre, workers, carrier,
                                                                                 sessions):
    runtime = centre
    agents_at_work(runtime, sessions, carrier, 1, available=False)
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), press("1", expect="hold")]))
    call.wait_for("enqueued", timeout=30)
    sid = call.sid
    wait_for(lambda: runtime.acd.queues.position("fraud", sid) == 1, what="the caller in Fraud's line")
    runtime.acd.set_presence("agent0", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    (offer,) = runtime.acd.offers(["fraud"], runtime.clock.timestamp())  # the ring job for it is lost
    assert (offer.agent, offer.caller_sid) == ("agent0", sid)
    assert runtime.acd.presence.get("agent0").state is Presence.OFFERED
    workers(CALLFLOW_CALLBACK_LEASE_SECONDS="2")
    call.wait(timeout=90)
    assert "Fraud team, agent 0." in [e.text for e in call.entries("talk")]
    assert "Thank you for holding" in call.heard_text()
    assert len(calls_placed_to(carrier, AGENT)) == 1


def test_an_agent_left_offered_a_caller_who_has_gone_is_freed_for_the_next(centre, workers, carrier, sessions):
    runtime = centre
    agents_at_work(runtime, sessions, carrier, 1)
    sid, now = "CA" + "7" * 32, runtime.clock.timestamp()
    runtime.acd.caller_waits(CallerInfo(sid, "+15551230001", LINE, "fraud", entered_at=now), now)
    (offer,) = runtime.acd.offers(["fraud"], now)  # the ring job for it is lost ...
    assert offer.agent == "agent0"
    runtime.acd.forget(sid)  # ... and the caller hung up and was summarised meanwhile
    workers(CALLFLOW_CALLBACK_LEASE_SECONDS="2")
    wait_for(lambda: runtime.acd.presence.get("agent0").state is Presence.AVAILABLE, timeout=60,
             what="the agent freed by the sweeper")
    assert calls_placed_to(carrier, AGENT) == []
