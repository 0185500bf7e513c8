"""<Play> takes the audio file's real length, and the transcript tells the longest silence the caller heard.

The audio is served by a plain file server beside the app, as a CDN would serve a line's hold music.
"""

from __future__ import annotations

import functools
import http.server
import threading
import wave

import pytest
from twilio.twiml.voice_response import Gather, VoiceResponse

from callflow.carrier import Caller, silence

from .conftest import OUR_NUMBER

CUSTOMER = "+15551230002"


@pytest.fixture
def audio_url(tmp_path):
    """A 6-second WAV file served over HTTP; yields its URL."""
    with wave.open(str(tmp_path / "tune.wav"), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x10\x00" * 8000 * 6)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tune.wav"
    server.shutdown()
    server.server_close()


def twiml(build) -> VoiceResponse:
    response = VoiceResponse()
    build(response)
    return response


def test_play_lasts_the_files_real_length_times_its_loops(carrier, webapp, audio_url):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.play(audio_url, loop=3), r.say("Thanks."))))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    played, heard = call.entries("played")[0], call.entries("heard")[0]
    assert (played.text, played.data["seconds"], played.data["loop"]) == (audio_url, 6.0, 3)
    assert 18 <= heard.at - played.at < 20
    assert call.longest_silence().seconds < 2


def test_audio_that_cannot_be_fetched_is_skipped_and_noted(carrier, webapp, audio_url):
    missing = audio_url.replace("tune.wav", "missing.wav")
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.play(missing), r.say("Thanks."))))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    played, heard = call.entries("played")[0], call.entries("heard")[0]
    assert played.data["error"] and heard.at - played.at < 1


def test_the_longest_silence_is_a_pause_the_line_imposed(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.say("Hello."), r.pause(length=30),
                                                            r.say("Still there?"))))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    gap = call.longest_silence()
    assert 30 <= gap.seconds < 32 and gap.after == "heard: Hello."


def test_a_callers_own_silence_at_a_question_is_not_the_lines(carrier, webapp, audio_url):
    def ask(params):
        response = VoiceResponse()
        gather = Gather(input="dtmf", timeout=20, action="/voice/answer")
        gather.say("Press 1 for billing.")
        response.append(gather)
        response.play(audio_url)
        return response

    webapp.on("/voice/incoming", ask)
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([silence()])).wait(10)

    assert call.entries("silence") and call.longest_silence().seconds < 2
