"""Domain actions -> TwiML, built only with twilio's VoiceResponse.

This is the only module that knows TwiML. Every URL it writes is absolute (PUBLIC_URL), because Twilio
resolves relative ones against whichever document it fetched last.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from flask import Response, current_app, request
from twilio.twiml.voice_response import Dial as DialVerb
from twilio.twiml.voice_response import Gather as GatherVerb
from twilio.twiml.voice_response import VoiceResponse

from callflow.domain.actions import (
    Action,
    Dial,
    Gather,
    Hangup,
    JoinRoom,
    LeaveQueue,
    OfferCallback,
    Pause,
    Play,
    Redirect,
    RouteToDepartment,
    Say,
    Voicemail,
)
from webhooks.urls import absolute_url

UrlFor = Callable[..., str]
GATHER_ENDPOINTS = {"menu": "voice.caller_input", "hold": "hold.hold_choice", "holding": "hold.hold_choice",
                    "callback-choice": "callback_voice.choice", "callback-number": "callback_voice.number",
                    "callback-confirm": "callback_voice.confirm",
                    "callback-time": "callback_voice.time_chosen", "survey": "survey_voice.answer"}


def _prompt(verb, prompt) -> None:
    if isinstance(prompt, Say):
        verb.say(prompt.text, voice=prompt.voice, language=prompt.language)
    elif isinstance(prompt, Play):
        verb.play(prompt.url, loop=prompt.loop if prompt.loop != 1 else None)
    elif isinstance(prompt, Pause):
        verb.pause(length=prompt.seconds)


def render(actions: Iterable[Action], url: UrlFor) -> VoiceResponse:
    """Translate the engine's actions into one TwiML document; `url(endpoint, **args)` gives absolute URLs."""
    response = VoiceResponse()
    for action in actions:
        if isinstance(action, (Say, Play, Pause)):
            _prompt(response, action)
        elif isinstance(action, Gather):
            inputs = " ".join(name for name, on in (("dtmf", action.dtmf), ("speech", action.speech)) if on)
            gather = GatherVerb(
                input=inputs,
                action=url(GATHER_ENDPOINTS[action.purpose],
                           **({} if action.purpose == "menu" else {"purpose": action.purpose})),
                method="POST",
                timeout=action.timeout,
                num_digits=action.num_digits,
                hints=", ".join(action.hints)[:500] or None,
                language=action.language,
                speech_model=action.speech_model if action.speech else None,
                speech_timeout="auto" if action.speech else None,
                # Silence while holding needs no answer: the wait music ends and Twilio requests the waitUrl again,
                # one webhook a hold cycle instead of two (the empty answer only ever said "keep holding").
                action_on_empty_result=action.purpose != "holding",
                # '#' means "go back" in our menus, so it must arrive as a key, not end the input.
                finish_on_key="",
            )
            for prompt in action.prompts:
                _prompt(gather, prompt)
            response.append(gather)
        elif isinstance(action, RouteToDepartment):
            response.enqueue(
                action.queue,
                wait_url=url("hold.hold", department=action.department),
                wait_url_method="POST",
                action=url("hold.queue_result", department=action.department),
                method="POST",
            )
        elif isinstance(action, Dial):
            dial = DialVerb(action=url("voice.dial_result"), method="POST", timeout=action.timeout,
                            caller_id=action.caller_id)
            dial.number(action.number)
            response.append(dial)
        elif isinstance(action, OfferCallback):
            # The answer takes a department open now (its key or its name), books a callback for the opening
            # time (or one the caller keys), or, like silence, leaves a message.
            gather = GatherVerb(input="dtmf speech" if action.open_now else "dtmf", num_digits=1, timeout=6,
                                method="POST", action_on_empty_result=True,
                                speech_timeout="auto" if action.open_now else None,
                                hints=", ".join(action.hints)[:500] or None, finish_on_key="",
                                action=url("callback_voice.after_hours", department=action.department))
            for prompt in action.prompts:
                _prompt(gather, prompt)
            if not action.prompts:
                gather.say("To be called back on this number when we open, press 1. To choose the time of the "
                           "call, press 3. Or stay on the line to leave a message.")
            response.append(gather)
        elif isinstance(action, Voicemail):
            response.record(action=url("voice.voicemail", department=action.department), method="POST",
                            max_length=action.max_seconds, play_beep=True)
        elif isinstance(action, JoinRoom):
            dial = DialVerb()
            dial.conference(action.room, start_conference_on_enter=action.music is None,
                            end_conference_on_exit=action.ends_room, beep=False, wait_url=action.music or "")
            response.append(dial)
        elif isinstance(action, LeaveQueue):
            response.leave()
        elif isinstance(action, Redirect):
            response.redirect(url(action.endpoint, **dict(action.args)), method="POST")
        elif isinstance(action, Hangup):
            response.hangup()
        else:  # pragma: no cover - a new action without a rendering is a programming error
            raise TypeError(f"no TwiML for {action!r}")
    return response


def twiml_answer(actions: Iterable[Action]) -> Response:
    """A webhook's TwiML answer: its actions rendered with the app's public URLs (`render`).

    Most answers are ones the process has given before (the menu, the hold question, "thank you, please hold",
    an update with the same estimate), so each distinct answer is built once and its text kept: a webhook
    spends its time on the call, not on building the same XML again (issue 22)."""
    return Response(_answer_text(tuple(actions), current_app.config["PUBLIC_URL"], request.script_root),
                    mimetype="text/xml")


@lru_cache(maxsize=4096)  # answers naming a caller or a wait are many, the menu's and the hold's few
def _answer_text(actions: tuple[Action, ...], public_url: str, script_root: str) -> str:
    """(`public_url` and `script_root` are the key's part of what `absolute_url` reads from the app.)"""
    return _document(render(actions, absolute_url))


def twiml_response(response: VoiceResponse, status: int = 200) -> Response:
    """The HTTP response carrying TwiML; characters XML 1.0 forbids (control characters a request smuggled
    into a room name or a prompt) are dropped, so the document always parses."""
    return Response(_document(response), status=status, mimetype="text/xml")


def _document(response: VoiceResponse) -> str:
    """The TwiML document's text, without the characters XML 1.0 forbids."""
    return _XML_FORBIDDEN.sub("", str(response))


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
