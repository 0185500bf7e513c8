"""A paced interactive phone (the demo's softphone): its page reads prompts aloud at a person's pace, whatever
the carrier's clock rate, so a Gather's timeout starts only once the page says it has read the prompt; keys
still barge in at any time.
"""

from __future__ import annotations

from callflow.carrier.phones import speaking_time
from tests.waiting import wait_for

from .conftest import OUR_NUMBER
from .test_interactive import CUSTOMER, Page, menu

PROMPT = "For billing press 1. For sales press 2."


def call_paced(carrier, webapp, timeout: float):
    webapp.on("/voice/incoming", lambda p: menu(PROMPT, timeout=timeout))
    page = Page(carrier)
    started = page.post("/calls", {"from": CUSTOMER, "to": OUR_NUMBER, "interactive": True, "paced": True})
    assert started.status_code == 201, started.text
    return page, carrier.calls[started.json()["sid"]]


def test_the_gather_times_out_only_after_the_page_has_read_the_prompt(carrier, webapp):
    page, call = call_paced(carrier, webapp, timeout=7)
    heard = call.wait_for("heard", PROMPT, timeout=10)
    read_by = heard.at + speaking_time(PROMPT) + 30  # virtual: the page is still reading, long after the carrier
    wait_for(lambda: call.now() > read_by, timeout=10, what="the carrier's clock past the prompt and its timeout")
    assert call.entries("silence") == [], "the Gather timed out while the page was still reading its prompt"

    before = call.now()
    assert page.give(call.sid, heard=len(call.transcript))["used_for"] == "heard"
    after = call.now()  # at 60 times a person's pace, the request's own time is seconds of the carrier's
    call.wait(10)
    silence = call.entries("silence")[0]
    assert before + 7 <= silence.at < after + 9  # the whole timeout, from when the page had read the prompt


def test_a_key_pressed_while_the_page_reads_is_used_at_once(carrier, webapp):
    page, call = call_paced(carrier, webapp, timeout=7)
    heard = call.wait_for("heard", PROMPT, timeout=10)
    wait_for(lambda: call.now() > heard.at + speaking_time(PROMPT) + 30, timeout=10, what="the prompt long over")
    assert page.give(call.sid, press="2")["used_for"] == "gather"
    assert webapp.wait_for("/voice/menu")[0]["Digits"] == "2"
    assert call.entries("silence") == []


def test_heard_must_be_a_transcript_position(carrier, webapp):
    page, call = call_paced(carrier, webapp, timeout=7)
    for bad in (-1, "3", True):
        response = page.post(f"/calls/{call.sid}/input", {"heard": bad})
        assert response.status_code == 400 and response.json()["field"] == "heard", response.text
