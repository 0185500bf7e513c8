"""Every REST call the real twilio client makes to the carrier, and every answer, against Twilio's spec."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from callflow.carrier import Caller
from tests.conftest import DATA

from .conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER

SPEC = DATA / "twilio" / "twilio_api_v2010.json"  # the paths the carrier serves (data/README.md)
TWILIO_HOST = "https://api.twilio.com"


class RecordingHttpClient(TwilioHttpClient):
    """The twilio library's own HTTP client, keeping each exchange for validation."""

    def __init__(self):
        super().__init__()
        self.exchanges = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        response = super().request(method, url, params, data, headers, auth, timeout, allow_redirects)
        self.exchanges.append((method, url, params or {}, data or {}, response))
        return response


def load_spec(path: Path) -> OpenAPI:
    if not path.exists():
        pytest.fail(f"Twilio's OpenAPI spec is missing: expected {path}")
    return OpenAPI.from_dict(json.loads(path.read_text()))


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


def validate(spec, exchange) -> None:
    method, url, params, data, response = exchange
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    body = urlencode(data, doseq=True).encode() if data else None
    request = MockRequest(TWILIO_HOST, method.lower(), parts.path, args=dict(params),
                          headers={"Authorization": "Basic x"}, data=body,
                          content_type="application/x-www-form-urlencoded")
    spec.validate_request(request)
    spec.validate_response(request, MockResponse(response.text.encode(), response.status_code,
                                                 content_type="application/json"))
    assert path  # every exchange was one of ours


def test_every_operation_conforms(spec, carrier, webapp):
    http = RecordingHttpClient()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
    client.api.base_url = carrier.url

    def hold(params):
        response = VoiceResponse()
        response.enqueue("support", wait_url="/voice/wait")
        return response

    def wait(params):
        response = VoiceResponse()
        response.pause(length=30)
        return response
    webapp.on("/voice/incoming", hold)
    webapp.on("/voice/wait", wait)
    carrier.add_phone("+15551230001", Caller(pickup="busy"))

    queue = client.queues.create(friendly_name="support", max_size=50)
    client.queues.list()
    client.queues(queue.sid).fetch()
    client.queues(queue.sid).update(max_size=60)
    caller = carrier.place_call("+15551230002", OUR_NUMBER, Caller())
    webapp.wait_for("/voice/wait")
    client.queues(queue.sid).members.list()
    client.queues(queue.sid).members(caller.sid).fetch()
    client.queues(queue.sid).members("Front").update(url=f"{webapp.url}/voice/bye", method="POST")
    outbound = client.calls.create(to="+15551230001", from_=OUR_NUMBER, url=f"{webapp.url}/voice/out",
                                   status_callback=f"{webapp.url}/voice/progress",
                                   status_callback_event=["initiated", "completed"], timeout=15)
    carrier.calls[outbound.sid].wait(10)
    caller.wait(10)
    client.calls.list(to="+15551230001", page_size=5)
    client.calls(outbound.sid).fetch()
    client.calls(caller.sid).update(status="completed")
    client.messages.create(to="+15551230002", from_=OUR_NUMBER, body="Hello")
    client.messages.list()

    operations = {(m, urlsplit(u).path.split(ACCOUNT_SID)[1]) for m, u, *_ in http.exchanges}
    assert len(operations) == 13, sorted(operations)
    for exchange in http.exchanges:
        validate(spec, exchange)


def test_validation_would_catch_a_malformed_call(spec, carrier):
    """The check above is not vacuous: a Call whose sid breaks Twilio's pattern is refused."""
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/CA{'0' * 32}.json"
    request = MockRequest(TWILIO_HOST, "get", path, headers={"Authorization": "Basic x"})
    body = json.dumps({"sid": "XY123", "status": "completed"}).encode()
    with pytest.raises(Exception, match="(?i)invalid|valid"):
        spec.validate_response(request, MockResponse(body, 200, content_type="application/json"))


def test_missing_spec_fails_loudly(tmp_path):
    """Without the spec the conformance test fails with a message; it never skips."""
    with pytest.raises(pytest.fail.Exception, match="spec is missing"):
        load_spec(tmp_path / "twilio_api_v2010.json")
