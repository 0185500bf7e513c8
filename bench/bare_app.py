"""The framework's ceiling for bench/webhooks.py: Flask under the same gunicorn settings, answering every POST
with a constant TwiML greeting of the size our webhooks answer (BENCH_TWIML_BYTES), built once with the same
`VoiceResponse`. No signature check, no Redis, no database: what is left is Flask, gunicorn and the socket.

    gunicorn --chdir bench 'bare_app:create_app()'
"""

from __future__ import annotations

import os

from flask import Flask, Response
from twilio.twiml.voice_response import Gather, VoiceResponse


def greeting(size: int) -> str:
    """A greeting and a menu, padded with words to about `size` bytes (never shorter than the bare greeting)."""
    def twiml(words: str) -> str:
        response = VoiceResponse()
        gather = Gather(input="speech dtmf", action="http://127.0.0.1/voice/input", timeout=5)
        gather.say(words)
        return str(response.append(gather))

    words = "Thank you for calling Acme Bank. In a few words, tell me what you're calling about."
    return twiml(words + " please" * max(0, (size - len(twiml(words))) // 7))


def create_app() -> Flask:
    app = Flask(__name__)
    body = greeting(int(os.environ.get("BENCH_TWIML_BYTES", "400")))

    @app.post("/<path:anything>")
    def answer(anything: str) -> Response:
        return Response(body, mimetype="text/xml")

    return app
