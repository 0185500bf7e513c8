"""The IVR script as the engine sees it: frozen, validated data with no YAML left in it.

Source positions live in a side table (`Script.positions`, dotted field path -> Position)
so the model stays plain while the linter and engine can still name a line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from callflow.domain.script.messages import (  # noqa: F401  (the script's words live there; named here too)
    BUILT_IN_MESSAGES,
    DEFAULT_MESSAGES,
    DEFAULT_MESSAGES_ES,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Position:
    """Where a field starts in its file (1-based)."""

    line: int
    column: int


@dataclass(frozen=True)
class Period:
    """An opening period within one day, in minutes from local midnight; end may be 1440."""

    start: int
    end: int


@dataclass(frozen=True)
class Closure:
    """A one-off closure in local time, [start, end)."""

    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True)
class Hours:
    """When a department answers: weekly periods (Monday first), holidays and one-off closures."""

    time_zone: str
    weekly: tuple[tuple[Period, ...], ...] = ((),) * 7
    holidays: tuple[date, ...] = ()
    closures: tuple[Closure, ...] = ()
    always_open: bool = False


class ClosedAction(str, Enum):
    """What a department does with a caller outside its hours."""

    MESSAGE = "message"  # say why and when we open, then hang up
    CALLBACK = "callback"  # offer to call back at opening time
    VOICEMAIL = "voicemail"  # take a message
    DEPARTMENT = "department"  # hand over to another department


@dataclass(frozen=True)
class WhenClosed:
    """A closed department's answer to the caller."""

    action: ClosedAction = ClosedAction.MESSAGE
    message: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class ServiceLevel:
    """The department's target, e.g. 80% of calls answered within 60 seconds."""

    percent: int = 80
    seconds: int = 60


@dataclass(frozen=True)
class Department:
    """A team that takes calls from one queue."""

    id: str
    name: str
    queue: str
    hours: Hours | None
    topic: str = ""  # how the caller would name the subject: "your card"
    when_closed: WhenClosed = WhenClosed()
    service_level: ServiceLevel = ServiceLevel()
    wrap_up_seconds: int = 30
    overflow_number: str | None = None
    # Most callers that may wait at once (0: no limit); past it callers take the overflow route.
    max_queue: int = 0
    phrases: tuple[str, ...] = ()
    callback_first: CallbackFirst | None = None  # who a callback rings first here; None: the line's choice


class OptionKind(str, Enum):
    """Where a menu option leads."""

    MENU = "menu"
    DEPARTMENT = "department"
    MESSAGE = "message"  # say it, then return to the same menu
    DIAL = "dial"  # an outside number
    HANGUP = "hangup"


@dataclass(frozen=True)
class Option:
    """A keypad choice: its key, what the caller hears, and where it leads."""

    key: str
    label: str
    kind: OptionKind
    target: str = ""  # menu id, department id, message text or E.164 number


class InputMode(str, Enum):
    """What a menu listens for."""

    BOTH = "both"
    KEYPAD = "keypad"
    SPEECH = "speech"


@dataclass(frozen=True)
class Menu:
    """A prompt and its options, in keypad order."""

    id: str
    prompt: str
    options: tuple[Option, ...]
    input: InputMode = InputMode.BOTH

    def option(self, key: str) -> Option | None:
        """Find the option for a key, if any."""
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times a menu is repeated after silence or a wrong key before the safe route."""

    no_input: int = 2
    invalid: int = 2
    timeout_seconds: int = 5


class CallbackFirst(str, Enum):
    """Who a callback rings first when its turn comes."""

    CUSTOMER = "customer"  # the customer answers, hears who calls and why, then the reserved agent is rung
    AGENT = "agent"  # the agent answers and is told who they are calling, then the customer is rung


@dataclass(frozen=True)
class CallbackPolicy:
    """How a line calls its callers back: who is rung first, and how hard we try before giving up by SMS.

    A line sets this because the trade-off is the company's: customer-first never makes an agent wait on a
    ringing phone; agent-first means the customer who answers hears an adviser at once, never a pause.
    """

    first: CallbackFirst = CallbackFirst.CUSTOMER
    attempts: int = 3  # calls placed at most, the first included
    retry_minutes: tuple[int, ...] = (5, 15)  # the wait after each unanswered attempt; the last one repeats
    ring_seconds: int = 30  # how long the customer's phone rings before the attempt counts as unanswered

    def retry_after(self, attempts_made: int) -> int | None:
        """Seconds until the next attempt after `attempts_made` unanswered ones; None when we give up."""
        if attempts_made >= self.attempts or not self.retry_minutes:
            return None
        return 60 * self.retry_minutes[min(attempts_made, len(self.retry_minutes)) - 1]


@dataclass(frozen=True)
class HoldPolicy:
    """The hold manager's pacing on a line: when to skip the question, how often to update, how long at most."""

    short_wait_seconds: int = 30  # a promise at or under this is said ("under a minute") without asking
    update_every_seconds: int = 60  # a short update with the caller's place and wait, then music again
    max_hold_seconds: int = 20 * 60  # after this long on hold, a callback or a message is offered (once)
    # What plays between updates and while an agent is rung: a WAV file the app serves (the scripts' audio/
    # folder, or the tune callflow ships) or an http(s) URL, whose length (`music_seconds`) must then be given.
    music: str = "gentle-tune.wav"
    music_seconds: int | None = None
    # On a line of several languages: how long a caller waits for an agent who speaks their language before any
    # agent may take them (with an interpreter). Long enough that a speaker freeing up usually comes first,
    # short enough that nobody waits much longer than the line's other callers for want of one.
    interpreter_after_seconds: int = 120


