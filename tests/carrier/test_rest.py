"""The REST API through the real twilio client: outbound calls, updates, SMS, errors, control API."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from callflow.carrier import Caller, Pickup, press
from callflow.carrier.__main__ import build, parse_args

from .conftest import ACCOUNT_SID, OUR_NUMBER

CUSTOMER = "+15551230009"


def speak(text: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text)
    return response


def test_outbound_call_answered_runs_url_with_status_callbacks(carrier, webapp, client):
    carrier.add_phone(CUSTOMER, Caller([press("1", expect="call back")]))
    webapp.on("/voice/callback", lambda p: _offer())
    webapp.on("/voice/confirm", lambda p: speak(f"Confirmed {p['Digits']}."))
    created = client.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=f"{webapp.url}/voice/callback",
                                  status_callback=f"{webapp.url}/voice/progress",
                                  status_callback_event=["initiated", "ringing", "answered", "completed"])
    assert created.status == "queued" and created.sid.startswith("CA") and len(created.sid) == 34

    call = carrier.calls[created.sid].wait(10)
    progress = webapp.wait_for("/voice/progress", 4)
    assert [p["CallStatus"] for p in progress] == ["queued", "ringing", "in-progress", "completed"]
    assert webapp.to("/voice/callback")[0]["Direction"] == "outbound-api"
    assert call.heard_text().endswith("Confirmed 1.")
    fetched = client.calls(created.sid).fetch()
    assert (fetched.status, fetched.direction) == ("completed", "outbound-api")
    assert int(fetched.duration) >= 1


def _offer() -> VoiceResponse:
    response = VoiceResponse()
    response.gather(num_digits=1, action="/voice/confirm").say("Press 1 if you asked us to call back.")
    return response


@pytest.mark.parametrize(("pickup", "status"), [(Pickup.BUSY, "busy"), (Pickup.NO_ANSWER, "no-answer"),
                                                (Pickup.FAIL, "failed")])
def test_outbound_call_not_answered(carrier, webapp, client, pickup, status):
    carrier.add_phone(CUSTOMER, Caller(pickup=pickup))
    created = client.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=f"{webapp.url}/voice/callback",
                                  status_callback=f"{webapp.url}/voice/progress", timeout=20)
    carrier.calls[created.sid].wait(10)

    assert client.calls(created.sid).fetch().status == status
    assert [p["CallStatus"] for p in webapp.wait_for("/voice/progress")] == [status]
    assert webapp.to("/voice/callback") == []


def test_machine_detection_reports_answered_by(carrier, webapp, client):
    carrier.add_phone(CUSTOMER, Caller(pickup="machine"))
    webapp.on("/voice/callback", lambda p: speak("Sorry we missed you."))
    created = client.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=f"{webapp.url}/voice/callback",
                                  machine_detection="Enable")
    carrier.calls[created.sid].wait(10)
    assert webapp.to("/voice/callback")[0]["AnsweredBy"] == "machine_start"


def test_update_redirects_then_completes_a_live_call(carrier, webapp, client):
    def hold(params):
        response = VoiceResponse()
        response.say("Hold on.")
        response.pause(length=600)
        return response
    webapp.on("/voice/incoming", hold)
    webapp.on("/voice/transfer", lambda p: hold(p))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller())
    call.wait_for("heard", "Hold on.")

    client.calls(call.sid).update(url=f"{webapp.url}/voice/transfer", method="POST")
    webapp.wait_for("/voice/transfer")
    ended = client.calls(call.sid).update(status="completed")
    assert ended.sid == call.sid

    call.wait(10)
    assert call.status == "completed" and call.duration < 600
    assert [e.text for e in call.entries("heard")] == ["Hold on.", "Hold on."]
    with pytest.raises(TwilioRestException) as error:
        client.calls(call.sid).update(url=f"{webapp.url}/voice/transfer")
    assert error.value.status == 400 and error.value.code == 21220


def test_update_with_twiml(carrier, webapp, client):
    webapp.on("/voice/incoming", lambda p: _pause())
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller())
    call.wait_for("pause")
    client.calls(call.sid).update(twiml=str(speak("An agent will call you.")))
    call.wait(10)
    assert call.heard_text() == "An agent will call you."


def _pause() -> VoiceResponse:
    response = VoiceResponse()
    response.pause(length=600)
    return response


def test_dial_number_bridges_to_a_phone(carrier, webapp):
    carrier.add_phone("+15557770001", Caller(ring_seconds=4, talk=["Supervisor speaking."]))

    def incoming(params):
        response = VoiceResponse()
        response.dial(action="/voice/dial-result", timeout=10).number("+15557770001")
        return response
    webapp.on("/voice/incoming", incoming)
    webapp.on("/voice/dial-result", lambda p: speak(f"Dial {p['DialCallStatus']}."))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(talk=["Hi."])).wait(10)

    result = webapp.to("/voice/dial-result")[0]
    assert result["DialCallStatus"] == "completed" and int(result["DialCallDuration"]) >= 2
    assert [e.text for e in call.entries("talk")] == ["Hi.", "Supervisor speaking."]
    assert call.heard_text() == "Dial completed."
    leg = carrier.calls[result["DialCallSid"]]
    assert (leg.direction, leg.parent_call_sid, leg.status) == ("outbound-dial", call.sid, "completed")


def test_dial_number_busy(carrier, webapp):
    carrier.add_phone("+15557770001", Caller(pickup="busy"))
    webapp.on("/voice/incoming", lambda p: _dial("+15557770001"))
    webapp.on("/voice/dial-result", lambda p: speak(f"Dial {p['DialCallStatus']}."))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)
    assert call.heard_text() == "Dial busy."


def _dial(number: str) -> VoiceResponse:
    response = VoiceResponse()
    response.dial(number, action="/voice/dial-result")
    return response


def test_sms_is_recorded_and_delivered(carrier, client):
    sent = client.messages.create(to=CUSTOMER, from_=OUR_NUMBER, body="Your callback is at 3pm.")
    assert sent.status == "queued" and sent.sid.startswith("SM")
    assert [(m.to, m.body, m.status) for m in carrier.messages] == [(CUSTOMER, "Your callback is at 3pm.",
                                                                     "delivered")]
    assert [m.sid for m in client.messages.list(to=CUSTOMER)] == [sent.sid]


def test_wrong_credentials_get_401_and_unknown_call_404(carrier):
    bad = Client(ACCOUNT_SID, "wrong-token")
    bad.api.base_url = carrier.url
    with pytest.raises(TwilioRestException) as error:
        bad.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url="http://127.0.0.1:9/never")
    assert (error.value.status, error.value.code) == (401, 20003)
    assert carrier.calls == {}
    client = Client(ACCOUNT_SID, carrier.auth_token)
    client.api.base_url = carrier.url
    with pytest.raises(TwilioRestException) as error:
        client.calls("CA" + "0" * 32).fetch()
    assert (error.value.status, error.value.code) == (404, 20404)


def test_list_calls_pages_and_filters(carrier, webapp, client):
    webapp.on("/voice/incoming", lambda p: speak("Hi."))
    calls = [carrier.place_call(f"+1555000000{i}", OUR_NUMBER, Caller()) for i in range(3)]
    for call in calls:
        call.wait(10)
    listed = client.calls.list(page_size=2)
    assert sorted(c.sid for c in listed) == sorted(c.sid for c in calls)
    assert [c.sid for c in client.calls.list(from_="+15550000001")] == [calls[1].sid]
    assert client.calls.list(status="in-progress") == []


def test_control_api_places_a_scripted_call(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: _offer())
    webapp.on("/voice/confirm", lambda p: speak("Thanks."))
    started = requests.post(f"{carrier.url}/carrier/calls", timeout=5,
                            json={"from": CUSTOMER, "to": OUR_NUMBER, "answers": [{"press": "1"}]}).json()
    carrier.calls[started["sid"]].wait(10)

    body = requests.get(f"{carrier.url}/carrier/calls/{started['sid']}", timeout=5).json()
    assert body["status"] == "completed"
    assert [e["text"] for e in body["transcript"] if e["kind"] == "pressed"] == ["1"]
    assert webapp.to("/voice/confirm")[0]["Digits"] == "1"


def test_command_line_configures_numbers():
    carrier = build(parse_args(["--port", "0", "--number", "+15005550006=http://127.0.0.1:5000/voice/incoming",
                                "--auth-token", "t", "--rate", "30"]))
    assert carrier.numbers["+15005550006"].voice_url == "http://127.0.0.1:5000/voice/incoming"
    assert (carrier.auth_token, carrier.clock.rate) == ("t", 30.0)


def test_conference_joins_callers_by_room_name(carrier, webapp):
    def incoming(params):
        response = VoiceResponse()
        response.dial(action="/voice/dial-result").conference("room-7", end_conference_on_exit=True)
        return response
    webapp.on("/voice/incoming", incoming)
    webapp.on("/voice/dial-result", lambda p: speak("Conference over."))
    first = carrier.place_call("+15550000001", OUR_NUMBER, Caller(talk=["Hi, this is the supervisor."],
                                                                  hang_up_after=10))
    first.wait_for("conference")
    second = carrier.place_call("+15550000002", OUR_NUMBER, Caller())
    first.wait(10), second.wait(10)

    assert [e.text for e in second.entries("talk")] == ["Hi, this is the supervisor."]
    assert second.heard_text() == "Conference over."  # the first hung up, ending the room
    assert [p["DialCallStatus"] for p in webapp.to("/voice/dial-result")] == ["completed", "completed"]


def test_someone_left_alone_in_a_conference_stays_until_the_app_moves_them(carrier, webapp, client):
    def incoming(params):
        response = VoiceResponse()
        response.dial().conference("room-8")
        return response
    webapp.on("/voice/incoming", incoming)
    webapp.on("/voice/moved", lambda p: speak("You have been moved."))
    first = carrier.place_call("+15550000001", OUR_NUMBER, Caller(talk=["Hello."], hang_up_after=5))
    first.wait_for("conference")
    second = carrier.place_call("+15550000002", OUR_NUMBER, Caller())
    first.wait(10)
    assert not second.done.wait(0.5)  # as at Twilio: alone in the room, not hung up
    client.calls(second.sid).update(url=f"{webapp.url}/voice/moved", method="POST")
    second.wait(10)
    assert second.heard_text() == "You have been moved."
