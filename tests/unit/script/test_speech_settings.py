"""What a line tells Twilio's speech recogniser: hints that fit, and the line's speech model (issue 23)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from callflow.domain.events import CallStarted
from callflow.domain.script import engine
from callflow.domain.script.loader import load_script_text
from webhooks.twiml import render

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def _gather(script):
    step = engine.start(script, CallStarted(caller="+447700900123", called="+442079460100"), NOW)
    return next(a for a in step.actions if type(a).__name__ == "Gather")


def _xml(action) -> ET.Element:
    return ET.fromstring(str(render([action], lambda endpoint, **_: f"https://ivr.example.com/{endpoint}")))


def test_hints_are_whole_phrases_within_twilios_500_characters(bank):
    gather = _gather(bank)
    hints = _xml(gather).find("Gather").get("hints")
    assert len(hints) <= engine.HINT_CHARACTERS
    assert hints.split(", ") == list(gather.hints)  # nothing cut in the middle of a phrase
    assert all(d.name in gather.hints for d in bank.departments.values())
    phrases = {p for d in bank.departments.values() for p in d.phrases}
    assert len([h for h in gather.hints if h in phrases]) >= len(bank.departments)


def test_fit_hints_skips_what_does_not_fit_and_keeps_shorter_ones_after_it():
    assert engine.fit_hints(("a" * 490, "b" * 20, "ccc")) == ("a" * 490, "ccc")


def test_the_lines_speech_model_is_used_in_every_gather_that_listens(bank):
    script = replace(bank, speech_model="phone_call")
    gather = _gather(script)
    assert gather.speech_model == "phone_call"
    assert _xml(gather).find("Gather").get("speechModel") == "phone_call"
    assert _xml(_gather(bank)).find("Gather").get("speechModel") is None  # Twilio's default


def test_speech_model_is_read_from_the_script():
    from tests.conftest import ROOT

    text = (ROOT / "ivr_scripts" / "acme_bank.yaml").read_text()
    script = load_script_text(text.replace("language: en-GB", "language: en-GB\nspeech_model: phone_call", 1))
    assert script.speech_model == "phone_call"


def _after(script, *events):
    from tests.unit.script.conftest import OPEN, keyword_steer

    step = engine.start(script, CallStarted(caller="+447700900123", called="+442079460100"), OPEN, keyword_steer)
    for event in events:
        step = engine.handle(script, step.state, event, OPEN, keyword_steer)
    return step


def _routed_to(step):
    return next((a.department for a in step.actions if type(a).__name__ == "RouteToDepartment"), None)


def test_words_the_recogniser_doubted_are_confirmed_before_routing(bank):
    from callflow.domain.events import Digits, Speech

    step = _after(bank, Speech("my card was stolen", confidence=0.2))
    assert _routed_to(step) is None
    question = " ".join(p.text for p in step.actions[0].prompts)
    assert "Press 1 for Fraud and Security, or 2 for Customer Service" in question
    assert _routed_to(_after(bank, Speech("my card was stolen", confidence=0.2), Digits("1"))) == "fraud"


@pytest.mark.parametrize("confidence", [0.9, 0.0], ids=["sure", "not-sent"])
def test_words_heard_clearly_or_without_a_confidence_are_routed_at_once(bank, confidence):
    from callflow.domain.events import Speech

    assert _routed_to(_after(bank, Speech("my card was stolen", confidence=confidence))) == "fraud"
