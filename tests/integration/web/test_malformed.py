"""Malformed but correctly signed requests (missing fields, garbage, huge or odd values) always get valid
TwiML, never a 500: whatever Twilio or an attacker with a leaked token sends, the caller hears a person's route."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN
from webapp import create_app

BASE = "http://127.0.0.1:5000"
PATHS = ["/voice/incoming", "/voice/input", "/voice/hold", "/voice/hold-choice?purpose=hold",
         "/voice/hold-choice?purpose=holding", "/voice/queue-result", "/voice/connect?room=x",
         "/voice/dial-result", "/voice/status", "/voice/transferred?department=nowhere",
         "/voice/agent/answer?caller=x&agent=y", "/voice/agent/status", "/voice/callback/answer?callback=zz",
         "/voice/callback/status?callback=1"]
FIELDS = ["CallSid", "From", "To", "Digits", "SpeechResult", "Confidence", "QueueResult", "QueueTime",
          "CallStatus", "DialCallStatus", "CallDuration", "AnsweredBy"]
values = st.one_of(st.text(max_size=40), st.text(max_size=3000), st.sampled_from(["", "0", "-1", "1e309", "nan",
                                                                                    "+15005550006", "*", "#"]))


@pytest.fixture(scope="module")
def client(tmp_path_factory, redis_url, database_url):
    from callflow.settings import Settings
    from tests.conftest import ROOT

    settings = Settings(database_url=database_url, redis_url=redis_url, twilio_auth_token=AUTH_TOKEN,
                        public_url=BASE, ivr_scripts=ROOT / "ivr_scripts", secret_key="s",
                        instance_path=tmp_path_factory.mktemp("instance"))
    return create_app(settings).test_client()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), params=st.dictionaries(st.sampled_from(FIELDS), values, max_size=8))
def test_any_signed_request_gets_valid_twiml(client, path, params):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, (path, params, response.data[:300])
    assert ET.fromstring(response.data).tag == "Response"


def test_a_body_that_is_not_utf8_is_refused_or_answered_never_a_500(client):
    response = client.post("/voice/input", data=b"CallSid=\xff\xfe&Digits=\x80",
                           content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": "x"})
    assert response.status_code in (200, 400, 403)


def test_an_oversized_body_is_refused(client):
    response = client.post("/voice/input", data={"SpeechResult": "a" * 200_000}, headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 413
