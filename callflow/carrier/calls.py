"""Call legs and their transcripts: what the carrier knows about each call, and how a leg waits.

Every wait of a call goes through `Call.hold`, which sleeps under the carrier's one lock and wakes early when
another thread interrupts the call (REST redirect or hang-up, a dequeue, a bridge ending). One lock for the
whole carrier keeps the locking simple: there is no lock ordering to get wrong. A wait for a condition
(`until`) sleeps on the carrier's condition variable, woken by every change; a plain timed wait (a Pause, a
prompt, the hold music) can only end early by an interrupt, so it sleeps on the call's own condition over the
same lock, and thousands of calls on hold are not all woken each time anything happens to any call.
"""

from __future__ import annotations

import math
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from callflow.carrier.silence import Silence, Span, longest_silence


class CallStatus(str, Enum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    FAILED = "failed"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"


FINAL_STATUSES = {CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.FAILED, CallStatus.NO_ANSWER,
                  CallStatus.CANCELED}


def new_sid(prefix: str) -> str:
    """A Twilio-shaped sid: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


class ScriptError(AssertionError):
    """A scripted phone heard something its script did not expect."""


class Interrupt(Exception):
    """Something outside the call's own thread changed its course."""


class HangUp(Interrupt):
    """The call is over: the far end hung up, the app ended it, or the REST API did."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Redirect(Interrupt):
    """Drop the current TwiML and run another document (REST update or queue member dequeue)."""

    def __init__(self, url: str | None = None, method: str = "POST", twiml: str | None = None):
        super().__init__(url or "inline TwiML")
        self.url, self.method, self.twiml = url, method, twiml


class Dequeued(Interrupt):
    """A <Dial><Queue> took this call off its queue to bridge it."""

    def __init__(self, bridge: Any, dialer: Call, url: str | None, method: str):
        super().__init__(dialer.sid)
        self.bridge, self.dialer, self.url, self.method = bridge, dialer, url, method


@dataclass(frozen=True)
class Entry:
    """One line of a transcript; `at` is in virtual seconds since the call was created."""

    at: float
    kind: str
    text: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"at": self.at, "kind": self.kind, "text": self.text, **self.data}


class Call:
    """One call leg as the carrier sees it: parties, status, times and transcript."""

    def __init__(self, carrier, *, from_: str, to: str, direction: str, phone=None,
                 parent_call_sid: str | None = None, status_callback: str | None = None,
                 status_callback_events: tuple[str, ...] = ("completed",), status_callback_method: str = "POST"):
        self.carrier = carrier
        self.sid = new_sid("CA")
        self.account_sid = carrier.account_sid
        self.from_, self.to, self.direction = from_, to, direction
        self.phone = phone
        self.script = phone.script(self) if phone is not None else None  # the phone's side of this call
        self.parent_call_sid = parent_call_sid
        self.status_callback = status_callback
        self.status_callback_events = status_callback_events
        self.status_callback_method = status_callback_method
        self.status = CallStatus.QUEUED
        self.created_at = carrier.clock.timestamp()
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.answered_by: str | None = None
        self.transcript: list[Entry] = []
        self.spans: list[Span] = []         # sound, the caller's turn, requests (silence.py): what they heard
        self.pending: Interrupt | None = None
        self.deadline: float | None = None  # virtual time at which the caller loses patience
        self.bridge = None                  # set while bridged, for threadless legs
        self.done = threading.Event()
        self.wakeup = threading.Condition(carrier.lock)  # plain timed waits sleep here; `interrupt` wakes them
        self.sequence = 0                   # status callback SequenceNumber

    def __repr__(self) -> str:
        return f"<Call {self.sid} {self.from_}->{self.to} {self.status.value}>"

    @property
    def cond(self) -> threading.Condition:
        return self.carrier.cond

    def now(self) -> float:
        """Virtual seconds since the call was created."""
        return round(self.carrier.clock.timestamp() - self.created_at, 3)

    @property
    def duration(self) -> int:
        """Whole virtual seconds between answer and hang-up (so far, if still live)."""
        if self.answered_at is None:
            return 0
        end = self.ended_at if self.ended_at is not None else self.carrier.clock.timestamp()
        return round(end - self.answered_at)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def record(self, kind: str, text: str = "", **data) -> Entry:
        """Append an entry to the transcript."""
        entry = Entry(self.now(), kind, text, data)
        with self.cond:
            self.transcript.append(entry)
            self.cond.notify_all()
        return entry

    @contextmanager
    def span(self, kind: str):
        """Note a stretch of the call (silence.SOUND, TURN) from now until the block ends, however it ends."""
        start = self.now()
        try:
            yield
        finally:
            self.spans.append(Span(start, self.now(), kind))

    def longest_silence(self) -> Silence:
        """The longest silence the caller heard that they did not cause (silence.py)."""
        return longest_silence(self)

    def wait_for(self, kind: str, contains: str = "", timeout: float = 10.0) -> Entry:
        """Block until the transcript has an entry of this kind containing the text (real seconds)."""
        def found():
            return next((e for e in self.transcript if e.kind == kind and contains in e.text), None)
        with self.cond:
            if not self.cond.wait_for(found, timeout):
                raise TimeoutError(f"{self!r}: no {kind} entry containing {contains!r} after {timeout}s")
            return found()

    def wait_until(self, test, timeout: float = 10.0, what: str = "the condition"):
        """Block until `test(call)` is truthy (real seconds), e.g. `lambda c: c.waiting == "gather"`."""
        with self.cond:
            value = self.cond.wait_for(lambda: test(self), timeout)
        if not value:
            raise TimeoutError(f"{self!r}: not {what} after {timeout}s (waiting={self.waiting!r})")
        return value

    def set_status(self, status: CallStatus) -> None:
        with self.cond:
            if status is CallStatus.IN_PROGRESS and self.answered_at is None:
                self.answered_at = self.carrier.clock.timestamp()
            if status in FINAL_STATUSES and self.ended_at is None:
                self.ended_at = self.carrier.clock.timestamp()
            self.status = status
            self.cond.notify_all()

    def interrupt(self, exc: Interrupt) -> bool:
        """Ask the call's thread to stop what it is doing; False if the call is already over."""
        with self.cond:
            if self.is_final:
                return False
            if self.bridge is not None and getattr(self, "threadless", False):
                self.bridge.end(by=self)  # a dialled leg has no thread of its own: end its bridge
            elif not isinstance(self.pending, HangUp):  # a hang-up is never overridden
                self.pending = exc
            self.cond.notify_all()
            self.wakeup.notify_all()
            return True

    def hold(self, virtual_seconds: float, until=None) -> bool:
        """Let virtual time pass; True early if `until()` holds, raise on interrupt or lost patience."""
        clock = self.carrier.clock
        end = clock.timestamp() + virtual_seconds
        sleep_on = self.cond if until is not None else self.wakeup  # only an interrupt ends a plain wait early
        with self.cond:
            while True:
                if self.pending is not None:
                    exc, self.pending = self.pending, None
                    raise exc
                if until is not None and until():
                    return True
                now = clock.timestamp()
                if self.deadline is not None and now >= self.deadline:
                    self.deadline = None
                    raise HangUp("caller ran out of patience")
                if now >= end:
                    return False
                limit = min(end, self.deadline if self.deadline is not None else math.inf)
                sleep_on.wait(None if math.isinf(limit) else clock.real_seconds(limit - now))

    def wait(self, timeout: float = 30.0) -> Call:
        """Block until the call is over (real seconds); raise on timeout or on a broken phone script."""
        if not self.done.wait(timeout):
            tail = "\n".join(f"  {e.at:8.2f} {e.kind}: {e.text}" for e in self.transcript[-8:])
            raise TimeoutError(f"{self!r} not finished after {timeout}s; transcript ends:\n{tail}")
        errors = self.entries("script-error")
        if errors:
            raise ScriptError(errors[0].text)
        return self

    def entries(self, kind: str) -> list[Entry]:
        """Transcript entries of one kind."""
        return [e for e in self.transcript if e.kind == kind]

    def heard_text(self) -> str:
        """Everything the far end heard from <Say>, in order."""
        return " ".join(e.text for e in self.entries("heard"))

    @property
    def waiting(self) -> str | None:
        """What the call waits on a person for right now: "ringing", "gather", "record", or None."""
        return None if self.is_final else getattr(self.script, "waiting", None)

    def to_dict(self, since: int = 0) -> dict:
        """The call and its transcript from entry `since` on, as JSON-ready data (the control API).

        `next` is the transcript's length: a page that polls passes it back as `since`, getting only news.
        """
        with self.cond:
            entries, total = self.transcript[since:], len(self.transcript)
        return {"sid": self.sid, "from": self.from_, "to": self.to, "direction": self.direction,
                "status": self.status.value, "duration": self.duration,
                "interactive": bool(getattr(self.phone, "interactive", False)), "waiting": self.waiting,
                "listening": getattr(self.script, "listening", None),
                "since": since, "next": total, "transcript": [e.as_dict() for e in entries]}
