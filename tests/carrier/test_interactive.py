"""Interactive phones: a person answers prompts, rings and talks live through the control API over HTTP.

The test plays the person's web page: it posts input to the carrier's control API and reads the transcript
back. It waits on the carrier's own condition (transcript entries, `waiting`), never on a sleep.
"""

from __future__ import annotations

import requests
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from callflow.carrier import Caller, Interactive
from callflow.carrier.phones import speaking_time

from .conftest import OUR_NUMBER

CUSTOMER, AGENT = "+15551230002", "client:bob"
LONG = 600  # virtual seconds (10 real at rate 60): a Gather timeout no person at a test's pace runs into


def speak(text: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text)
    return response


def pause(length: float) -> VoiceResponse:
    response = VoiceResponse()
    response.pause(length=length)
    return response


def menu(prompt: str, **attrs) -> VoiceResponse:
    response = VoiceResponse()
    gather = Gather(action="/voice/menu", **{"timeout": LONG, **attrs})
    gather.say(prompt)
    response.append(gather)
    response.say("We did not get that.")
    return response


class Page:
    """What a browser page does: JSON over HTTP to the carrier's control API."""

    def __init__(self, carrier):
        self.base = f"{carrier.url}/carrier"

    def post(self, path: str, body: dict | None = None) -> requests.Response:
        return requests.post(self.base + path, json=body if body is not None else {}, timeout=5)

    def get(self, path: str, **params) -> dict | list:
        response = requests.get(self.base + path, params=params, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def call_in(self, from_: str, to: str = OUR_NUMBER):
        started = self.post("/calls", {"from": from_, "to": to, "interactive": True})
        assert started.status_code == 201, started.text
        return started.json()["sid"]

    def give(self, sid: str, **input) -> dict:
        response = self.post(f"/calls/{sid}/input", input)
        assert response.status_code == 200, response.text
        return response.json()


def waiting_for(what: str):
    return lambda call: call.waiting == what


def test_person_answers_a_keypad_menu(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: menu("For billing press 1.", num_digits=1))
    webapp.on("/voice/menu", lambda p: speak(f"You chose {p['Digits']}."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait_until(waiting_for("gather"), what="waiting at the menu")
    state = page.get(f"/calls/{call.sid}")
    assert (state["interactive"], state["waiting"], state["listening"]) == (True, "gather", "gather")
    assert [e["text"] for e in state["transcript"] if e["kind"] == "heard"] == ["For billing press 1."]
    assert page.give(call.sid, press="1") == {"sid": call.sid, "accepted": True, "used_for": "gather", "note": ""}

    call.wait(10)
    assert webapp.to("/voice/menu")[0]["Digits"] == "1"
    assert call.heard_text().endswith("You chose 1.")
    assert page.get(f"/calls/{call.sid}")["waiting"] is None


def test_keys_pressed_one_by_one_make_one_answer(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: menu("Enter your account number, then hash."))
    webapp.on("/voice/menu", lambda p: speak(f"Account {p['Digits']}."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait_until(waiting_for("gather"))
    for key in "42#":
        page.give(call.sid, press=key)

    call.wait(10)
    posted = webapp.to("/voice/menu")[0]
    assert (posted["Digits"], posted["FinishedOnKey"]) == ("42", "#")


def test_person_answers_a_speech_menu(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: menu("Tell us why you are calling.", input="speech"))
    webapp.on("/voice/menu", lambda p: speak("Let me help with your card."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait_until(waiting_for("gather"))
    page.give(call.sid, say="  I lost   my card ", confidence=0.7)

    call.wait(10)
    posted = webapp.to("/voice/menu")[0]
    assert (posted["SpeechResult"], posted["Confidence"]) == ("I lost my card", "0.70")
    assert [e.text for e in call.entries("said")] == ["I lost my card"]


def _long_prompt_menu(params, **attrs):
    response = VoiceResponse()
    gather = Gather(action="/voice/menu", num_digits=1, timeout=1, **attrs)  # no time to answer after it
    gather.say("For billing press 1.")
    gather.pause(length=120)
    gather.say("For anything else, say what it is.")
    response.append(gather)
    response.say("We did not get that.")
    return response


def test_a_key_pressed_during_the_prompt_stops_it_and_is_used_at_once(carrier, webapp):
    webapp.on("/voice/incoming", _long_prompt_menu)
    webapp.on("/voice/menu", lambda p: speak(f"You chose {p['Digits']}."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    pause = call.wait_for("pause")
    assert page.give(call.sid, press="1")["used_for"] == "gather"

    call.wait(10)
    assert webapp.to("/voice/menu")[0]["Digits"] == "1"
    assert call.entries("pressed")[0].at - pause.at < 5  # barge-in: not after the 120 s of the prompt
    assert call.entries("barge-in") and "For anything else" not in call.heard_text()
    assert "You chose 1." in call.heard_text()


def test_words_said_during_the_prompt_stop_it_and_are_used_at_once(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: _long_prompt_menu(p, input="dtmf speech"))
    webapp.on("/voice/menu", lambda p: speak(f"You said {p['SpeechResult']}."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    pause = call.wait_for("pause")
    assert page.give(call.sid, say="my card was stolen")["used_for"] == "gather"

    call.wait(10)
    assert webapp.to("/voice/menu")[0]["SpeechResult"] == "my card was stolen"
    assert call.entries("said")[0].at - pause.at < 5
    assert "For anything else" not in call.heard_text()


def test_words_do_not_stop_a_prompt_that_turns_barge_in_off_and_are_used_when_it_ends(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: _long_prompt_menu(p, input="dtmf speech", barge_in=False))
    webapp.on("/voice/menu", lambda p: speak(f"You said {p['SpeechResult']}."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    pause = call.wait_for("pause")
    assert page.give(call.sid, say="my card was stolen")["used_for"] == "gather"

    call.wait(10)
    assert webapp.to("/voice/menu")[0]["SpeechResult"] == "my card was stolen"
    assert call.entries("said")[0].at - pause.at >= 120 and not call.entries("barge-in")
    assert "For anything else" in call.heard_text()


def test_no_answer_times_out_once_into_the_silence_path(carrier, webapp):
    prompt = "For billing press 1."
    webapp.on("/voice/incoming", lambda p: menu(prompt, timeout=7))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait(10)
    assert webapp.to("/voice/menu") == []
    heard, silence = call.entries("heard"), call.entries("silence")[0]
    assert 7 <= silence.at - heard[0].at - speaking_time(prompt) < 9  # the person got the Gather's timeout
    assert heard[1].text == "We did not get that." and heard[1].at - silence.at < 1  # and not a second one


def test_input_when_nothing_listens_is_ignored(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: pause(LONG))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait_for("pause")
    body = page.give(call.sid, press="5")
    assert (body["accepted"], body["used_for"]) == (False, None) and "nothing is listening" in body["note"]
    assert [e.data["input"] for e in call.entries("ignored")] == ["press"]
    page.give(call.sid, hang_up=True)
    call.wait(10)


def test_hold_menu_in_wait_music_then_hang_up_on_hold(carrier, webapp):
    def incoming(params):
        response = VoiceResponse()
        response.enqueue("support", wait_url="/voice/wait", action="/voice/queue-result")
        return response
    webapp.on("/voice/incoming", incoming)

    def wait(params):
        response = VoiceResponse()
        if params.get("Digits") == "2":
            response.say("We will call you back. Please hold on meanwhile.")
            response.pause(length=LONG)
            return response
        response.gather(num_digits=1, action="/voice/wait", timeout=LONG).say("Press 2 for a callback.")
        return response
    webapp.on("/voice/wait", wait)
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait_until(waiting_for("gather"))
    page.give(call.sid, press="2")
    call.wait_for("heard", "call you back")
    assert page.give(call.sid, hang_up=True)["used_for"] == "hang_up"

    call.wait(5)
    assert call.status == "completed" and call.entries("hangup")[0].text == "caller hung up"
    assert webapp.to("/voice/wait")[1]["Digits"] == "2"
    assert webapp.wait_for("/voice/queue-result")[0]["QueueResult"] == "hangup"
    assert webapp.wait_for("/voice/status")[0]["CallStatus"] == "completed"
    assert carrier.queues["support"].size == 0


def test_rest_call_rings_an_interactive_phone_that_answers(carrier, webapp, client):
    page = Page(carrier)
    assert page.post("/phones", {"number": CUSTOMER, "interactive": True}).status_code == 201
    webapp.on("/voice/callback", lambda p: menu("Press 1 if you asked us to call back.", num_digits=1))
    webapp.on("/voice/menu", lambda p: speak(f"Confirmed {p['Digits']}."))
    created = client.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=f"{webapp.url}/voice/callback",
                                  status_callback=f"{webapp.url}/voice/progress",
                                  status_callback_event=["initiated", "ringing", "answered", "completed"])
    call = carrier.calls[created.sid]

    call.wait_until(waiting_for("ringing"))
    ringing = page.get(f"/phones/{CUSTOMER}/calls")
    assert [(c["sid"], c["status"], c["waiting"]) for c in ringing] == [(call.sid, "ringing", "ringing")]
    assert page.get("/calls", party=CUSTOMER, live=1) == ringing
    assert page.post(f"/calls/{call.sid}/answer").status_code == 200

    call.wait_until(waiting_for("gather"))
    assert call.heard_text() == "Press 1 if you asked us to call back."
    page.give(call.sid, press="1")
    call.wait(10)
    assert call.heard_text().endswith("Confirmed 1.")
    progress = webapp.wait_for("/voice/progress", 4)
    assert [p["CallStatus"] for p in progress] == ["queued", "ringing", "in-progress", "completed"]
    assert page.get(f"/phones/{CUSTOMER}/calls") == []


def test_rest_call_declined_ends_busy_and_unanswered_rings_out(carrier, webapp, client):
    carrier.add_phone(CUSTOMER, Interactive())
    declined = client.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=f"{webapp.url}/voice/callback")
    call = carrier.calls[declined.sid]
    call.wait_until(waiting_for("ringing"))
    assert Page(carrier).post(f"/calls/{call.sid}/reject").status_code == 200
    assert call.wait(5).status == "busy" and webapp.to("/voice/callback") == []

    unanswered = carrier.calls[client.calls.create(to=CUSTOMER, from_=OUR_NUMBER, timeout=20,
                                                   url=f"{webapp.url}/voice/callback").sid].wait(5)
    assert unanswered.status == "no-answer" and webapp.to("/voice/callback") == []
    assert 20 <= unanswered.entries("hangup")[0].at < 23


def _dial_agent(webapp):
    def incoming(params):
        response = VoiceResponse()
        dial = Dial(timeout=LONG)
        dial.client("bob")
        response.append(dial)
        response.say("The agent has left.")
        return response
    webapp.on("/voice/incoming", incoming)


def _offered_leg(carrier, page) -> str:
    """The agent's page notices its phone ringing, and answers."""
    with carrier.cond:
        assert carrier.cond.wait_for(lambda: any(c.waiting == "ringing" for c in carrier.live_calls(AGENT)), 10)
    offered = page.get(f"/phones/{AGENT}/calls")
    assert [(c["direction"], c["waiting"]) for c in offered] == [("outbound-dial", "ringing")]
    assert page.post(f"/calls/{offered[0]['sid']}/answer").status_code == 200
    return offered[0]["sid"]


def _talk(call) -> list[tuple[str, str]]:
    return [(e["text"], e["speaker"]) for e in call["transcript"] if e["kind"] == "talk"]


def test_two_people_bridged_talk_both_ways_then_one_hangs_up(carrier, webapp):
    _dial_agent(webapp)
    page = Page(carrier)
    assert page.post("/phones", {"number": AGENT, "interactive": True}).status_code == 201
    caller = carrier.calls[page.call_in(CUSTOMER)]
    agent = carrier.calls[_offered_leg(carrier, page)]

    caller.wait_for("bridged"), agent.wait_for("bridged")
    seen = page.get(f"/calls/{agent.sid}")["next"]
    assert page.give(caller.sid, talk="Hello, I lost my card.")["used_for"] == "talk"
    page.give(agent.sid, talk="I have blocked it.")
    page.give(caller.sid, say="Thank you!")  # words said while bridged are talk too
    conversation = [("Hello, I lost my card.", CUSTOMER), ("I have blocked it.", AGENT), ("Thank you!", CUSTOMER)]
    news = page.get(f"/calls/{agent.sid}?since={seen}")
    assert news["since"] == seen and _talk(news) == conversation
    assert _talk(page.get(f"/calls/{caller.sid}")) == conversation
    assert not page.get(f"/calls/{agent.sid}?since={news['next']}")["transcript"]

    page.give(agent.sid, hang_up=True)
    caller.wait(5), agent.wait(5)
    assert (caller.status, agent.status) == ("completed", "completed")
    assert caller.heard_text().endswith("The agent has left.")  # the caller's TwiML went on after the Dial
    assert caller.entries("dial-result")[0].text == "completed"
    assert page.get(f"/phones/{AGENT}/calls") == [] and page.get(f"/phones/{CUSTOMER}/calls") == []


def test_caller_hanging_up_ends_the_bridge_for_both(carrier, webapp):
    _dial_agent(webapp)
    page = Page(carrier)
    page.post("/phones", {"number": AGENT, "interactive": True})
    caller = carrier.calls[page.call_in(CUSTOMER)]
    agent = carrier.calls[_offered_leg(carrier, page)]
    agent.wait_for("bridged")

    page.give(caller.sid, hang_up=True)
    caller.wait(5), agent.wait(5)
    assert (caller.status, agent.status) == ("completed", "completed")
    assert "The agent has left." not in caller.heard_text()
    assert webapp.wait_for("/voice/status")[0]["CallStatus"] == "completed"


def test_scripted_talk_alongside_a_person_who_ends_the_call(carrier, webapp):
    _dial_agent(webapp)
    carrier.add_phone(AGENT, Caller(talk=["Hello, this is Bob.", "How can I help?"]))
    page = Page(carrier)
    caller = carrier.calls[page.call_in(CUSTOMER)]

    caller.wait_for("talk", "How can I help?")
    page.give(caller.sid, talk="I lost my card.")
    assert not caller.is_final  # the scripted agent is done talking, but a person is on the line
    page.give(caller.sid, hang_up=True)
    caller.wait(5)
    assert [e.text for e in caller.entries("talk")] == ["Hello, this is Bob.", "How can I help?", "I lost my card."]
    agent = next(c for c in carrier.calls.values() if c.parent_call_sid == caller.sid).wait(5)
    assert [e.text for e in agent.entries("talk")] == [e.text for e in caller.entries("talk")]


def test_dialled_person_who_declines_is_busy(carrier, webapp):
    _dial_agent(webapp)
    carrier.add_phone(AGENT, Interactive())
    caller = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller())
    with carrier.cond:
        carrier.cond.wait_for(lambda: carrier.live_calls(AGENT), 10)
    carrier.reject_call(carrier.live_calls(AGENT)[0])

    caller.wait(5)
    assert caller.entries("dial-result")[0].text == "busy"
    assert caller.heard_text() == "The agent has left."


def test_errors_name_the_field_or_the_conflict(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: pause(LONG))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]
    scripted = carrier.place_call("+15551230003", OUR_NUMBER, Caller())

    for body, field in [({"press": "12a"}, "press"), ({"press": ""}, "press"), ({"say": " "}, "say"),
                        ({"talk": 3}, "talk"), ({"hang_up": "yes"}, "hang_up"), ({}, "body"),
                        ({"press": "1", "say": "hi"}, "body"), ({"shout": "hi"}, "shout"),
                        ({"say": "hi", "confidence": 2}, "confidence")]:
        response = page.post(f"/calls/{call.sid}/input", body)
        assert (response.status_code, response.json()["field"]) == (400, field), body
    assert requests.post(f"{page.base}/calls/{call.sid}/input", data="nope", timeout=5).json()["field"] == "body"
    assert page.post("/phones", {"number": AGENT, "interactive": True, "ring_seconds": "soon"}).json()["field"] \
        == "ring_seconds"
    assert page.post("/calls", {"to": OUR_NUMBER, "interactive": True}).json()["field"] == "from"
    assert requests.get(f"{page.base}/calls/{call.sid}?since=-1", timeout=5).status_code == 400

    assert page.post("/calls/CAnothing/input", {"press": "1"}).status_code == 404
    not_ringing = page.post(f"/calls/{call.sid}/answer")
    assert not_ringing.status_code == 409 and "not ringing" in not_ringing.json()["error"]
    is_scripted = page.post(f"/calls/{scripted.sid}/input", {"press": "1"})
    assert is_scripted.status_code == 409 and "scripted" in is_scripted.json()["error"]

    page.give(call.sid, hang_up=True)
    call.wait(5)
    over = page.post(f"/calls/{call.sid}/input", {"press": "1"})
    assert over.status_code == 409 and over.json()["error"] == f"call {call.sid} is over (completed)"
    carrier.end_call(scripted)
    scripted.wait(5)


def test_agent_phone_dials_the_queue_and_two_people_talk(carrier, webapp, client):
    def incoming(params):
        response = VoiceResponse()
        response.enqueue("support", wait_url="/voice/wait")
        return response
    webapp.on("/voice/incoming", incoming)
    webapp.on("/voice/wait", lambda p: pause(LONG))
    page = Page(carrier)
    page.post("/phones", {"number": AGENT, "interactive": True})
    caller = carrier.calls[page.call_in(CUSTOMER)]
    caller.wait_for("enqueued")
    dial = Dial(timeout=30)
    dial.queue("support")
    offered = carrier.calls[client.calls.create(to=AGENT, from_=OUR_NUMBER,
                                                twiml=str(VoiceResponse().append(dial))).sid]
    offered.wait_until(waiting_for("ringing"))
    assert [c["sid"] for c in page.get(f"/phones/{AGENT}/calls")] == [offered.sid]
    page.post(f"/calls/{offered.sid}/answer")

    caller.wait_for("bridged"), offered.wait_for("bridged")
    page.give(offered.sid, talk="Hello, this is Bob.")
    page.give(caller.sid, talk="Hi Bob.")
    assert _talk(page.get(f"/calls/{caller.sid}")) == _talk(page.get(f"/calls/{offered.sid}")) == [
        ("Hello, this is Bob.", AGENT), ("Hi Bob.", CUSTOMER)]
    page.give(caller.sid, hang_up=True)

    caller.wait(5), offered.wait(5)
    assert (caller.status, offered.status) == ("completed", "completed")
    assert offered.entries("dial-result")[0].text == "completed"


def test_person_leaves_a_message_at_a_record(carrier, webapp):
    def incoming(params):
        response = VoiceResponse()
        response.say("Leave a message after the tone.")
        response.record(action="/voice/recorded", timeout=LONG)
        return response
    webapp.on("/voice/incoming", incoming)
    webapp.on("/voice/recorded", lambda p: speak("Thank you."))
    page = Page(carrier)
    call = carrier.calls[page.call_in(CUSTOMER)]

    call.wait_until(waiting_for("record"))
    assert page.give(call.sid, say="Please call me back")["used_for"] == "record"
    call.wait(10)
    assert [e.text for e in call.entries("recorded")] == ["Please call me back"]
    assert call.heard_text().endswith("Thank you.") and webapp.to("/voice/recorded")


def test_people_in_a_conference_hear_each_other(carrier, webapp):
    def incoming(params):
        response = VoiceResponse()
        response.dial().conference("room-7")
        return response
    webapp.on("/voice/incoming", incoming)
    page = Page(carrier)
    first = carrier.calls[page.call_in("+15550000001")]
    second = carrier.calls[page.call_in("+15550000002")]

    first.wait_for("bridged"), second.wait_for("bridged")
    page.give(first.sid, talk="Can you hear me?")
    page.give(second.sid, talk="Loud and clear.")
    expected = [("Can you hear me?", "+15550000001"), ("Loud and clear.", "+15550000002")]
    assert _talk(page.get(f"/calls/{first.sid}")) == _talk(page.get(f"/calls/{second.sid}")) == expected
    page.give(first.sid, hang_up=True)
    first.wait(5)
    assert not second.is_final  # as at Twilio, the one left stays until they (or the app) hang up
    page.give(second.sid, hang_up=True)
    second.wait(5)
