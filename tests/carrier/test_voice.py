"""Inbound calls through the TwiML interpreter: what the caller hears, and what the app is sent."""

from __future__ import annotations

import pytest
from twilio.twiml.voice_response import Gather, VoiceResponse

from callflow.carrier import Caller, ScriptError, hang_up, press, say, silence

from .conftest import ACCOUNT_SID, OUR_NUMBER

CUSTOMER = "+15551230002"


def twiml(build) -> VoiceResponse:
    response = VoiceResponse()
    build(response)
    return response


def menu(**gather_attrs):
    def build(params):
        response = VoiceResponse()
        gather = Gather(**gather_attrs)
        gather.say("For billing press 1. For anything else, tell us why you are calling.")
        response.append(gather)
        response.say("We did not get that.")
        return response
    return build


def test_greeting_then_hangup(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.say("Welcome to Acme Bank."), r.hangup())))
    call = carrier.place_call(from_=CUSTOMER, to=OUR_NUMBER, caller=Caller()).wait(10)

    assert call.heard_text() == "Welcome to Acme Bank."
    assert call.status == "completed"
    first = webapp.to("/voice/incoming")[0]
    assert first["CallSid"] == call.sid and first["AccountSid"] == ACCOUNT_SID
    assert (first["From"], first["To"], first["Caller"], first["Called"]) == (CUSTOMER, OUR_NUMBER, CUSTOMER,
                                                                              OUR_NUMBER)
    assert (first["Direction"], first["CallStatus"], first["ApiVersion"]) == ("inbound", "ringing", "2010-04-01")
    status = webapp.to("/voice/status")
    assert [s["CallStatus"] for s in status] == ["completed"]
    assert int(status[0]["CallDuration"]) >= 1
    assert not call.entries("application-error")


def test_gather_dtmf_posts_digits_to_action(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf", action="/voice/menu", num_digits=1))
    webapp.on("/voice/menu", lambda p: twiml(lambda r: r.say(f"You chose {p['Digits']}.")))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([press("12", expect="billing")])).wait(10)

    assert webapp.to("/voice/menu")[0]["Digits"] == "1"
    assert call.heard_text().endswith("You chose 1.")
    assert [e.text for e in call.entries("pressed")] == ["12"]


def test_gather_speech_posts_speech_result(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf speech", action="/voice/menu"))
    webapp.on("/voice/menu", lambda p: twiml(lambda r: r.say("Let me help with your card.")))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([say("I lost my card", confidence=0.8)])).wait(10)

    posted = webapp.to("/voice/menu")[0]
    assert (posted["SpeechResult"], posted["Confidence"]) == ("I lost my card", "0.80")
    assert "Digits" not in posted
    assert call.entries("said")[0].text == "I lost my card"


def test_gather_ignores_speech_when_only_dtmf_is_accepted(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf", action="/voice/menu"))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([say("billing please")])).wait(10)

    assert webapp.to("/voice/menu") == []
    assert call.heard_text().endswith("We did not get that.")


def test_empty_gather_falls_through_to_next_verb(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf", action="/voice/menu", timeout=7))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([silence()])).wait(10)

    assert webapp.to("/voice/menu") == []
    assert call.heard_text().endswith("We did not get that.")
    heard_after = call.entries("heard")[-1].at - call.entries("silence")[0].at
    assert heard_after >= 7  # the Gather timeout passed in virtual time


def test_empty_gather_with_action_on_empty_result_requests_action(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf", action="/voice/menu", action_on_empty_result=True))
    webapp.on("/voice/menu", lambda p: twiml(lambda r: r.say("Still there?")))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([silence()])).wait(10)

    posted = webapp.to("/voice/menu")
    assert len(posted) == 1 and "Digits" not in posted[0]
    assert "We did not get that." not in call.heard_text()


def test_gather_without_action_posts_to_the_current_document(carrier, webapp):
    def incoming(params):
        if params.get("Digits"):
            return twiml(lambda r: r.say(f"Got {params['Digits']}."))
        return menu(input="dtmf")(params)
    webapp.on("/voice/incoming", incoming)
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([press("3")])).wait(10)

    assert [p.get("Digits") for p in webapp.to("/voice/incoming")] == [None, "3"]
    assert call.heard_text().endswith("Got 3.")


def test_redirect_resolves_relative_urls_against_the_document(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: r.redirect("flows/start")))
    webapp.on("/voice/flows/start", lambda p: twiml(lambda r: (r.say("Step one."), r.redirect("../done"))))
    webapp.on("/voice/done", lambda p: twiml(lambda r: r.say("Done.")))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    assert call.heard_text() == "Step one. Done."
    assert [e.text for e in call.entries("request")][:3] == [
        f"{webapp.url}/voice/incoming", f"{webapp.url}/voice/flows/start", f"{webapp.url}/voice/done"]


