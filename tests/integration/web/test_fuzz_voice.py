"""Every /voice/* endpoint (found from the app's URL map, so new ones are fuzzed too) under hostile input:
random, missing, oversized and non-UTF-8 fields, random query strings. A request without the right signature
is always refused (403) and changes nothing; a signed one always gets valid TwiML, never a 500.

Signatures are also checked as they would be behind a proxy: X-Forwarded-Proto / X-Forwarded-Host / Host never
change what is validated when PUBLIC_URL is set (it always is: it has a default).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, ROOT
from webapp import create_app

BASE = "https://callflow.example.com"
FIELDS = ["CallSid", "From", "To", "Digits", "SpeechResult", "Confidence", "QueueResult", "QueueTime",
          "CallStatus", "DialCallStatus", "CallDuration", "AnsweredBy", "RecordingUrl", "ParentCallSid",
          "Direction", "AccountSid", "ConferenceSid", "StatusCallbackEvent"]
QUERY = ["department", "purpose", "room", "caller", "agent", "call", "callback", "draft", "n", "step"]
text_values = st.one_of(
    st.text(max_size=30), st.text(max_size=4000),
    st.sampled_from(["", "0", "-1", "1e309", "nan", "inf", "+15005550006", "+15551230002", "*", "#", "1" * 300,
                     "CA" + "a" * 32, "completed", "hangup", "machine_start", "fraud", "holding", "../../etc"]))


@pytest.fixture(scope="module")
def app(tmp_path_factory, redis_url, database_url):
    from callflow.settings import Settings

    return create_app(Settings(database_url=database_url, redis_url=redis_url, twilio_auth_token=AUTH_TOKEN,
                               public_url=BASE, ivr_scripts=ROOT / "ivr_scripts", secret_key="s",
                               instance_path=tmp_path_factory.mktemp("instance")))


def voice_paths(app) -> list[str]:
    """Every /voice route, its variable parts filled in."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/voice") and "POST" in rule.methods:
            paths.append(rule.rule.replace("<", "").replace(">", "").replace("int:", "").replace("path:", ""))
    return sorted(set(paths))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


PATHS = voice_paths(create_app({"twilio_auth_token": AUTH_TOKEN, "ivr_scripts": ROOT / "ivr_scripts"}))


def test_the_fuzzer_covers_every_voice_endpoint():
    assert {"/voice/incoming", "/voice/input", "/voice/status", "/voice/hold", "/voice/agent/answer",
            "/voice/callback/answer"} <= set(PATHS)
    assert len(PATHS) >= 15


def signed_post(client, path: str, body: bytes, params: dict, signature_url: str | None = None, headers=None):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(signature_url or BASE + path, params)
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded",
                       headers={"X-Twilio-Signature": signature, **(headers or {})})


def valid_twiml(response, context) -> None:
    assert response.status_code == 200, (context, response.status_code, response.data[:300])
    assert response.mimetype == "text/xml", context
    assert ET.fromstring(response.data).tag == "Response", context


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS),
       query=st.dictionaries(st.sampled_from(QUERY), text_values.filter(lambda v: len(v) < 200), max_size=4),
       params=st.dictionaries(st.sampled_from(FIELDS), text_values, max_size=10))
def test_any_correctly_signed_request_to_any_voice_endpoint_gets_valid_twiml(client, path, query, params):
    target = path + ("?" + urlencode(query, quote_via=quote) if query else "")
    body = urlencode(params).encode()
    response = signed_post(client, target, body, params)
    if len(body) > 64 * 1024:
        assert response.status_code == 413
        return
    valid_twiml(response, (target, params))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), raw=st.binary(max_size=2000))
def test_a_signed_body_of_arbitrary_bytes_is_answered_with_twiml(client, app, path, raw):
    with app.test_request_context(path, method="POST", data=raw, content_type="application/x-www-form-urlencoded"):
        from flask import request

        params = request.form.to_dict()  # what the app will see (invalid UTF-8 replaced), so what Twilio signed
    valid_twiml(signed_post(client, path, raw, params), (path, raw))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), params=st.dictionaries(st.sampled_from(FIELDS), text_values, max_size=6),
       signature=st.one_of(st.none(), st.text(st.characters(blacklist_characters="\r\n"), max_size=60),
                           st.binary(max_size=40).map(lambda b: b.hex())))
def test_a_bad_signature_is_always_refused_and_changes_nothing(client, redis, path, params, signature):
    redis.flushdb()
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = client.post(path, data=params, headers=headers)
    assert response.status_code == 403
    assert redis.dbsize() == 0


@pytest.mark.parametrize("path", PATHS)
def test_a_signature_made_with_another_token_or_for_another_path_is_refused(client, path):
    params = {"CallSid": "CA" + "b" * 32, "From": "+15551230002", "To": "+15005550006"}
    other_token = RequestValidator("someone-elses-token").compute_signature(BASE + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": other_token})
    assert response.status_code == 403
    other_path = signed_post(client, path, urlencode(params).encode(), params,
                             signature_url=BASE + "/voice/elsewhere")
    assert other_path.status_code == 403


PROXY_HEADERS = [
    {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "evil.example.net"},
    {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "callflow.example.com:8443", "X-Forwarded-Port": "8443"},
    {"Host": "internal-lb:8080", "X-Forwarded-For": "10.0.0.1"},
    {"Forwarded": "proto=http;host=evil.example.net"},
]


@pytest.mark.parametrize("headers", PROXY_HEADERS)
def test_behind_a_proxy_the_signature_is_checked_against_public_url_whatever_the_forwarded_headers(
        client, redis, headers):
    params = {"CallSid": "CA" + "c" * 32, "From": "+15551230002", "To": "+15005550006", "CallStatus": "ringing"}
    body = urlencode(params).encode()
    # Signed for PUBLIC_URL (what Twilio requested): accepted whatever the proxy says it forwarded.
    valid_twiml(signed_post(client, "/voice/incoming", body, params, headers=headers), headers)
    # Signed for the URL the forwarded headers describe (what an attacker controls): refused.
    host = headers.get("X-Forwarded-Host") or headers.get("Host") or "evil.example.net"
    proto = headers.get("X-Forwarded-Proto", "http")
    redis.flushdb()
    forged = signed_post(client, "/voice/incoming", body, params, signature_url=f"{proto}://{host}/voice/incoming",
                         headers=headers)
    assert forged.status_code == 403
    assert redis.dbsize() == 0
