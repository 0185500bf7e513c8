"""The framework's ceiling for bench/webhooks.py, and the floor of any webhook that follows our standards.

The ceiling: Flask under the same gunicorn settings, answering every POST with a constant TwiML greeting of
the size our webhooks answer (BENCH_TWIML_BYTES), built once with the same `VoiceResponse`. No signature
check, no Redis, no database: what is left is Flask, gunicorn and the socket.

The floor (BENCH_FLOOR=1): the least a webhook can do and still keep the project's rules: check Twilio's
signature on the public URL (the twilio library's RequestValidator, as webhooks/security.py), keep the
call's state in Redis (one round trip: a counter in the call's hash) and build its TwiML with `VoiceResponse`
for each request. No script, no routing, no estimate, no database. What separates it from the ceiling is the
price of those rules alone, which no routing logic can win back.

    gunicorn --chdir bench 'bare_app:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from twilio.twiml.voice_response import Gather, VoiceResponse

WORDS = "Thank you for calling Acme Bank. In a few words, tell me what you're calling about."


def twiml(words: str) -> str:
    response = VoiceResponse()
    gather = Gather(input="speech dtmf", action="http://127.0.0.1/voice/input", timeout=5)
    gather.say(words)
    return str(response.append(gather))


def padded(size: int) -> str:
    """The greeting's words, padded to make TwiML of about `size` bytes (never shorter than the bare greeting)."""
    return WORDS + " please" * max(0, (size - len(twiml(WORDS))) // 7)


def greeting(size: int) -> str:
    """A greeting and a menu of about `size` bytes."""
    return twiml(padded(size))


def create_app() -> Flask:
    app = Flask(__name__)
    size = int(os.environ.get("BENCH_TWIML_BYTES", "400"))
    body = greeting(size)

    @app.post("/<path:anything>")
    def answer(anything: str) -> Response:
        return Response(body, mimetype="text/xml")

    if os.environ.get("BENCH_FLOOR") == "1":
        app.view_functions["answer"] = floor(size)
    return app


def floor(size: int):
    """The floor's view: signature, one Redis round trip, TwiML built for the request."""
    import hmac

    import redis
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    public_url, words = os.environ["PUBLIC_URL"].rstrip("/"), padded(size)

    def answer(anything: str) -> Response:
        query = request.query_string.decode("latin-1")
        url = public_url + request.path + (f"?{query}" if query else "")
        expected = validator.compute_signature(url, request.form).encode()  # one HMAC, as webhooks/security.py
        if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "").encode()):
            abort(403)
        store.hincrby("floor:" + request.form.get("CallSid", ""), "webhooks", 1)
        return Response(twiml(words), mimetype="text/xml")

    return answer
