"""Sound on hold (issue 26): a holding caller hears music between updates and while an agent is rung, never a
minute of nothing; an agent who does not answer leaves the caller asked again, with a fresh estimate.

The local carrier times each <Play> by the WAV file's real length and notes, for every call, the longest
silence the caller heard that they did not cause (`Call.longest_silence`); conftest checks it after every
e2e test, and these tests assert it where the silence used to be.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import urllib.request
import wave

import pytest

from callflow.carrier import Caller, press, say
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from tests.e2e.conftest import CALLER, LINE, MAX_SILENCE_SECONDS
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN = "+15557770001"
SHIPPED_TUNE = "/voice/hold-music/gentle-tune.wav"


@pytest.fixture
def settings(settings, tmp_path):
    """The repository's scripts, and beside them a line's own hold music file (audio/lobby.wav, 6 s)."""
    folder = tmp_path / "ivr_scripts"
    shutil.copytree(settings.ivr_scripts, folder)
    (folder / "audio").mkdir(exist_ok=True)
    with wave.open(str(folder / "audio" / "lobby.wav"), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x10\x00" * 8000 * 6)
    return dataclasses.replace(settings, ivr_scripts=folder)


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", ANN, ["fraud"])
    return runtime


def use_music(settings, line: str) -> None:
    """Give Acme Bank's line its own hold music (what an administrator writes under `hold:`)."""
    script = settings.ivr_scripts / "acme_bank.yaml"
    text = re.sub(r"\n  music: .*\n", "\n", script.read_text(), count=1)
    script.write_text(text.replace("hold:\n", f"hold:\n  {line}\n", 1))


def played(call) -> list:
    return [e for e in call.entries("played") if e.text]


def test_a_holding_caller_hears_music_between_updates_not_a_minute_of_silence(centre, worker, carrier):
    runtime = centre
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."]))
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())  # busy all along
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), say("I'll hold")], patience=150))
    call.wait(timeout=90)
    kinds = [(e.kind, e.text) for e in call.transcript if e.kind in ("heard", "played", "pause")]
    updates = [i for i, (kind, text) in enumerate(kinds) if text.startswith("Thank you for holding.")]
    assert len(updates) >= 2, kinds
    between = kinds[updates[0] + 1:updates[1]]
    assert between and all(kind == "played" and text.endswith(SHIPPED_TUNE) for kind, text in between), between
    music = played(call)[0]
    assert (music.data["seconds"], music.data["loop"]) == (16.0, 4)  # one play of the tune, looped to the update
    assert not call.entries("pause")
    assert call.longest_silence().seconds <= MAX_SILENCE_SECONDS, call.longest_silence()


def test_the_shipped_tune_is_served_small_and_licensed(app_server):
    _, public_url = app_server
    with urllib.request.urlopen(public_url + SHIPPED_TUNE) as response:
        body, kind = response.read(), response.headers["Content-Type"]
    assert kind == "audio/wav" and len(body) < 300 * 1024
    with wave.open(io.BytesIO(body)) as audio:
        assert audio.getnframes() / audio.getframerate() == 16.0
    from callflow.domain import hold_music

    assert (hold_music.SHIPPED / "LICENCE.md").read_text().count("CC0") == 1
    assert hold_music.compose() == body  # ours: composed by our own program, byte for byte


def test_a_line_plays_the_hold_music_its_script_chooses(settings, centre, worker, carrier):
    use_music(settings, "music: lobby.wav")
    runtime = centre
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([press("4"), say("I'll hold")], patience=40))
    call.wait(timeout=60)
    music = played(call)[0]
    assert music.text.endswith("/voice/hold-music/lobby.wav")
    assert (music.data["seconds"], music.data["loop"]) == (6.0, 10)  # 60 s between updates: ten plays


def test_while_an_agent_who_never_answers_is_rung_the_caller_hears_music_then_is_asked_again(
        centre, worker, carrier, redis):
    runtime = centre
    carrier.add_phone(ANN, Caller(pickup="no-answer"))
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(
        [press("4"), press("1", expect="Would you like to hold")], patience=120))
    wait_for(lambda: any("couldn't connect you" in e.text for e in call.entries("heard")), timeout=60,
             what="the caller told that the agent did not answer")
    call.wait(timeout=60)
    kinds = [(e.kind, e.text) for e in call.transcript if e.kind in ("heard", "played", "pause", "pressed")]
    rung = kinds.index(("heard", "One moment while I connect you."))
    asked = next(i for i, (_, text) in enumerate(kinds) if "couldn't connect you" in text)
    assert rung < asked and all(kind == "played" for kind, _ in kinds[rung + 1:asked]), kinds[rung:asked + 1]
    question = kinds[asked][1]
    assert "All our Fraud and Security advisers are helping other customers." in question
    assert "Your wait should be" in question and "Would you like to hold, or shall we call you back" in question
    assert kinds[asked + 1] == ("pressed", "1")
    assert kinds.count(("heard", "One moment while I connect you.")) == 1  # said once, not at every play
    events = [e["event"] for e in Promises(redis).history(call.sid)]
    assert events.index("permission-asked") < events.index("hold-accepted")
    assert "promise" in events[events.index("permission-asked") - 1:]
    assert call.longest_silence().seconds <= MAX_SILENCE_SECONDS, call.longest_silence()


def test_a_customer_called_back_hears_music_while_their_agent_is_rung(centre, worker, carrier):
    runtime = centre
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], ring_seconds=15, hang_up_after=20))  # slow
    carrier.add_phone(CALLER, Caller(talk=["Hello, thanks for calling back."]))
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], runtime.clock.timestamp())
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller([say("I lost my card"), press("2")]))
    call.wait(timeout=60)
    from callflow import jobs

    runtime.acd.set_presence("ann", Presence.AWAY, ["fraud"], runtime.clock.timestamp())
    runtime.jobs.enqueue(jobs.set_presence, "ann", "available")
    callback = wait_for(lambda: next((c for c in carrier.calls.values()
                                      if c.to == CALLER and c.direction == "outbound-api"), None),
                        timeout=30, what="the callback call")
    callback.wait(timeout=60)
    kinds = [(e.kind, e.text) for e in callback.transcript if e.kind in ("heard", "played", "bridged")]
    hello = next(i for i, (_, text) in enumerate(kinds) if text.endswith("Connecting you now."))
    assert kinds[hello + 1][0] == "played" and kinds[hello + 1][1].endswith(SHIPPED_TUNE), kinds
    assert kinds[hello + 2][0] == "bridged", kinds
    assert "Fraud team, Ann speaking." in [e.text for e in callback.entries("talk")]
    assert callback.longest_silence().seconds <= MAX_SILENCE_SECONDS, callback.longest_silence()
