"""What happens to a call: the events the engine reacts to.

The web layer turns each Twilio webhook into one of these; the engine never sees HTTP.
Like h11's events, they are plain frozen data so tests can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallStarted:
    """A caller reached the line: who they are and what we know of them."""

    caller: str
    called: str
    customer_name: str | None = None
    # The department a recent call (last 24 h) reached, to offer to continue there.
    last_department: str | None = None
    customer_language: str | None = None  # the language a known customer speaks to us in (es-US)


@dataclass(frozen=True)
class Digits:
    """The caller pressed keys in answer to a prompt."""

    digits: str


@dataclass(frozen=True)
class Speech:
    """The caller said something; Twilio's transcription and its confidence (0..1)."""

    text: str
    confidence: float = 0.0


@dataclass(frozen=True)
class NoInput:
    """A prompt timed out without keys or words."""


@dataclass(frozen=True)
class HungUp:
    """The caller (or the line) ended the call."""


Event = CallStarted | Digits | Speech | NoInput | HungUp
