"""What a call does next: the actions the engine returns and the web layer renders as TwiML.

Each action is plain data; `webhooks/twiml.py` is the only place that knows TwiML.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Say:
    """Speak text to the caller."""

    text: str
    voice: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Play:
    """Play an audio file (music, a recorded prompt)."""

    url: str
    loop: int = 1


@dataclass(frozen=True)
class Pause:
    """Silence, in seconds."""

    seconds: int = 1


Prompt = Say | Play | Pause


@dataclass(frozen=True)
class Gather:
    """Ask the caller for keys and/or words; the answer comes back as a Digits, Speech or NoInput event."""

    prompts: tuple[Prompt, ...]
    dtmf: bool = True
    speech: bool = True
    num_digits: int | None = 1
    timeout: int = 5
    hints: tuple[str, ...] = ()
    language: str | None = None
    speech_model: str | None = None  # Twilio's speechModel (the line's `speech_model`); None: Twilio's default
    # Who takes the answer: the IVR menu, the hold manager's question, or a caller holding in a queue.
    purpose: str = "menu"


@dataclass(frozen=True)
class RouteToDepartment:
    """Send the caller to a department's queue (the queue and hold manager take it from there)."""

    department: str
    queue: str
    # What the caller said or pressed that led here, shown to the agent.
    reason: str = ""


@dataclass(frozen=True)
class Dial:
    """Connect the caller to an outside number (an overflow line, a partner, a fallback)."""

    number: str
    caller_id: str | None = None
    timeout: int = 30


@dataclass(frozen=True)
class Hangup:
    """End the call."""


@dataclass(frozen=True)
class Voicemail:
    """Record a message for a department that cannot take the call now."""

    department: str
    max_seconds: int = 120


@dataclass(frozen=True)
class OfferCallback:
    """A closed department's offer: the departments open now, a callback (when it opens, or at a time the caller
    keys) and a message; the callbacks module takes the answer, the engine the choice of an open department."""

    department: str
    queue: str
    # When the department opens next (ISO 8601 with offset), or None if unknown.
    at: str | None = None
    reason: str = ""
    prompts: tuple[Say, ...] = ()  # the offer's words, said while the caller may already answer
    open_now: tuple[str, ...] = ()  # departments open now, in key order (closing.OPEN_KEYS)
    hints: tuple[str, ...] = ()  # their names and subjects, for the speech recogniser
    callback: bool = True  # False: the department takes messages only


@dataclass(frozen=True)
class JoinRoom:
    """Put this leg in a conference room where a caller and agents meet (and transfers happen)."""

    room: str
    # True for the caller's leg: when the caller leaves, the room closes for everyone.
    ends_room: bool = False
    # Audio (a URL) a customer hears while they wait alone for the agent: the room starts only when an agent
    # (who joins without music) is in, so a customer never waits in a silent room.
    music: str | None = None


@dataclass(frozen=True)
class LeaveQueue:
    """Take a holding caller out of Twilio's queue (they chose a callback and keep their place with us)."""


@dataclass(frozen=True)
class Redirect:
    """Go on with another of our webhooks (`endpoint` with its query `args`) once what came before has played."""

    endpoint: str
    args: tuple[tuple[str, str], ...] = ()


Action = (Say | Play | Pause | Gather | RouteToDepartment | Dial | Hangup | Voicemail | OfferCallback | JoinRoom
          | LeaveQueue | Redirect)
