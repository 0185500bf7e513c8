"""Twilio queues: named lines of calls waiting for <Dial><Queue> or a REST dequeue.

Pure bookkeeping: callers hold the carrier's condition while they use these objects, and pass the time in.
"""

from __future__ import annotations

from dataclasses import dataclass

from callflow.carrier.calls import Call, new_sid

DEFAULT_MAX_SIZE = 1000


@dataclass
class Member:
    """A call in a queue, and when it joined (virtual seconds since the epoch)."""

    call: Call
    enqueued_at: float


class Queue:
    """One named queue."""

    def __init__(self, friendly_name: str, now: float, max_size: int = DEFAULT_MAX_SIZE):
        self.sid = new_sid("QU")
        self.friendly_name = friendly_name
        self.max_size = max_size
        self.created_at = self.updated_at = now
        self.members: list[Member] = []

    def __repr__(self) -> str:
        return f"<Queue {self.friendly_name} size={len(self.members)}>"

    @property
    def size(self) -> int:
        return len(self.members)

    def join(self, call: Call, now: float) -> bool:
        """Add a call at the back; False when the queue is full."""
        if len(self.members) >= self.max_size:
            return False
        self.members.append(Member(call, now))
        return True

    def leave(self, call: Call) -> Member | None:
        """Take a call out wherever it is; None if it was not there."""
        for i, member in enumerate(self.members):
            if member.call is call:
                return self.members.pop(i)
        return None

    def member(self, call_sid: str) -> Member | None:
        """The member for a call sid, or the front member for "Front"."""
        if call_sid == "Front":
            return self.members[0] if self.members else None
        return next((m for m in self.members if m.call.sid == call_sid), None)

    def position(self, call: Call) -> int:
        """1-based position, 0 when not queued."""
        return next((i + 1 for i, m in enumerate(self.members) if m.call is call), 0)

    def average_wait(self, now: float) -> int:
        """Average seconds the current members have waited, as Twilio reports it."""
        if not self.members:
            return 0
        return int(sum(now - m.enqueued_at for m in self.members) / len(self.members))


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
