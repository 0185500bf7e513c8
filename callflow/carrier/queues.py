"""Twilio queues: named lines of calls waiting for <Dial><Queue> or a REST dequeue.

Pure bookkeeping: callers hold the carrier's condition while they use these objects, and pass the time in.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from callflow.carrier.calls import Call, new_sid

DEFAULT_MAX_SIZE = 1000


@dataclass
class Member:
    """A call in a queue, when it joined (virtual seconds since the epoch), and its turn (join order)."""

    call: Call
    enqueued_at: float
    turn: int = 0


class Queue:
    """One named queue.

    Every waitUrl request carries the caller's position and the queue's average wait, and at thousands of
    callers on hold a scan of the members for each would be most of the carrier's work under its one lock:
    members are kept by call sid, their turns in a sorted list (a position is a bisection), and the sum of
    their join times (the average wait is a division).
    """

    def __init__(self, friendly_name: str, now: float, max_size: int = DEFAULT_MAX_SIZE):
        self.sid = new_sid("QU")
        self.friendly_name = friendly_name
        self.max_size = max_size
        self.created_at = self.updated_at = now
        self._members: dict[str, Member] = {}  # join order
        self._turns: list[int] = []            # the members' turns, ascending
        self._enqueued_sum = 0.0               # the members' join times, as seconds after the queue's creation
        self._next_turn = 0

    def __repr__(self) -> str:
        return f"<Queue {self.friendly_name} size={len(self._members)}>"

    @property
    def size(self) -> int:
        return len(self._members)

    @property
    def members(self) -> list[Member]:
        """The members, front first."""
        return list(self._members.values())

    def join(self, call: Call, now: float) -> bool:
        """Add a call at the back; False when the queue is full or the call is already in it."""
        if len(self._members) >= self.max_size or call.sid in self._members:
            return False
        self._next_turn += 1
        self._members[call.sid] = Member(call, now, self._next_turn)
        self._turns.append(self._next_turn)
        self._enqueued_sum += now - self.created_at
        return True

    def leave(self, call: Call) -> Member | None:
        """Take a call out wherever it is; None if it was not there."""
        member = self._members.get(call.sid)
        if member is None or member.call is not call:
            return None
        del self._members[call.sid]
        del self._turns[bisect_left(self._turns, member.turn)]
        self._enqueued_sum = self._enqueued_sum - (member.enqueued_at - self.created_at) if self._members else 0.0
        return member

    def pop_front(self) -> Member | None:
        """Take the call at the front out; None when the queue is empty."""
        if not self._members:
            return None
        return self.leave(next(iter(self._members.values())).call)

    def member(self, call_sid: str) -> Member | None:
        """The member for a call sid, or the front member for "Front"."""
        if call_sid == "Front":
            return next(iter(self._members.values()), None)
        return self._members.get(call_sid)

    def position(self, call: Call) -> int:
        """1-based position, 0 when not queued."""
        member = self._members.get(call.sid)
        if member is None or member.call is not call:
            return 0
        return bisect_left(self._turns, member.turn) + 1

    def average_wait(self, now: float) -> int:
        """Average seconds the current members have waited, as Twilio reports it."""
        if not self._members:
            return 0
        return int(now - self.created_at - self._enqueued_sum / len(self._members))


class Queues:
    """All queues of the account, by sid and by friendly name."""

    def __init__(self):
        self.by_sid: dict[str, Queue] = {}

    def __iter__(self):
        return iter(list(self.by_sid.values()))

    def __len__(self) -> int:
        return len(self.by_sid)

    def create(self, friendly_name: str, now: float, max_size: int = DEFAULT_MAX_SIZE) -> Queue:
        queue = Queue(friendly_name, now, max_size)
        self.by_sid[queue.sid] = queue
        return queue

    def named(self, friendly_name: str) -> Queue | None:
        return next((q for q in self.by_sid.values() if q.friendly_name == friendly_name), None)

    def get_or_create(self, friendly_name: str, now: float) -> Queue:
        """The queue with this name; <Enqueue> creates queues on demand."""
        return self.named(friendly_name) or self.create(friendly_name, now)

    def __getitem__(self, key: str) -> Queue:
        """A queue by sid or friendly name."""
        queue = self.by_sid.get(key) or self.named(key)
        if queue is None:
            raise KeyError(key)
        return queue
