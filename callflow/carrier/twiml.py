"""The TwiML interpreter: one Session per call leg, fetching the app's documents and acting them out.

A session runs on the call's own thread. It requests a document, executes its verbs in order and follows
Gather actions and Redirects to the next document; when a document runs out, Twilio hangs up, and so do we.
Interrupts (REST redirect or hang-up) arrive as exceptions out of `Call.hold`.
"""

from __future__ import annotations

import logging
import math
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from email.utils import format_datetime

from callflow.carrier import dial, enqueue, record
from callflow.carrier.calls import CallStatus, HangUp, Redirect, ScriptError
from callflow.carrier.phones import silence, speaking_time
from callflow.carrier.silence import REQUEST, SOUND, TURN, Span
from callflow.carrier.webhook import API_VERSION, ApplicationError, Document, Goto, parse_twiml, send

log = logging.getLogger(__name__)

SECONDS_PER_KEY = 0.5
PROMPT_VERBS = ("Say", "Play", "Pause")


class BargeIn(Exception):
    """Input during a Gather's prompt: the prompt stops there."""


class Session:
    """Drives one call leg through the app's TwiML."""

    def __init__(self, carrier, call):
        self.carrier, self.call = carrier, call
        self.script = call.script
        self.prompt: list[str] = []      # what the phone heard since it last answered
        self.in_queue = False
        self.final = CallStatus.COMPLETED
        # While a <Gather>'s prompt plays: whether the person has pressed or said something, which stops the
        # prompt at once (Twilio's barge-in). None outside a Gather, and for scripted phones (they answer after).
        self.barge: Callable[[], bool] | None = None

    # -- requests to the app ------------------------------------------------------------------------
    def params(self, **extra) -> dict[str, str]:
        """Twilio's standard voice request parameters plus verb-specific ones."""
        call = self.call
        params = {"AccountSid": call.account_sid, "CallSid": call.sid, "From": call.from_, "To": call.to,
                  "Caller": call.from_, "Called": call.to, "CallStatus": call.status.value,
                  "Direction": call.direction, "ApiVersion": API_VERSION}
        if call.parent_call_sid:
            params["ParentCallSid"] = call.parent_call_sid
        if call.answered_by:
            params["AnsweredBy"] = call.answered_by
        params.update({k: str(v) for k, v in extra.items()})
        return params

    def request(self, url: str, method: str = "POST", **extra):
        """Send a signed webhook request and note it in the transcript; None if it could not be sent.

        The entry's `elapsed` is the real seconds from sending the request to having its answer (or failing):
        the webhook's latency as Twilio would see it (benchmarks read it).
        """
        params = self.params(**extra)
        started, virtual = time.perf_counter(), self.call.now()
        try:
            response = send(url, params, self.carrier.auth_token, method)
        except Exception as exc:  # noqa: BLE001 - any failure to reach the app is the app's problem
            self._requested(virtual, time.perf_counter() - started)
            self.call.record("request", url, method=method, params=params, status=None, error=str(exc),
                             elapsed=time.perf_counter() - started)
            return None
        self._requested(virtual, time.perf_counter() - started)
        self.call.record("request", url, method=method, params=params, status=response.status_code,
                         elapsed=time.perf_counter() - started)
        return response

    def _requested(self, virtual_start: float, real_seconds: float) -> None:
        """Note a request's stretch of the call: the caller hears it as silence of its real length."""
        self.call.spans.append(Span(virtual_start, self.call.now(), REQUEST, real_seconds))

    def fetch(self, url: str, method: str = "POST", **extra) -> Document:
        """Request a TwiML document; anything unusable is an application error."""
        response = self.request(url, method, **extra)
        if response is None or not 200 <= response.status_code < 300:
            status = response.status_code if response is not None else "no answer"
            raise ApplicationError(f"{method} {url} answered {status}")
        return parse_twiml(response.text, url)

    def load(self, goto: Goto) -> Document:
        if goto.twiml is not None:
            return parse_twiml(goto.twiml, None)
        return self.fetch(goto.url, goto.method, **goto.extra)

    # -- the call's life ----------------------------------------------------------------------------
    def run(self, start: Goto) -> None:
        """Run documents until the call ends, then report its end."""
        target = start
        try:
            while target is not None:
                try:
                    target = self.execute(self.load(target))
                except Redirect as redirect:
                    target = Goto(redirect.url, redirect.method, twiml=redirect.twiml)
        except HangUp as hangup:
            self.call.record("hangup", hangup.reason)
        except ApplicationError as exc:
            self.call.set_status(CallStatus.IN_PROGRESS)  # Twilio answers to say the error message
            self.call.record("application-error", str(exc))
        except ScriptError as exc:
            self.call.record("script-error", str(exc))
        except Exception as exc:  # a carrier bug must end the call visibly, not leave it hanging
            log.exception("carrier failed on call %s", self.call.sid)
            self.call.record("carrier-error", repr(exc))
        else:
            self.call.record("hangup", "end of TwiML")
        self.finish(self.final)

    def execute(self, doc: Document, allowed: tuple[str, ...] | None = None) -> Goto | None:
        """Execute a document's verbs in order; return where to go next, None when it runs out."""
        for verb in doc.root:
            if allowed is not None and verb.tag not in allowed:
                raise ApplicationError(f"<{verb.tag}> is not allowed here ({doc.url})")
            handler = VERBS.get(verb.tag)
            if handler is None:
                raise ApplicationError(f"unknown or unsupported verb <{verb.tag}> in {doc.url}")
            if verb.tag != "Reject" and self.call.status is CallStatus.RINGING:
                self.call.set_status(CallStatus.IN_PROGRESS)
                self.status_event("answered")
            goto = handler(self, verb, doc)
            if goto is not None:
                return goto
        return None

    def status_event(self, event: str) -> None:
        """Post a status callback if the call subscribed to this event."""
        call = self.call
        if not call.status_callback or event not in call.status_callback_events:
            return
        call.sequence += 1
        extra = {"Timestamp": format_datetime(self.carrier.clock.now()), "SequenceNumber": call.sequence - 1,
                 "CallbackSource": "call-progress-events"}
        if event == "completed":
            extra.update(CallDuration=call.duration, Duration=math.ceil(call.duration / 60))
        self.request(call.status_callback, call.status_callback_method, **extra)

    def finish(self, status: CallStatus) -> None:
        """End the call, send the completed callback, then release whoever waits on it."""
        self.call.set_status(status)
        self.status_event("completed")
        self.call.done.set()

    # -- what the phone does ------------------------------------------------------------------------
    def listen(self, kind: str | None) -> None:
        """Tell the phone a Gather or Record starts (kind) or stops (None) listening, prompt included."""
        if self.script is not None:
            self.script.listen(kind)

    def reply(self, timeout: float, keys_done=None):
        """The phone's answer to what it just heard; a person may take up to `timeout` to give it."""
        prompt, self.prompt = " ".join(self.prompt), []
        return self.script.reply(self.call, prompt, timeout, keys_done) if self.script is not None else silence()

    # -- verbs --------------------------------------------------------------------------------------
    def _sound(self, seconds: float) -> None:
        """A prompt sounding for `seconds`; inside a Gather, input from the person cuts it short."""
        with self.call.span(SOUND):
            if self.call.hold(seconds, until=self.barge) if self.barge else self.call.hold(seconds):
                raise BargeIn()

    def say(self, verb: ET.Element, doc: Document) -> None:
        text = " ".join((verb.text or "").split())
        for _ in range(max(1, int(verb.get("loop", "1")))):
            self.call.record("heard", text, voice=verb.get("voice", ""), language=verb.get("language", ""))
            self.prompt.append(text)
            self._sound(speaking_time(text))

    def play(self, verb: ET.Element, doc: Document) -> None:
        """Play audio for its real length (a WAV file's header), `loop` times (0: until something moves the
        call); a URL that cannot be fetched is skipped, as Twilio does."""
        url = doc.resolve((verb.text or "").strip()) if (verb.text or "").strip() else ""
        loop = int(verb.get("loop", "1"))
        if verb.get("digits"):
            self.call.record("played", "", digits=verb.get("digits"))
            with self.call.span(SOUND):
                self.call.hold(SECONDS_PER_KEY * len(verb.get("digits")))
            return
        started, virtual = time.perf_counter(), self.call.now()
        seconds = self.carrier.media.seconds(url) if url else None  # fetched once per carrier, like Twilio's cache
        self._requested(virtual, time.perf_counter() - started)
        if seconds is None:
            self.call.record("played", url, error="could not fetch the audio", loop=loop, seconds=0)
            return
        self.call.record("played", url, loop=loop, seconds=round(seconds, 3))
        self._sound(math.inf if loop == 0 else seconds * loop)

    def pause(self, verb: ET.Element, doc: Document) -> None:
        length = float(verb.get("length", "1"))
        self.call.record("pause", str(length))
        if self.call.hold(length, until=self.barge) if self.barge else self.call.hold(length):
            raise BargeIn()

    def gather(self, verb: ET.Element, doc: Document) -> Goto | None:
        inputs = set(verb.get("input", "dtmf").split())
        timeout = float(verb.get("timeout", "5"))
        self.listen("gather")
        self.barge = self._barge_in(verb)
        try:
            try:
                for child in verb:
                    if child.tag not in PROMPT_VERBS:
                        raise ApplicationError(f"<{child.tag}> cannot be nested in <Gather>")
                    VERBS[child.tag](self, child, doc)
            except BargeIn:
                self.call.record("barge-in", "the prompt stopped: the caller pressed or spoke")
            finally:
                self.barge = None
            with self.call.span(TURN):
                answer, result = self.reply(timeout, self._keys_done(verb)), {}
        finally:
            self.listen(None)
        if answer.action == "hang_up":
            raise HangUp("caller hung up")
        with self.call.span(TURN):  # the caller's keys, words or silence: theirs, not the line's
            if answer.action == "press":
                self.call.record("pressed", answer.value)
                self.call.hold(SECONDS_PER_KEY * len(answer.value))
                if "dtmf" in inputs:
                    result = self._digits(answer.value, verb)
            elif answer.action == "say":
                self.call.record("said", answer.value, language=verb.get("language", "en-US"))
                self.call.hold(speaking_time(answer.value))
                if "speech" in inputs:
                    result = {"SpeechResult": answer.value, "Confidence": f"{answer.confidence:.2f}"}
            if not result:
                if answer.action == "silence":
                    self.call.record("silence")
                self.call.hold(max(0.0, timeout - answer.waited))  # a person's silence has already lasted
        if not result and verb.get("actionOnEmptyResult", "false").lower() != "true":
            return None  # Twilio falls through to the next verb
        action = verb.get("action")
        return Goto(doc.resolve(action) if action else doc.url, verb.get("method", "POST").upper(), result)

    def _barge_in(self, verb: ET.Element) -> Callable[[], bool] | None:
        """What stops this Gather's prompt: a key pressed (when it takes keys), or words said (when it takes
        speech and `bargeIn` is not false), by a person's phone; scripted phones answer after the prompt."""
        given = getattr(self.script, "given", None)
        if given is None:
            return None
        inputs = set(verb.get("input", "dtmf").split())
        takes = {"press"} if "dtmf" in inputs else set()
        if "speech" in inputs and verb.get("bargeIn", "true").lower() != "false":
            takes.add("say")
        return lambda: given() in takes

    @staticmethod
    def _keys_done(verb: ET.Element):
        """Whether keys pressed so far complete the Gather (numDigits reached or finishOnKey pressed)."""
        finish, count = verb.get("finishOnKey", "#"), int(verb.get("numDigits", "0") or 0)
        return lambda keys: bool(finish and finish in keys) or bool(count and len(keys) >= count)

    @staticmethod
    def _digits(keys: str, verb: ET.Element) -> dict[str, str]:
        finish = verb.get("finishOnKey", "#")
        digits = keys.split(finish, 1)[0] if finish and finish in keys else keys
        if int(verb.get("numDigits", "0") or 0):
            digits = digits[: int(verb.get("numDigits"))]
        result = {"Digits": digits} if digits else {}
        if result and finish and finish in keys:
            result["FinishedOnKey"] = finish
        return result

    def redirect(self, verb: ET.Element, doc: Document) -> Goto:
        return Goto(doc.resolve((verb.text or "").strip()), verb.get("method", "POST").upper())

    def hangup(self, verb: ET.Element, doc: Document) -> None:
        raise HangUp("app hung up")

    def reject(self, verb: ET.Element, doc: Document) -> None:
        self.final = CallStatus.BUSY if verb.get("reason", "rejected") == "busy" else CallStatus.NO_ANSWER
        raise HangUp(f"rejected ({verb.get('reason', 'rejected')})")

    def leave(self, verb: ET.Element, doc: Document) -> None:
        if self.in_queue:
            raise enqueue.LeaveQueue()


VERBS = {"Say": Session.say, "Play": Session.play, "Pause": Session.pause, "Gather": Session.gather,
         "Redirect": Session.redirect, "Hangup": Session.hangup, "Reject": Session.reject,
         "Leave": Session.leave, "Enqueue": enqueue.enqueue, "Dial": dial.dial, "Record": record.record}
