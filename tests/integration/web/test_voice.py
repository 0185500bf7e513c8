"""The voice webhooks over the Flask test client: greeting, menus, and the safe route when things break."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN
from tests.e2e.conftest import TUESDAY_MORNING
from webapp import create_app

LINE, CALLER, SID = "+15005550006", "+15551230002", "CA" + "b" * 32
BASE = "http://127.0.0.1:5000"


def post(client, path: str, **fields):
    params = {"CallSid": SID, "AccountSid": "AC" + "1" * 32, "From": CALLER, "To": LINE, **fields}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE + path, params)
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.data)


def spoken(root: ET.Element) -> str:
    return " ".join(e.text or "" for e in root.iter("Say"))


@pytest.fixture
def client(settings):
    """The app on a Tuesday morning's clock: departments are open whatever the hour the suite runs at."""
    return create_app(dataclasses.replace(settings, clock_start=TUESDAY_MORNING)).test_client()


def test_incoming_call_is_greeted_and_asked_what_it_is_about(client):
    root = post(client, "/voice/incoming", CallStatus="ringing")
    assert "Acme Bank" in spoken(root) and "automated assistant" in spoken(root)
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("action") == f"{BASE}/voice/input"


def test_a_spoken_request_is_routed_and_asked_before_hold_when_nobody_is_free(client):
    post(client, "/voice/incoming")
    root = post(client, "/voice/input", SpeechResult="my card payment was declined at the shop", Confidence="0.9")
    assert "put you through to Card Payments and Disputes" in spoken(root)
    assert "All our Card Payments and Disputes advisers are helping other customers" in spoken(root)
    assert "Would you like to hold, or shall we call you back" in spoken(root)
    assert root.find("Gather").get("action") == f"{BASE}/voice/hold-choice?purpose=hold"


def test_each_line_s_answers_carry_its_own_public_address(settings):
    """Answers are built once and kept (issue 22): two apps in one process (two lines behind two addresses)
    must still each send Twilio to their own."""
    other = "https://callflow.example.org"
    theirs = create_app(dataclasses.replace(settings, clock_start=TUESDAY_MORNING, public_url=other)).test_client()
    ours = create_app(dataclasses.replace(settings, clock_start=TUESDAY_MORNING)).test_client()
    for client, base in ((ours, BASE), (theirs, other), (ours, BASE)):
        params = {"CallSid": SID, "AccountSid": "AC" + "1" * 32, "From": CALLER, "To": LINE}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(base + "/voice/incoming", params)
        response = client.post("/voice/incoming", data=params, headers={"X-Twilio-Signature": signature})
        assert ET.fromstring(response.data).find("Gather").get("action") == f"{base}/voice/input"


def test_a_known_customer_is_greeted_by_name(client, sessions):
    from callflow.store.customers import import_customers

    with sessions() as session:
        import_customers(session, [{"phone": CALLER, "name": "Ada Lovelace"}])
    assert "Ada Lovelace" in spoken(post(client, "/voice/incoming"))


def test_redis_down_sends_the_caller_to_a_person_not_an_error(settings):
    broken = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0", fallback_number="+441632960999")
    client = create_app(broken).test_client()
    root = post(client, "/voice/incoming")
    assert "technical problem" in spoken(root)
    assert root.find("Dial/Number").text == "+441632960999"


def test_without_a_fallback_number_the_safe_route_is_the_scripts_operator_queue(settings):
    broken = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    root = post(create_app(broken).test_client(), "/voice/input", Digits="1")
    assert root.find("Enqueue") is not None and "technical problem" in spoken(root)


def test_no_script_for_the_line_still_answers_with_valid_twiml(settings, tmp_path):
    empty = dataclasses.replace(settings, ivr_scripts=tmp_path)
    root = post(create_app(empty).test_client(), "/voice/incoming")
    assert root.tag == "Response" and "technical problem" in spoken(root)
    assert root.find("Hangup") is not None


def test_hold_music_degrades_to_holding_when_it_fails(settings):
    broken = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    root = post(create_app(broken).test_client(), "/voice/hold", QueuePosition="1")
    assert root.find("Enqueue") is None  # not allowed in a waitUrl
    assert "holding" in spoken(root).lower()


@pytest.mark.parametrize(("queue_time", "update"), [("600.0", True), ("not a number", False), ("-5", False)])
def test_a_caller_on_hold_keeps_their_music_and_update_whatever_queue_time_says(client, queue_time, update):
    """Twilio sends QueueTime in whole seconds; another sender's '600.0' must still bring the caller's update
    (ten minutes in), and nonsense counts as no time at all: music, never the 'technical problem' apology."""
    post(client, "/voice/incoming")
    post(client, "/voice/input", SpeechResult="my card payment was declined at the shop", Confidence="0.9")
    post(client, "/voice/hold-choice?purpose=hold", Digits="1")
    post(client, "/voice/hold?department=card_payments", QueuePosition="1", QueueTime="0")  # the first: an update
    root = post(client, "/voice/hold?department=card_payments", QueuePosition="1", QueueTime=queue_time)
    assert "technical problem" not in spoken(root)
    assert list(root.iter("Play")), "the hold music goes on"
    assert ("in line" in spoken(root).lower() or "minute" in spoken(root).lower()) is update
