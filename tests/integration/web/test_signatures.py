"""Every /voice webhook checks X-Twilio-Signature against PUBLIC_URL + path: forged requests get 403."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN
from webapp import create_app

PARAMS = {"CallSid": "CA" + "a" * 32, "From": "+15551230002", "To": "+15005550006", "CallStatus": "completed",
          "CallDuration": "12"}


@pytest.fixture
def client(settings):
    return create_app(settings).test_client()


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


ENDPOINTS = ["/voice/incoming", "/voice/input", "/voice/status", "/voice/hold", "/voice/queue-result",
             "/voice/connect", "/voice/agent/answer", "/voice/agent/status",
             "/voice/dial-result", "/voice/voicemail"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "signature",
    [None, "", "not-a-signature", sign("http://127.0.0.1:5000/voice/elsewhere", PARAMS),
     sign("http://127.0.0.1:5000/voice/x", PARAMS, token="someone-elses-token")],
)
def test_forged_or_missing_signature_is_refused(client, redis, path, signature):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = client.post(path, data=PARAMS, headers=headers)
    assert response.status_code == 403
    assert redis.dbsize() == 0  # nothing else happened: no job queued, no state written


def test_signature_over_other_parameters_is_refused(client, redis):
    tampered = dict(PARAMS, CallStatus="busy")
    response = client.post("/voice/status", data=tampered,
                           headers={"X-Twilio-Signature": sign("http://127.0.0.1:5000/voice/status", PARAMS)})
    assert response.status_code == 403


def test_signed_status_callback_is_accepted_and_queues_the_close(client, redis):
    response = client.post("/voice/status", data=PARAMS,
                           headers={"X-Twilio-Signature": sign("http://127.0.0.1:5000/voice/status", PARAMS)})
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<Response" in response.data
    assert redis.exists(f"rq:job:close-call-{PARAMS['CallSid']}")
