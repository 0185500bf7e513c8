"""Interactive phones: a person (through a web page or a test) drives the call live instead of a script.

A scripted phone knows its answers before the call starts; a person answers what they actually hear. So an
interactive phone's per-call side, the `Inbox`, collects what the person does (keys, words, talk, hang-up,
answering a ring) from any thread, and the call's own thread waits for it in virtual time through
`Call.hold`, which keeps hang-ups, redirects and dequeues working while it waits.

Input counts as Twilio hears it: keys and words only while a <Gather> (or <Record>) is listening, its prompt
included; input during a Gather's prompt stops the prompt there and is used at once (Twilio's barge-in: keys
always, words unless `bargeIn="false"`); talk only while bridged, where it lands in every leg's transcript; a
hang-up at any time. Anything else is noted as `ignored`.

A paced phone (`paced`: a page that reads prompts aloud at a person's pace, whatever the carrier's clock rate)
says how far it has read ({"heard": N}, the transcript up to entry N); a Gather's timeout starts only once it
has read the prompt, so a person still listening is not told they said nothing. Keys and words still barge in.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from callflow.carrier.bridge import party
from callflow.carrier.calls import CallStatus, HangUp
from callflow.carrier.phones import Answer, Caller, Script, press, say

KEYPAD = set("0123456789*#")
INPUTS = ("press", "say", "talk", "hang_up", "heard")
PACE_LIMIT_SECONDS = 600.0  # virtual: a paced phone that stops saying how far it has read (a closed tab) is
# waited for no longer than this before a Gather's timeout starts anyway


class InputError(ValueError):
    """Input that makes no sense, whatever the call is doing (HTTP 400); `field` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class Conflict(Exception):
    """The call cannot take this now: it is over, not ringing, or its phone is scripted (HTTP 409)."""


@dataclass(frozen=True)
class Delivery:
    """What became of one input: `used_for` gather / record / talk / hang_up / answer / reject, or why not."""

    accepted: bool
    used_for: str | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "used_for": self.used_for, "note": self.note}


class Interactive(Caller):
    """A phone a person drives. It never ends a bridge by itself (no `hang_up_after` unless given), never
    loses patience on hold (unless `patience`), and rings until answered, rejected, the caller's timeout, or
    its own `ring_seconds` (then no-answer, like a handset that stops ringing)."""

    interactive = True

    def __init__(self, *, ring_seconds: float | None = None, patience: float | None = None,
                 hang_up_after: float | None = None, talk=(), paced: bool = False):
        super().__init__(patience=patience, talk=talk, hang_up_after=hang_up_after)
        self.ring_seconds = ring_seconds  # None: ring until the caller gives up
        self.paced = paced  # the page reads prompts at its own pace and says when it has (see the module)

    def __repr__(self) -> str:
        return f"Interactive(ring_seconds={self.ring_seconds!r})"

    def script(self, call=None) -> Inbox:
        return Inbox(self, call)

    @classmethod
    def from_json(cls, data: dict) -> Interactive:
        """Build from the control API's JSON: {ring_seconds, patience, hang_up_after, talk, paced}, all optional."""
        options = {}
        for name in ("ring_seconds", "patience", "hang_up_after"):
            value = data.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise InputError(name, f"{name} must be a number of virtual seconds, got {value!r}")
            options[name] = None if value is None else float(value)
        talk = data.get("talk", ())
        if not isinstance(talk, list | tuple) or not all(isinstance(t, str) for t in talk):
            raise InputError("talk", "talk must be a list of phrases")
        return cls(talk=tuple(talk), paced=data.get("paced") is True, **options)


