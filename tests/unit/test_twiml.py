"""The engine's actions become the TwiML a caller hears (XPath over the rendered XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from callflow.domain.actions import (
    Dial,
    Gather,
    Hangup,
    JoinRoom,
    Pause,
    Play,
    RouteToDepartment,
    Say,
    Voicemail,
)
from webhooks.twiml import render


def url(endpoint: str, **values) -> str:
    query = "&".join(f"{k}={v}" for k, v in values.items())
    return f"https://ivr.example.com/{endpoint}" + (f"?{query}" if query else "")


def xml(actions) -> ET.Element:
    return ET.fromstring(str(render(actions, url)))


def test_say_then_gather_speech_and_keys_with_hints():
    root = xml([Say("Welcome to Acme Bank."),
                Gather((Say("How can I help?"),), dtmf=True, speech=True, hints=("lost card", "balance"))])
    assert root.find("Say").text == "Welcome to Acme Bank."
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("action") == "https://ivr.example.com/voice.caller_input"
    assert gather.get("actionOnEmptyResult") == "true"
    assert gather.get("hints") == "lost card, balance"
    assert gather.find("Say").text == "How can I help?"


def test_silence_while_holding_ends_the_wait_music_without_a_request():
    gather = xml([Gather((Pause(60),), timeout=1, purpose="holding")]).find("Gather")
    assert gather.get("action") == "https://ivr.example.com/hold.hold_choice?purpose=holding"
    assert gather.get("actionOnEmptyResult") == "false"  # Twilio requests the waitUrl again instead


def test_keypad_only_gather_has_no_speech_settings():
    gather = xml([Gather((Say("Press 1."),), speech=False, num_digits=1, timeout=7)]).find("Gather")
    assert gather.get("input") == "dtmf"
    assert gather.get("speechTimeout") is None
    assert (gather.get("numDigits"), gather.get("timeout")) == ("1", "7")


def test_department_becomes_enqueue_with_absolute_hold_and_result_urls():
    enqueue = xml([RouteToDepartment("cards", "cards-queue")]).find("Enqueue")
    assert enqueue.text == "cards-queue"
    assert enqueue.get("waitUrl") == "https://ivr.example.com/hold.hold?department=cards"
    assert enqueue.get("action") == "https://ivr.example.com/hold.queue_result?department=cards"


@pytest.mark.parametrize(
    ("action", "tag", "check"),
    [
        (Dial("+441632960000"), "Dial", lambda e: e.find("Number").text == "+441632960000"),
        (Hangup(), "Hangup", lambda e: True),
        (Pause(3), "Pause", lambda e: e.get("length") == "3"),
        (Play("https://x/m.mp3", loop=0), "Play", lambda e: e.get("loop") == "0"),
        (Voicemail("cards", 60), "Record", lambda e: e.get("maxLength") == "60"),
        (JoinRoom("call-CA1", ends_room=True), "Dial",
         lambda e: e.find("Conference").text == "call-CA1" and e.find("Conference").get("endConferenceOnExit") == "true"),
    ],
)
def test_each_action_has_its_verb(action, tag, check):
    element = xml([action]).find(tag)
    assert element is not None and check(element)
