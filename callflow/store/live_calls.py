"""Live calls' state in Redis, keyed by CallSid, so any web process can take a call's next webhook.

The state is the engine's CallState as a JSON-safe dict; it expires a day after the last change so abandoned
calls leave nothing behind.
"""

from __future__ import annotations

import json

import redis

from callflow.store.acd import CALL_INFO_KEY
from callflow.store.caller_memory import remember_department

CALL_KEY = "callflow:call:"
STATE_TTL_SECONDS = 24 * 3600
ENDED_KEY = "callflow:call-ended:"  # set by the final status callback: late or replayed requests change nothing
ENDED_TTL_SECONDS = 2 * 24 * 3600


class LiveCalls:
    """Read and write the state of calls in progress."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection

    def load(self, call_sid: str) -> dict | None:
        """The stored state of `call_sid`, or None when the call is unknown or expired."""
        raw = self.connection.get(CALL_KEY + call_sid)
        return None if raw is None else json.loads(raw)

    def turn(self, call_sid: str, flag: str) -> tuple[dict | None, bool, bool]:
        """A call's next request, in one round trip: (its stored state or None, whether the caller's details
        carry `flag` (`ACD.has`), whether its final status callback came (`has_ended`))."""
        with self.connection.pipeline(transaction=False) as pipe:
            pipe.get(CALL_KEY + call_sid)
            pipe.hget(CALL_INFO_KEY + call_sid, flag)
            pipe.exists(ENDED_KEY + call_sid)
            raw, flagged, ended = pipe.execute()
        return None if raw is None else json.loads(raw), flagged == b"1", bool(ended)

    def save(self, call_sid: str, state: dict, reached: tuple[str, str, float] | None = None) -> None:
        """Store the call's state and push its expiry back; with `reached` (caller, department, now), also
        remember the department this number reached, in the same round trip."""
        if reached is None:
            self.connection.set(CALL_KEY + call_sid, json.dumps(state, separators=(",", ":")), ex=STATE_TTL_SECONDS)
            return
        with self.connection.pipeline(transaction=False) as pipe:
            self.save_on(pipe, call_sid, state, reached)
            pipe.execute()

    @staticmethod
    def save_on(pipe, call_sid: str, state: dict, reached: tuple[str, str, float] | None = None) -> None:
        """`save`, queued on a pipeline of the caller's (safe to repeat)."""
        pipe.set(CALL_KEY + call_sid, json.dumps(state, separators=(",", ":")), ex=STATE_TTL_SECONDS)
        if reached is not None:
            remember_department(pipe, *reached)

    def forget(self, call_sid: str) -> None:
        """Drop a finished call's state."""
        self.connection.delete(CALL_KEY + call_sid)

    def ended(self, call_sid: str, status: str, pipe=None) -> None:
        """Note the call's final status (its status callback came): later requests of the call change nothing.
        `pipe`: a pipeline of the caller's, so the note goes with other writes in one round trip."""
        (pipe if pipe is not None else self.connection).set(ENDED_KEY + call_sid, status, ex=ENDED_TTL_SECONDS)

    def has_ended(self, call_sid: str) -> bool:
        """Whether the call's final status callback came."""
        return bool(self.connection.exists(ENDED_KEY + call_sid))