class Inbox(Script):
    """One call's side of an interactive phone: what the person did that the call has not used yet.

    Every field changes under the carrier's condition, which is also what `Call.hold` sleeps on, so a
    delivery wakes the waiting call at once.
    """

    def __init__(self, phone: Interactive, call):
        super().__init__(phone)
        self.call = call
        self.items: deque[Answer] = deque()
        self.listening: str | None = None  # "gather" / "record" from the verb's start (its prompt) to its reply
        self.blocked: str | None = None    # the same, while the verb waits on the person after its prompt
        self.ring: str | None = None       # "ringing", then "answered" / "declined" / "missed"
        self.read_to = 0                   # a paced phone: the transcript it has read out, up to this entry

    @property
    def waiting(self) -> str | None:
        return "ringing" if self.ring == "ringing" else self.blocked

    # -- the call's side ----------------------------------------------------------------------------
    def listen(self, kind: str | None) -> None:
        with self.call.cond:
            self.listening = kind
            if kind is None:
                self.items.clear()  # what a verb did not use is not heard by the next one

    def given(self) -> str | None:
        """What the person has given and the call not yet used: "press", "say" (the first of them), or None.
        Read under the call's condition (`Call.hold`'s `until`), while a Gather's prompt plays."""
        return self.items[0].action if self.items else None

    def reply(self, call, prompt: str, timeout: float, keys_done=None) -> Answer:
        """Input already given is used at once; else wait up to the timeout, then reply with silence."""
        with call.cond:
            self.blocked = self.listening or "gather"
            call.cond.notify_all()  # for whoever watches `waiting`
            try:
                if getattr(self.phone, "paced", False):  # the timeout starts once the page has read the prompt
                    owed = self._prompt_end(call)
                    call.hold(PACE_LIMIT_SECONDS, until=lambda: bool(self.items) or self.read_to >= owed)
                if not call.hold(timeout, until=lambda: bool(self.items)):
                    return Answer("silence", waited=timeout)
                answer = self.items.popleft()
                if answer.action == "press" and keys_done is not None:
                    answer = self._more_keys(call, answer.value, timeout, keys_done)
                return answer
            finally:
                self.blocked = None

    @staticmethod
    def _prompt_end(call) -> int:
        """Where the prompt heard so far ends in the transcript: the entry after the last one heard."""
        heard = [n for n, entry in enumerate(call.transcript) if entry.kind == "heard"]
        return heard[-1] + 1 if heard else 0

    def _more_keys(self, call, keys: str, timeout: float, keys_done) -> Answer:
        """Keys pressed one by one: go on until the Gather has enough, or `timeout` passes without a key."""
        while not keys_done(keys) and call.hold(timeout, until=lambda: bool(self.items)):
            if self.items[0].action != "press":
                break
            keys += self.items.popleft().value
        return press(keys)

    def start_ringing(self) -> None:
        with self.call.cond:
            self.ring = "ringing"
            self.call.cond.notify_all()

    def stop_ringing(self, outcome: str) -> str:
        """End the ringing with `outcome` unless the person decided first; the final state."""
        with self.call.cond:
            if self.ring == "ringing":
                self.ring = outcome
            return self.ring

    # -- the person's side --------------------------------------------------------------------------
    def pick_up(self, answer: bool) -> None:
        with self.call.cond:
            if self.ring != "ringing":
                raise Conflict(f"call {self.call.sid} is not ringing (status {self.call.status.value})")
            self.ring = "answered" if answer else "declined"
            self.call.record("picked-up" if answer else "declined")

    def give(self, kind: str, value: str = "", confidence: float = 0.92) -> Delivery:
        """Route one input by what the call is doing now."""
        call = self.call
        with call.cond:
            if kind == "heard":
                self.read_to = max(self.read_to, int(value))
                call.cond.notify_all()
                return Delivery(True, "heard")
            if kind == "hang_up":
                if self.ring == "ringing":
                    self.pick_up(False)
                    return Delivery(True, "reject")
                call.interrupt(HangUp("caller hung up" if call.direction == "inbound" else "callee hung up"))
                return Delivery(True, "hang_up")
            if self.ring == "ringing":
                return self._ignored(kind, value, "the phone is ringing: answer it first")
            bridge = call.bridge
            if bridge is not None and bridge.connected:
                if kind == "press":
                    return self._ignored(kind, value, "keys are not heard in a bridge")
                for leg in list(bridge.legs):
                    leg.record("talk", value, speaker=party(call))
                return Delivery(True, "talk")
            if self.listening is None:
                return self._ignored(kind, value, "nothing is listening: no Gather or Record is running")
            self.items.append(press(value) if kind == "press" else say(value, confidence=confidence))
            call.cond.notify_all()
            return Delivery(True, self.listening)

    def _ignored(self, kind: str, value: str, why: str) -> Delivery:
        self.call.record("ignored", value, input=kind, reason=why)
        return Delivery(False, None, why)


def ring_person(call, timeout: float) -> CallStatus | None:
    """Ring an interactive phone on an outbound leg: None once answered, else the status the call ends with."""
    inbox, limit = call.script, call.phone.ring_seconds
    inbox.start_ringing()
    try:
        call.hold(min(timeout, math.inf if limit is None else limit), until=lambda: inbox.ring != "ringing")
    finally:
        outcome = inbox.stop_ringing("missed")
    return {"answered": None, "declined": CallStatus.BUSY}.get(outcome, CallStatus.NO_ANSWER)


def inbox_of(call) -> Inbox:
    """The call's interactive side, or Conflict when it is over or its phone is scripted."""
    if call.is_final:
        raise Conflict(f"call {call.sid} is over ({call.status.value})")
    if not isinstance(call.script, Inbox):
        raise Conflict(f"call {call.sid} has a scripted phone; only interactive phones take input")
    return call.script


def parse_input(data) -> tuple[str, str, float]:
    """(kind, value, confidence) from {"press": "12"} | {"say": ".."} | {"talk": ".."} | {"hang_up": true}
    | {"heard": N} (a paced phone has read the transcript out up to entry N)."""
    if not isinstance(data, dict):
        raise InputError("body", "the body must be a JSON object with one of press, say, talk, hang_up")
    unknown = sorted(set(data) - {*INPUTS, "confidence"})
    if unknown:
        raise InputError(unknown[0], f"unknown field {unknown[0]!r}; give one of press, say, talk, hang_up")
    given = [name for name in INPUTS if name in data]
    if len(given) != 1:
        raise InputError("body", f"give exactly one of press, say, talk, hang_up (got {given or 'none'})")
    kind, value = given[0], data[given[0]]
    if kind == "hang_up":
        if value is not True:
            raise InputError("hang_up", "hang_up must be true")
        return kind, "", 0.0
    if kind == "heard":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError("heard", f"heard must be a transcript position (0 or more), got {value!r}")
        return kind, str(value), 0.0
    if kind == "press":
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(value, str) or not value or not set(value) <= KEYPAD:
            raise InputError("press", f"press must be keypad keys (0-9, *, #), got {data['press']!r}")
        return kind, value, 0.0
    if not isinstance(value, str) or not value.strip():
        raise InputError(kind, f"{kind} must be non-empty text, got {value!r}")
    confidence = data.get("confidence", 0.92)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise InputError("confidence", f"confidence must be a number from 0 to 1, got {confidence!r}")
    return kind, " ".join(value.split()), float(confidence)
