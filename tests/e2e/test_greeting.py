"""The first thing every caller hears, through the local carrier exactly as Twilio would drive the app."""

from __future__ import annotations

import pytest
import requests
from twilio.request_validator import RequestValidator

from callflow.carrier import Caller, hang_up
from tests.conftest import AUTH_TOKEN
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e


def test_a_call_is_greeted_with_the_company_name_and_offered_help_then_hangs_up(carrier, worker, sessions):
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(answers=[hang_up()]))
    call.wait(timeout=30)
    heard = call.heard_text()
    assert "Acme Bank" in heard
    assert "automated assistant" in heard
    assert not [e for e in call.transcript if e.kind == "application-error"]

    # The status callback reached a real RQ worker, which closed the call in the database.
    from callflow.store.models import Call

    def closed():
        with sessions() as session:
            record = session.get(Call, call.sid)
            return record if record is not None and record.ended_at is not None else None

    record = wait_for(closed, timeout=30, what="the worker to close the call")
    assert (record.caller, record.called, record.status) == (CALLER, LINE, "completed")


def test_a_forged_request_is_refused_and_changes_nothing(app_server, redis):
    _, public_url = app_server
    params = {"CallSid": "CA" + "f" * 32, "From": CALLER, "To": LINE, "CallStatus": "ringing"}
    forged = RequestValidator("not-the-account-token").compute_signature(f"{public_url}/voice/incoming", params)
    response = requests.post(f"{public_url}/voice/incoming", data=params, headers={"X-Twilio-Signature": forged},
                             timeout=10)
    assert response.status_code == 403
    assert not redis.keys("callflow:call:*")
    genuine = RequestValidator(AUTH_TOKEN).compute_signature(f"{public_url}/voice/incoming", params)
    accepted = requests.post(f"{public_url}/voice/incoming", data=params,
                             headers={"X-Twilio-Signature": genuine}, timeout=10)
    assert accepted.status_code == 200 and "Acme Bank" in accepted.text
