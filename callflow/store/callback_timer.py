"""Chosen-time callbacks come due on time: a sorted set of due moments in Redis, taken by every worker's timer.

RQ's scheduler keeps whole seconds and looks once a second, so a job scheduled for 10.7 s starts anywhere from
10.0 (before the callback is due, so it does nothing) to 11.x; measured on the drain benchmark that alone puts
up to two seconds between a due time and the dial. Here each scheduled callback is a member scored by the real
instant it is due (fractional seconds); each worker's timer thread asks every `TICK_SECONDS` for the members due
by Redis's own clock and takes them in one Lua script, so of several workers exactly one takes each, and
enqueues `jobs.callback_due` at once. A member lost with Redis's data, or taken by a worker that died before it
enqueued the job, is found by the sweeper from the database (scheduled, due time passed).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

import redis

from callflow.domain.clock import Clock

log = logging.getLogger(__name__)
DUE_KEY = "callflow:callbacks:due"  # ZSET: callback id -> real epoch seconds at which it is due
TICK_SECONDS = 0.05  # real seconds between two looks (one Lua call each)
BATCH = 200  # callbacks taken in one look at most

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
"""


class CallbackTimer:
    """When scheduled callbacks are due, on the shared clock (virtual due times, real waits)."""

    def __init__(self, connection: redis.Redis, clock: Clock):
        self.connection = connection
        self.clock = clock
        self._take = connection.register_script(_TAKE)

    def real_instant(self, due_at: datetime) -> float:
        """The wall-clock instant (epoch seconds) at which virtual time reaches `due_at`."""
        return self.clock.real_instant(due_at.timestamp())

    def book(self, callback_id: int, due_at: datetime) -> None:
        """Have the callback taken when it is due (again: booking twice keeps one entry, at the new time)."""
        self.connection.zadd(DUE_KEY, {str(callback_id): self.real_instant(due_at)})

    def cancel(self, callback_id: int) -> None:
        """The callback no longer waits for its time (given up, or put in line another way)."""
        self.connection.zrem(DUE_KEY, str(callback_id))

    def take(self, limit: int = BATCH) -> list[int]:
        """The callbacks due now, each handed to exactly one caller of `take`."""
        return [int(member) for member in self._take(keys=[DUE_KEY], args=[limit])]


def run(rt, enqueue_due, stop: threading.Event | None = None) -> None:
    """A worker's thread: hand each callback to `enqueue_due(callback_id)` the moment it is due."""
    stop = stop or threading.Event()
    timer = CallbackTimer(rt.redis, rt.clock)
    while not stop.is_set():
        try:
            for callback_id in timer.take():
                enqueue_due(callback_id)
        except Exception:  # Redis restarting: the sweeper finds what was due meanwhile
            log.warning("callback timer could not look", exc_info=True)
            stop.wait(1.0)
        stop.wait(TICK_SECONDS)
