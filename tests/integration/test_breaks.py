"""Agents on a break who said when they'd be back: presence keeps the time, and wait estimates count on it.

A promise made at lunchtime that assumed the room stays half empty would be wildly long; one that assumed the
agents were back already would be broken. The hold manager reads who is due back, and when, from Redis.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from callflow.store.agents import add_agent
from callflow.store.presence import Presence, PresenceBoard
from tests.conftest import AUTH_TOKEN
from tests.e2e.conftest import TUESDAY_MORNING
from webapp import create_app

LINE, BASE = "+15005550006", "http://127.0.0.1:5000"
HOUR = 3600.0


def test_a_break_with_a_return_time_is_listed_for_each_of_the_agents_departments_until_they_are_back(redis):
    board = PresenceBoard(redis)
    board.set("ann", Presence.AWAY, 1000.0, ["cards", "fraud"], back_at=1000.0 + 1800)
    assert board.get("ann").back_at == 2800.0
    assert board.due_back("cards", 1000.0, HOUR) == [2800.0] and board.due_back("fraud", 1000.0, HOUR) == [2800.0]
    assert board.due_back("cards", 1000.0, 600) == []  # beyond the horizon asked for
    assert board.due_back("cards", 2900.0, HOUR) == []  # late back: no longer counted on

    board.set("ann", Presence.AVAILABLE, 2700.0, ["cards", "fraud"])
    assert board.get("ann").back_at is None and board.due_back("cards", 1000.0, HOUR) == []

    board.set("ann", Presence.AWAY, 3000.0, ["cards", "fraud"])  # plain away: no return time
    assert board.get("ann").back_at is None and board.due_back("cards", 3000.0, HOUR) == []


@pytest.fixture
def app(settings, sessions):
    with sessions() as session:
        for login in ("bob", "cat", "dan", "eve"):
            add_agent(session, login, login.title(), "correct horse battery", "+1555777000" + str(len(login)),
                      ["card_payments"])
    return create_app(dataclasses.replace(settings, clock_start=TUESDAY_MORNING))  # (Card Payments is open)


def promise_heard(client, sid: str) -> str:
    """Route a caller to Card Payments by speech; the wait they are promised before being asked to hold."""
    root = None
    for path, fields in (("/voice/incoming", {}),
                         ("/voice/input", {"SpeechResult": "my card payment was declined", "Confidence": "0.9"})):
        params = {"CallSid": sid, "AccountSid": "AC" + "1" * 32, "From": "+15551230002", "To": LINE, **fields}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE + path, params)
        response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.data
        root = ET.fromstring(response.data)
    said = " ".join(e.text or "" for e in root.iter("Say"))
    found = re.search(r"(?:Your wait should be|You should be through in) (.+?)\.", said)
    assert found, said
    return found[1]


def test_callers_are_promised_a_shorter_wait_when_agents_on_a_break_are_due_back_soon(app):
    from callflow.services.agents import set_presence

    runtime, client = app.extensions["callflow"], app.test_client()
    now = runtime.clock.timestamp()
    runtime.acd.set_presence("bob", Presence.ON_CALL, ["card_payments"], now, call="CA" + "0" * 32)
    for login in ("cat", "dan", "eve"):
        runtime.acd.set_presence(login, Presence.AWAY, ["card_payments"], now)
    for n in range(4):  # four callers already waiting for the one agent at work
        assert promise_heard(client, f"CA{n:032d}")
    alone = promise_heard(client, "CA" + "5" * 32)

    for login in ("cat", "dan", "eve"):
        set_presence(runtime, login, "away", back_in_minutes=2)  # a short break: back in two minutes
    helped = promise_heard(client, "CA" + "6" * 32)
    minutes = {words: int(re.search(r"\d+", words)[0]) for words in (alone, helped)}
    assert minutes[helped] < minutes[alone], (alone, helped)
