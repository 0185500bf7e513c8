"""Promises made to callers on hold, kept in Redis so every web process can check and keep them.

Each promise and each choice is also appended to the caller's hold log, which the call summary reads: when
permission was asked and what the caller said, each promise and whether it was kept, a callback accepted.
"""

from __future__ import annotations

import json

import redis

PROMISE_KEY = "callflow:promise:"  # HASH per caller: made_at, seconds, until, figure, estimate, repromise
HOLD_LOG_KEY = "callflow:hold-log:"  # LIST per caller: JSON events in order
TTL_SECONDS = 2 * 24 * 3600


class Promises:
    """The hold manager's memory of what it told each caller."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection

    def log(self, sid: str, event: str, at: float, **details) -> None:
        """Append an event to the caller's hold log."""
        self.log_many(sid, at, (event, details))

    def log_on(self, pipe, sid: str, event: str, at: float, **details) -> None:
        """`log`, queued on a pipeline of the caller's."""
        self._log(pipe, sid, at, (event, details))

    def log_many(self, sid: str, at: float, *events: tuple[str, dict]) -> None:
        """Append several events of the same moment, in order, in one round trip."""
        if not events:
            return
        with self.connection.pipeline(transaction=False) as pipe:
            self._log(pipe, sid, at, *events)
            pipe.execute()

    @staticmethod
    def _log(pipe, sid: str, at: float, *events: tuple[str, dict]) -> None:
        """Events of the same moment in one append (a webhook's writes are what its time goes on)."""
        moment = round(at, 3)
        pipe.rpush(HOLD_LOG_KEY + sid, *(json.dumps({"event": event, "at": moment, **details})
                                         for event, details in events))
        pipe.expire(HOLD_LOG_KEY + sid, TTL_SECONDS)

    def history(self, sid: str) -> list[dict]:
        """The caller's hold log, oldest first."""
        return [json.loads(raw) for raw in self.connection.lrange(HOLD_LOG_KEY + sid, 0, -1)]

    def promise(self, sid: str, seconds: int, now: float, estimate: str | None = None, figure: int | None = None,
                words: str | None = None, again: bool = False, pipe=None,
                after: tuple[tuple[str, dict], ...] = ()) -> None:
        """Remember a promise made now, kept if answered within `seconds` ("about 4 minutes": 4 and a half);
        `figure` is the figure the caller heard (4 minutes). `estimate` (JSON) is the estimator's figure behind
        the caller's first promise, and (`again`) behind the last one made after a broken one, kept until they
        are answered so the estimator can learn how both kinds of promises go. `pipe`: a pipeline of the caller's,
        so the promise goes with their other writes in one round trip; `after`: events of the same moment logged
        before it (what the caller answered), in the same append."""
        if pipe is None:
            with self.connection.pipeline(transaction=False) as own:
                self.promise(sid, seconds, now, estimate, figure, words, again, pipe=own, after=after)
                own.execute()
            return
        key = PROMISE_KEY + sid
        pipe.hset(key, mapping={"made_at": repr(now), "seconds": seconds, "until": repr(now + seconds),
                                "figure": figure if figure is not None else seconds})
        pipe.hdel(key, "broken")  # a new promise: its own break is logged when it comes
        if estimate is not None and again:
            pipe.hset(key, mapping={"repromise": estimate, "repromised_at": repr(now)})
        elif estimate is not None:
            pipe.hsetnx(key, "estimate", estimate)
        pipe.expire(key, TTL_SECONDS)
        details = {"figure": figure, "words": words} if words else {}
        self._log(pipe, sid, now, *after, ("promise", {"seconds": seconds, **details}))

    def current(self, sid: str) -> tuple[int | None, bool]:
        """The figure the caller heard in their current promise (seconds), if any, and whether it was made
        after a broken one."""
        figure, made_at, again_at = self.connection.hmget(PROMISE_KEY + sid, "figure", "made_at", "repromised_at")
        return (int(figure) if figure is not None else None), again_at is not None and again_at == made_at

    def estimates(self, sid: str) -> tuple[bytes | None, bytes | None, float | None]:
        """The estimates behind the caller's first promise and their last one after a broken one (JSON), and
        when that was made."""
        first, again, at = self.connection.hmget(PROMISE_KEY + sid, "estimate", "repromise", "repromised_at")
        return first, again, float(at) if at is not None else None

    def broken(self, sid: str, now: float, until: float | None) -> bool:
        """True when the current promise, running out at `until` (`CallerRecord.promise_until`, read with the
        caller's record), has passed; each broken promise is logged once."""
        if until is None or now <= until:
            return False
        if self.connection.hsetnx(PROMISE_KEY + sid, "broken", "1"):
            self.log(sid, "promise-broken", now)
        return True

    def kept(self, sid: str, now: float) -> bool | None:
        """An agent picked up: log whether the last promise was kept, and say so (None: no promise was made)."""
        until = self.connection.hget(PROMISE_KEY + sid, "until")
        if until is not None:
            self.log(sid, "promise-kept" if now <= float(until) else "promise-broken-at-answer", now)
        self.connection.delete(PROMISE_KEY + sid)
        return None if until is None else now <= float(until)
