"""Scripted phones: how a caller answers prompts, how long they hold, whether a callee picks up.

A test reads like a phone conversation:

    Caller([press("1", expect="billing"), say("I lost my card"), silence(), hang_up()], patience=300)

Each step answers the next <Gather>. With `expect`, the step only fits a prompt containing that text;
any other prompt is a script error, so a test fails on the first wrong turn instead of drifting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from callflow.carrier.calls import ScriptError

SECONDS_PER_WORD = 0.4  # 150 words a minute, for Say and for what people say


class Pickup(str, Enum):
    """What a phone does when it rings."""

    ANSWER = "answer"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    MACHINE = "machine"
    FAIL = "failed"


@dataclass(frozen=True)
class Answer:
    """One reply to a prompt: press digits, say words, stay silent or hang up."""

    action: str
    value: str = ""
    expect: str | None = None
    confidence: float = 0.92
    waited: float = 0.0  # virtual seconds the phone already let pass before this reply (a person's silence)

    def fits(self, prompt: str) -> bool:
        return self.expect is None or self.expect.lower() in prompt.lower()


def press(digits: str, expect: str | None = None) -> Answer:
    """Press keys on the keypad (DTMF)."""
    return Answer("press", digits, expect)


def say(words: str, expect: str | None = None, confidence: float = 0.92) -> Answer:
    """Speak; the carrier reports it as SpeechResult with this Confidence."""
    return Answer("say", words, expect, confidence)


def silence(expect: str | None = None) -> Answer:
    """Say nothing, so the Gather times out."""
    return Answer("silence", "", expect)


def hang_up(expect: str | None = None) -> Answer:
    """Put the phone down."""
    return Answer("hang_up", "", expect)


def speaking_time(words: str) -> float:
    """Virtual seconds it takes to say these words."""
    return max(1.0, len(words.split()) * SECONDS_PER_WORD)


class Caller:
    """A scripted phone, used both for people who call in and for phones the carrier rings."""

    interactive = False  # a person drives it live (see interactive.py), so ringing and bridges wait for them

    def __init__(self, answers: Sequence[Answer] = (), *,
                 on_prompt: Callable[[str], Answer | None] | None = None,
                 patience: float | None = None, pickup: Pickup | str = Pickup.ANSWER,
                 ring_seconds: float = 3.0, talk: Sequence[str] = (), hang_up_after: float | None = None):
        self.answers = tuple(answers)
        self.on_prompt = on_prompt
        self.patience = patience            # virtual seconds on hold before hanging up; None = forever
        self.pickup = Pickup(pickup)
        self.ring_seconds = ring_seconds    # virtual seconds of ringing before picking up
        self.talk = tuple(talk) or (("Please leave a message after the tone.",)
                                    if self.pickup is Pickup.MACHINE else ())
        self.hang_up_after = hang_up_after  # virtual seconds into a bridge; None = when the talk is done

    def __repr__(self) -> str:
        return f"Caller({list(self.answers)!r}, pickup={self.pickup.value!r})"

    def script(self, call=None) -> Script:
        """A fresh reading of this phone's answers, one per call."""
        return Script(self)

    @classmethod
    def from_json(cls, data: dict) -> Caller:
        """Build a phone from the control API's JSON: answers [{press: "1"} | {say: ".."} | ...]."""
        steps = []
        for step in data.get("answers", []):
            expect = step.get("expect")
            if "press" in step:
                steps.append(press(str(step["press"]), expect))
            elif "say" in step:
                steps.append(say(step["say"], expect, float(step.get("confidence", 0.92))))
            elif step.get("hang_up"):
                steps.append(hang_up(expect))
            else:
                steps.append(silence(expect))
        return cls(steps, patience=data.get("patience"), pickup=data.get("pickup", "answer"),
                   ring_seconds=float(data.get("ring_seconds", 3.0)), talk=data.get("talk", ()),
                   hang_up_after=data.get("hang_up_after"))


class Script:
    """A phone's progress through its answers during one call."""

    def __init__(self, phone: Caller):
        self.phone = phone
        self._next = 0
        self._lock = threading.Lock()

    def listen(self, kind: str | None) -> None:
        """A verb starts (kind) or stops (None) listening; a script answers from its list, so it has no use."""

    def reply(self, call, prompt: str, timeout: float, keys_done=None) -> Answer:
        """The reply when a Gather or Record has finished its prompt; a script answers at once."""
        return self.answer(prompt)

    def answer(self, prompt: str) -> Answer:
        """The reply to a prompt; a machine never replies, and an exhausted script stays silent."""
        if self.phone.pickup is Pickup.MACHINE:
            return silence()
        if self.phone.on_prompt is not None:
            return self.phone.on_prompt(prompt) or silence()
        with self._lock:
            if self._next >= len(self.phone.answers):
                return silence()
            step = self.phone.answers[self._next]
            self._next += 1
        if not step.fits(prompt):
            raise ScriptError(f"expected a prompt containing {step.expect!r} before {step.action} "
                              f"{step.value!r}, but heard: {prompt!r}")
        return step