def test_caller_hangs_up_at_a_prompt(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf", action="/voice/menu"))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([hang_up()])).wait(10)

    assert call.status == "completed" and webapp.to("/voice/menu") == []
    assert call.entries("hangup")[0].text == "caller hung up"
    assert webapp.wait_for("/voice/status")[0]["CallStatus"] == "completed"


def test_unexpected_prompt_fails_clearly(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf", action="/voice/menu"))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller([press("2", expect="mortgages")]))

    with pytest.raises(ScriptError, match="mortgages"):
        call.wait(10)
    assert webapp.to("/voice/menu") == []


@pytest.mark.parametrize("answer", [("Server error", 500), ("this is not xml <", 200),
                                    ("<Response><Dance/></Response>", 200), ("<Say>hi</Say>", 200)])
def test_unusable_answer_is_an_application_error(carrier, webapp, answer):
    webapp.on("/voice/incoming", lambda p: answer)
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    assert len(call.entries("application-error")) == 1
    assert call.status == "completed"


def test_reject_ends_the_call_busy(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: r.reject(reason="busy")))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)

    assert call.status == "busy" and call.heard_text() == ""
    assert webapp.wait_for("/voice/status")[0]["CallStatus"] == "busy"


def test_virtual_time_pause_reports_virtual_seconds(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.pause(length=60), r.say("Thanks for waiting."))))
    call = carrier.place_call(CUSTOMER, OUR_NUMBER, Caller()).wait(10)  # rate=60: about one real second

    pause, heard = call.entries("pause")[0], call.entries("heard")[0]
    assert 60 <= heard.at - pause.at < 63
    assert 60 <= int(webapp.to("/voice/status")[0]["CallDuration"]) <= 66


def test_callback_hook_answers_from_what_was_heard(carrier, webapp):
    webapp.on("/voice/incoming", menu(input="dtmf speech", action="/voice/menu"))
    webapp.on("/voice/menu", lambda p: twiml(lambda r: r.say("ok")))
    heard = []

    def caller_mind(prompt):
        heard.append(prompt)
        return press("1") if "billing" in prompt else None

    carrier.place_call(CUSTOMER, OUR_NUMBER, Caller(on_prompt=caller_mind)).wait(10)
    assert heard == ["For billing press 1. For anything else, tell us why you are calling."]
    assert webapp.to("/voice/menu")[0]["Digits"] == "1"


def test_record_takes_the_callers_message_and_posts_the_recording(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.say("Leave a message."),
                                                            r.record(action="/voice/recorded", max_length=60))))
    webapp.on("/voice/recorded", lambda p: twiml(lambda r: r.say("Thank you.")))
    caller = Caller([say("Please call me back about my card")])
    call = carrier.place_call(from_=CUSTOMER, to=OUR_NUMBER, caller=caller).wait(10)

    assert [e.text for e in call.entries("recorded")] == ["Please call me back about my card"]
    posted = webapp.to("/voice/recorded")[0]
    assert posted["RecordingSid"].startswith("RE") and int(posted["RecordingDuration"]) >= 2
    assert call.heard_text() == "Leave a message. Thank you."


def test_record_with_silence_moves_on_without_calling_the_action(carrier, webapp):
    webapp.on("/voice/incoming", lambda p: twiml(lambda r: (r.record(action="/voice/recorded"), r.say("Goodbye."))))
    call = carrier.place_call(from_=CUSTOMER, to=OUR_NUMBER, caller=Caller([silence()])).wait(10)

    assert webapp.to("/voice/recorded") == []
    assert call.heard_text() == "Goodbye."
