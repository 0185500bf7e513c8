"""Departments' queues in Redis: who waits, in what order, and who is next.

Order is first-come by the time a caller FIRST entered, so a caller who re-enters (after a transfer, or a
callback keeping their place on "virtual hold") keeps their original place; a priority moves a caller ahead
of everyone with a lower one. Every change is one Lua script, atomic across any number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from callflow.store import lua

QUEUE_KEY = "callflow:queue:"  # ZSET call_sid -> order score
ENTRY_KEY = "callflow:queue-entry:"  # HASH per waiting member: department, entered_at, priority, kind
CALLBACKS_KEY = "callflow:queue-callbacks:"  # ZSET per department: the places callbacks hold, scored as in line
# A priority step is worth more than any real difference in entry times (about 31 years of seconds).
PRIORITY_STEP = 1e9

_JOIN = """
local queue, entry, callbacks = KEYS[1], KEYS[2], KEYS[3]
local sid, score, max_size = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local held = redis.call('ZSCORE', queue, sid)
if held then
  -- already waiting: keep the place; only who holds it may change (a caller who chose a callback)
  redis.call('HSET', entry, 'kind', ARGV[7])
  if ARGV[7] == 'callback' then redis.call('ZADD', callbacks, held, sid) else redis.call('ZREM', callbacks, sid) end
  return redis.call('ZRANK', queue, sid) + 1
end
if max_size > 0 and redis.call('ZCARD', queue) >= max_size then
  return 0
end
local previous = redis.call('HGET', entry, 'entered_at')
if previous then
  -- re-entering: keep the original place
  score = tonumber(redis.call('HGET', entry, 'score'))
else
  redis.call('HSET', entry, 'entered_at', ARGV[4], 'score', score)
end
redis.call('HSET', entry, 'department', ARGV[5], 'priority', ARGV[6], 'kind', ARGV[7])
redis.call('HDEL', entry, 'offered_to')
redis.call('EXPIRE', entry, 86400)
redis.call('ZADD', queue, score, sid)
if ARGV[7] == 'callback' then redis.call('ZADD', callbacks, score, sid) else redis.call('ZREM', callbacks, sid) end
return redis.call('ZRANK', queue, sid) + 1
"""

def joined(raw) -> int | None:
    """The position `join`'s script answered (None: the queue was full)."""
    return int(raw) or None


class MemberKind:
    """Who holds a place: a caller on the line, or a callback on virtual hold."""

    CALL = "call"
    CALLBACK = "callback"


@dataclass(frozen=True)
class Waiting:
    """A place in a queue."""

    sid: str
    department: str
    entered_at: float
    priority: int
    kind: str
    position: int


class Queues:
    """Every department's queue on one Redis connection."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection
        self._join = connection.register_script(_JOIN)

    def join(self, department: str, sid: str, entered_at: float, priority: int = 0, max_size: int = 0,
             kind: str = MemberKind.CALL) -> int | None:
        """Take a place (or keep the one already held); the 1-based position, or None when the queue is full."""
        keys, args = self._join_args(department, sid, entered_at, priority, max_size, kind)
        return joined(self._join(keys=keys, args=args))

    def join_on(self, pipe, department: str, sid: str, entered_at: float, max_size: int = 0,
                kind: str = MemberKind.CALL) -> None:
        """`join`, queued on a pipeline of the caller's (its answer, read with `joined`, comes with the rest)."""
        lua.queue(pipe, self._join, *self._join_args(department, sid, entered_at, 0, max_size, kind))

    @staticmethod
    def _join_args(department, sid, entered_at, priority, max_size, kind) -> tuple[list, list]:
        score = entered_at - priority * PRIORITY_STEP
        return ([QUEUE_KEY + department, ENTRY_KEY + sid, CALLBACKS_KEY + department],
                [sid, repr(score), max_size, repr(entered_at), department, priority, kind])

    def leave(self, department: str, sid: str, forget: bool = True) -> bool:
        """Give up the place; with forget=False the original entry time is kept for a re-entry."""
        with self.connection.pipeline() as pipe:
            pipe.zrem(QUEUE_KEY + department, sid)
            pipe.zrem(CALLBACKS_KEY + department, sid)
            if forget:
                pipe.delete(ENTRY_KEY + sid)
            removed, *_ = pipe.execute()
        return bool(removed)

    def position(self, department: str, sid: str) -> int | None:
        """1-based position, or None when not waiting there."""
        rank = self.connection.zrank(QUEUE_KEY + department, sid)
        return None if rank is None else rank + 1

    def size(self, department: str) -> int:
        """How many wait."""
        return self.connection.zcard(QUEUE_KEY + department)

    def waiting(self, department: str, limit: int = 1000) -> list[Waiting]:
        """Who waits, first in line first."""
        sids = [s.decode() for s in self.connection.zrange(QUEUE_KEY + department, 0, limit - 1)]
        with self.connection.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hgetall(ENTRY_KEY + sid)
            entries = pipe.execute()
        return [
            Waiting(sid, department, float(e.get(b"entered_at", 0)), int(e.get(b"priority", 0)),
                    e.get(b"kind", b"call").decode(), position)
            for position, (sid, e) in enumerate(zip(sids, entries, strict=True), start=1)
        ]

    def head(self, department: str) -> str | None:
        """The sid first in line."""
        first = self.connection.zrange(QUEUE_KEY + department, 0, 0)
        return first[0].decode() if first else None

    def offered_to(self, sid: str) -> str | None:
        """The agent a caller has been reserved for (being rung now), if any."""
        agent = self.connection.hget(ENTRY_KEY + sid, "offered_to")
        return agent.decode() if agent else None
