"""Duplicate, delayed and out-of-order webhooks (Twilio retries, slow networks, an attacker replaying a signed
request): one summary per call, no second place in line, nothing rung twice, valid TwiML every time."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from rq import Queue
from rq.registry import StartedJobRegistry

from callflow.carrier import Caller, press
from callflow.carrier.webhook import send
from callflow.runtime import JOB_QUEUE
from callflow.store.contact_events import events_of
from callflow.store.models import Summary
from tests.conftest import AUTH_TOKEN
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


def jobs_done(runtime) -> bool:
    queue = Queue(JOB_QUEUE, connection=runtime.redis)
    return queue.count == 0 and StartedJobRegistry(queue=queue).count == 0


def summary_of(sessions, sid: str):
    with sessions() as session:
        return session.get(Summary, sid)


def summaries(sessions) -> int:
    with sessions() as session:
        return session.query(Summary).count()


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.text[:300]
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def test_replayed_status_callbacks_and_gather_answers_after_the_call_change_nothing(centre, sessions):
    centre.start_worker()
    call = centre.carrier.place_call(from_=CALLER, to=LINE,
                                     caller=Caller([press("4"), press("1", expect="hold")], patience=30))
    call.wait(timeout=60)
    first = wait_for(lambda: summary_of(sessions, call.sid), timeout=30, what="the call's summary")
    requests_made = [(e.text, e.data["params"]) for e in call.entries("request") if e.data.get("params")]
    status = [(url, params) for url, params in requests_made if url.endswith("/voice/status")]
    inputs = [(url, params) for url, params in requests_made if "/voice/input" in url]
    assert status and inputs

    for url, params in status * 2 + inputs + requests_made:  # everything again, the status callback twice
        twiml(send(url, params, AUTH_TOKEN))
    wait_for(lambda: jobs_done(centre.runtime), what="the worker to finish what the replays queued")
    assert summaries(sessions) == 1
    assert summary_of(sessions, call.sid).body == first.body
    with sessions() as session:  # and each event is logged once, however often the call's end was replayed
        kinds = [e["kind"] for e in events_of(session, call.sid)]
    assert kinds.count("entered-line") == kinds.count("queued") == kinds.count("contact-ended") == 1
    assert centre.runtime.acd.queues.position("fraud", call.sid) is None  # no ghost in line
    assert centre.runtime.acd.caller_info(call.sid) is None


def test_the_status_callback_before_the_last_answer_ends_the_call_once(centre, sessions):
    centre.start_worker()
    base, sid = centre.public_url, "CA" + "e" * 32
    params = {"CallSid": sid, "From": CALLER, "To": LINE, "AccountSid": "AC" + "1" * 32, "Direction": "inbound"}
    twiml(send(f"{base}/voice/incoming", {**params, "CallStatus": "ringing"}, AUTH_TOKEN))
    ended = {**params, "CallStatus": "completed", "CallDuration": "9"}
    twiml(send(f"{base}/voice/status", ended, AUTH_TOKEN))
    late = twiml(send(f"{base}/voice/input", {**params, "CallStatus": "in-progress", "Digits": "4"}, AUTH_TOKEN))
    assert [child.tag for child in late] == ["Hangup"]  # the call is over: it goes nowhere
    twiml(send(f"{base}/voice/status", ended, AUTH_TOKEN))
    wait_for(lambda: summary_of(sessions, sid), timeout=30, what="the summary")
    wait_for(lambda: jobs_done(centre.runtime), what="the worker to finish")
    assert summaries(sessions) == 1
    assert centre.runtime.acd.queues.position("fraud", sid) is None
    assert centre.runtime.acd.queues.size("fraud") == 0  # no place taken, so no agent could be offered it