@dataclass(frozen=True)
class AfterCall:
    """What a caller gets once their conversation with an agent is over; both off unless the line asks for them,
    because an SMS and a survey speak for the company and each line decides whether its callers want them."""

    sms_actions: bool = False  # an SMS listing the actions the agent promised (sent when the disposition is filed)
    survey: bool = False  # after the agent hangs up, one keypad question: how satisfied were you, 1 to 5


# The keys that choose a line's other languages at the main menu, in the order the line lists them: high on the
# keypad, where a menu's options rarely reach, but not 9, which main menus often give to ending the call (as
# docs/ivr-scripts.md's example does); a main menu that uses one is refused by the checks.
LANGUAGE_KEYS = ("8", "7", "6")


def built_in_messages(language: str) -> Mapping[str, str] | None:
    """The engine's words in a language ("es-US" -> Spanish), or None when callflow has none in it."""
    return BUILT_IN_MESSAGES.get(language.split("-")[0].lower())


@dataclass(frozen=True)
class Script:
    """One phone line's call flow, as published; `version` is the content hash a call keeps."""

    source: str
    version: str
    company: str
    numbers: tuple[str, ...]
    is_default: bool
    voice: str | None
    language: str
    time_zone: str
    operator: str
    safe_route: str
    main_menu: str
    departments: Mapping[str, Department]
    menus: Mapping[str, Menu]
    retries: RetryPolicy = RetryPolicy()
    after_call: AfterCall = AfterCall()
    callbacks: CallbackPolicy = CallbackPolicy()
    hold: HoldPolicy = HoldPolicy()
    messages: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MESSAGES))
    speech_model: str | None = None  # Twilio <Gather speechModel>; None: Twilio's default
    # The languages callers are answered in, the first the line's own (`language`); empty: `language` alone.
    languages: tuple[str, ...] = ()
    voices: Mapping[str, str | None] = field(default_factory=dict)  # language -> its <Say> voice
    # Language (other than the first) -> field path ("menus.main.prompt", "messages.route",
    # "departments.cards.phrases") -> its text there; the model's own fields hold the first language's.
    translations: Mapping[str, Mapping[str, str | tuple[str, ...]]] = field(default_factory=dict)
    # The script as each language's callers hear it, built once and shared by those views
    # (`translated.in_language`); not an init field, so a copy made with `replace` starts a cache of its own.
    views: dict[str, Script] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)
    # What is worked out from the script once and asked for on every call (its speech hints, `hints.py`); like
    # `views`, a copy made with `replace` starts its own.
    derived: dict[str, object] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)
    positions: Mapping[str, Position] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def position(self, field_path: str) -> Position:
        """Where a field (or its nearest recorded parent) is written."""
        path = field_path
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path.rpartition(".")[0]
        return Position(1, 1)

    def spoken(self) -> tuple[str, ...]:
        """The line's languages, its own first."""
        return self.languages or (self.language,)

    def text_in(self, language: str, field_path: str, first):
        """A text field's value in one of the line's languages (`first`, the line's own, where it has none)."""
        return self.translations.get(language, {}).get(field_path, first)

    def language_keys(self, current: str | None = None) -> dict[str, str]:
        """Key -> the language it chooses at the main menu: each of the line's languages but the caller's
        (`current`, the line's own by default), in the line's order."""
        others = [language for language in self.spoken() if language != (current or self.language)]
        return dict(zip(LANGUAGE_KEYS, others, strict=False))

    def callback_first(self, department_id: str) -> CallbackFirst:
        """Who a callback for this department rings first: the department's own choice, else the line's."""
        department = self.departments.get(department_id)
        if department is not None and department.callback_first is not None:
            return department.callback_first
        return self.callbacks.first

    def message(self, name: str, /, **values: object) -> str:
        """Render one of the script's messages with its placeholders filled in."""
        return self.messages[name].format(company=self.company, **values)
