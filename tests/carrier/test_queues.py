"""Queues: waiting with wait music, losing patience, leaving, and being bridged to an agent."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from callflow.carrier import Caller, press

from .conftest import OUR_NUMBER

CUSTOMER, AGENT = "+15551230002", "client:alice"


def speak(text: str) -> VoiceResponse:
    response = VoiceResponse()
    response.say(text)
    return response


def enqueue_support(webapp, **attrs):
    def incoming(params):
        response = VoiceResponse()
        response.say("Please hold for the next agent.")
        response.enqueue("support", wait_url="/voice/wait", action="/voice/queue-result", **attrs)
        response.say("Back from the queue.")
        return response
    webapp.on("/voice/incoming", incoming)

    def wait(params):
        response = VoiceResponse()
        response.say(f"You are number {params['QueuePosition']} in line.")
        response.pause(length=20)
        return response
    webapp.on("/voice/wait", wait)
    webapp.on("/voice/queue-result", lambda p: speak(f"Queue result {p['QueueResult']}."))


def agent_dials_queue(client, carrier, webapp, **queue_attrs):
    """An agent's phone is called and its TwiML dials the support queue, as an agent console would."""
    dial = Dial(action=f"{webapp.url}/voice/dial-result", timeout=30)
    dial.queue("support", **queue_attrs)
    return client.calls.create(to=AGENT, from_="+15005550006", twiml=str(VoiceResponse().append(dial)))


def test_wait_url_is_polled_until_the_caller_loses_patience(carrier, webapp):
    enqueue_support(webapp)
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(patience=90)).wait(10)

    waits = webapp.to("/voice/wait")
    assert len(waits) >= 3  # each wait document lasts about 22 virtual seconds
    assert [w["QueuePosition"] for w in waits] == ["1"] * len(waits)
    assert [int(w["QueueTime"]) for w in waits] == sorted(int(w["QueueTime"]) for w in waits)
    assert int(waits[-1]["QueueTime"]) >= 40 and waits[0]["CurrentQueueSize"] == "1"
    result = webapp.to("/voice/queue-result")[0]
    assert result["QueueResult"] == "hangup" and 88 <= int(result["QueueTime"]) <= 92
    assert "Queue result" not in call.heard_text()  # the call was over; the action's answer is ignored
    assert carrier.queues["support"].size == 0


def test_second_caller_hears_position_two(carrier, webapp):
    enqueue_support(webapp)
    first = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(patience=60))
    webapp.wait_for("/voice/wait")
    second = carrier.place_call("+15551230003", OUR_NUMBER, Caller(patience=90))
    first.wait(10), second.wait(10)

    heard = [e.text for e in second.entries("heard")]
    assert heard[1] == "You are number 2 in line."
    assert "You are number 1 in line." in heard[2:]  # the first caller hung up: the second moved up


def test_leave_in_wait_music_continues_after_enqueue(carrier, webapp):
    enqueue_support(webapp)

    def closing(params):
        response = VoiceResponse()
        response.say("We are closing.")
        response.leave()
        return response
    webapp.on("/voice/wait", closing)
    webapp.on("/voice/queue-result", lambda p: speak(f"Queue result {p['QueueResult']}."))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    assert call.heard_text().endswith("We are closing. Queue result leave.")
    assert not call.entries("application-error")


def test_gather_in_wait_music_stays_in_the_queue(carrier, webapp):
    enqueue_support(webapp)

    def wait(params):
        response = VoiceResponse()
        if params.get("Digits") == "1":
            response.leave()
            return response
        response.gather(num_digits=1, action="/voice/wait").say("Press 1 for a callback.")
        return response
    webapp.on("/voice/wait", wait)
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([press("1", expect="callback")])).wait(10)
    assert call.heard_text().endswith("Queue result leave.")

    assert webapp.to("/voice/wait")[1]["Digits"] == "1" and webapp.to("/voice/wait")[1]["QueueSid"]
    assert webapp.to("/voice/queue-result")[0]["QueueResult"] == "leave"


def test_dial_queue_bridges_agent_and_caller(carrier, webapp, client):
    enqueue_support(webapp)
    webapp.on("/voice/whisper", lambda p: speak("Connecting you to an agent."))
    webapp.on("/voice/dial-result", lambda p: speak("Wrap up."))
    caller = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(talk=["I lost my card."], patience=600))
    webapp.wait_for("/voice/wait")
    carrier.add_phone(AGENT, Caller(talk=["Hello, this is Alice.", "I have blocked it."]))
    agent = agent_dials_queue(client, carrier, webapp, url=f"{webapp.url}/voice/whisper")

    caller.wait(20)
    agent_call = carrier.calls[agent.sid].wait(20)
    assert [e.text for e in caller.entries("talk")] == ["Hello, this is Alice.", "I lost my card.",
                                                         "I have blocked it."]
    assert [e.text for e in agent_call.entries("talk")] == [e.text for e in caller.entries("talk")]
    assert caller.entries("bridged")[0].text == AGENT and agent_call.entries("bridged")[0].text == CUSTOMER
    assert "Connecting you to an agent." in caller.heard_text()
    queue_result = webapp.wait_for("/voice/queue-result")[0]
    assert queue_result["QueueResult"] == "bridged"
    dial_result = webapp.to("/voice/dial-result")[0]
    assert (dial_result["DialCallStatus"], dial_result["DialCallSid"]) == ("completed", caller.sid)
    assert int(dial_result["DialCallDuration"]) >= 4  # three phrases of talk, in virtual seconds
    assert agent_call.heard_text() == "Wrap up."  # the caller hung up; the agent goes on with the action
    assert webapp.to("/voice/whisper")[0]["DequeingCallSid"] == agent.sid


def test_dial_queue_on_empty_queue_times_out(carrier, webapp, client):
    carrier.create_queue("support")
    webapp.on("/voice/dial-result", lambda p: VoiceResponse())
    carrier.add_phone(AGENT, Caller())
    agent = agent_dials_queue(client, carrier, webapp)

    carrier.calls[agent.sid].wait(10)
    assert webapp.to("/voice/dial-result")[0]["DialCallStatus"] == "no-answer"


def test_rest_dequeue_member_runs_its_url(carrier, webapp, client):
    enqueue_support(webapp)
    webapp.on("/voice/callback-offer", lambda p: speak("We will call you back."))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(patience=600))
    webapp.wait_for("/voice/wait")
    queue = carrier.queues["support"]

    members = client.queues(queue.sid).members.list()
    assert [(m.call_sid, m.position) for m in members] == [(call.sid, 1)]
    client.queues(queue.sid).members("Front").update(url=f"{webapp.url}/voice/callback-offer", method="POST")

    call.wait(10)
    assert call.heard_text().endswith("We will call you back.")
    assert webapp.to("/voice/queue-result")[0]["QueueResult"] == "redirected"
    assert client.queues(queue.sid).fetch().current_size == 0


def test_full_queue_reports_queue_full(carrier, webapp, client):
    client.queues.create(friendly_name="support", max_size=1)
    enqueue_support(webapp)
    first = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(patience=60))
    webapp.wait_for("/voice/wait")
    second = carrier.place_call("+15551230003", OUR_NUMBER, Caller()).wait(10)

    assert second.heard_text().endswith("Queue result queue-full.")
    assert not second.entries("enqueued")
    first.wait(10)
