"""Fixtures: a real carrier and a tiny real Flask app it calls, which checks every Twilio signature."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.serving import make_server

from callflow.carrier import Carrier

ACCOUNT_SID = "AC" + "1234abcd" * 4
AUTH_TOKEN = "test-auth-token"
OUR_NUMBER = "+15005550006"


class WebhookApp:
    """The app under the carrier: handlers per path, every request logged and its signature checked."""

    def __init__(self):
        self.handlers: dict[str, Callable[[dict], object]] = {}
        self.requests: list[tuple[str, dict]] = []
        self.bad_signatures: list[str] = []
        self.seen = threading.Condition()
        self.flask = Flask(__name__)
        self.flask.add_url_rule("/<path:path>", "hook", self._hook, methods=["GET", "POST"])
        self.url = ""

    def on(self, path: str, handler: Callable[[dict], object]) -> None:
        """Answer requests to `path` with handler(params) -> VoiceResponse | str | (body, status)."""
        self.handlers[path] = handler

    def _hook(self, path: str):
        params = dict(request.form) if request.method == "POST" else dict(request.args)
        signed = request.form if request.method == "POST" else {}
        if not RequestValidator(AUTH_TOKEN).validate(request.url, signed,
                                                     request.headers.get("X-Twilio-Signature", "")):
            self.bad_signatures.append(request.url)
            return "bad signature", 403
        with self.seen:
            self.requests.append(("/" + path, params))
            self.seen.notify_all()
        handler = self.handlers.get("/" + path)
        if handler is None:
            return Response(str(VoiceResponse()), mimetype="text/xml")
        result = handler(params)
        if isinstance(result, tuple):
            return result
        return Response(str(result), mimetype="text/xml")

    def to(self, path: str) -> list[dict]:
        """Parameters of every request made to `path`, in order."""
        return [params for p, params in self.requests if p == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Block until `path` has been requested `count` times (status callbacks arrive after the fact)."""
        with self.seen:
            if not self.seen.wait_for(lambda: len(self.to(path)) >= count, timeout):
                raise AssertionError(f"{path} requested {len(self.to(path))} times, wanted {count}")
        return self.to(path)


@pytest.fixture
def webapp():
    app = WebhookApp()
    server = make_server("127.0.0.1", 0, app.flask, threaded=True)
    app.url = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()
    assert not app.bad_signatures, f"requests with a bad X-Twilio-Signature: {app.bad_signatures}"


@pytest.fixture
def carrier(webapp):
    carrier = Carrier(ACCOUNT_SID, AUTH_TOKEN, rate=60).start()
    carrier.add_number(OUR_NUMBER, voice_url=f"{webapp.url}/voice/incoming",
                       status_callback=f"{webapp.url}/voice/status")
    yield carrier
    carrier.stop()


@pytest.fixture
def client(carrier):
    """The real twilio REST client, pointed at the carrier."""
    client = Client(ACCOUNT_SID, AUTH_TOKEN)
    client.api.base_url = carrier.url
    return client

