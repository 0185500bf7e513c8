"""Twilio's REST API fails while we place calls: errors, errors after the call was placed anyway, and
timeouts. The callback is dialled again later (the claim's lease, then the sweeper asks Twilio what happened)
and the customer is rung exactly once.

The local carrier injects the faults (callflow/carrier/faults.py; `POST /carrier/faults` over HTTP).
"""

from __future__ import annotations

import pytest

from tests.e2e.test_callbacks_exactly_once import (
    agents_at_work,
    ask_for_callback,
    calls_placed_to,
    customer,
    state_of,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("fault", [
    {"status": 500},  # refused: nothing placed
    {"status": 503, "applied": True},  # placed, but the answer says it failed
    {"status": 500, "applied": True, "delay": 11.0},  # placed, and the answer comes after the client gave up
], ids=["500", "503-after-placing", "timeout-after-placing"])
def test_a_failed_dial_is_retried_later_and_the_customer_is_rung_once(centre, sessions, fault):
    carrier, runtime = centre.carrier, centre.runtime
    carrier.faults.add("POST", "Calls.json", **fault)
    sid = ask_for_callback(runtime, sessions, carrier, 1)
    agents_at_work(runtime, sessions, carrier, 1, available=False)
    centre.start_worker(CALLFLOW_CALLBACK_LEASE_SECONDS="2")
    from callflow import jobs

    runtime.jobs.enqueue(jobs.set_presence, "agent0", "available")
    wait_for(lambda: state_of(sessions, sid) == "done", timeout=90, what="the callback to be done")
    assert carrier.faults.fired, "the fault never fired"
    placed = calls_placed_to(carrier, customer(1))
    assert len(placed) == 1, [c.sid for c in placed]
    assert "Hello, thanks for calling back." in [e.text for e in carrier.calls[placed[0].sid].entries("talk")]


def test_the_control_api_sets_and_lists_faults(centre):
    import requests

    url = centre.carrier.url + "/carrier/faults"
    assert requests.post(url, json={"status": 200}).status_code == 400
    added = requests.post(url, json={"path": "Messages.json", "status": 429, "times": 2})
    assert added.status_code == 201 and added.json()["times"] == 2
    assert requests.get(url).json()["pending"][0]["path"] == "Messages.json"
    requests.delete(url)
    assert requests.get(url).json()["pending"] == []
