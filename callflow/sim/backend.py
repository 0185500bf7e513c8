"""Where the simulated contact centre keeps its queues and presence: the real Redis code, or an in-process twin.

`redis_backend` hands the simulation the production classes themselves (`Queues`, `PresenceBoard`,
`Distributor` and their Lua scripts). `memory_backend` implements the same methods with the same semantics
(first entry time keeps a place, ties broken by sid as a Redis sorted set does, longest-idle agent first) for
runs too big for a round trip per step; the integration tests and `bench/simulate.py --check-backends` run
one scenario on both and require identical results.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass

from callflow.store.distribution import Distributor, Offer
from callflow.store.presence import AgentPresence, Presence, PresenceBoard
from callflow.store.queues import MemberKind, Queues, Waiting


@dataclass
class Backend:
    """The three things the ACD needs, on one store."""

    name: str
    queues: Queues | MemoryQueues
    presence: PresenceBoard | MemoryPresence
    distributor: Distributor | MemoryDistributor


def redis_backend(connection) -> Backend:
    """The production classes on a (flushed) Redis connection."""
    connection.flushdb()
    return Backend("redis", Queues(connection), PresenceBoard(connection), Distributor(connection))


def memory_backend() -> Backend:
    """The in-process twin."""
    queues, presence = MemoryQueues(), MemoryPresence()
    return Backend("memory", queues, presence, MemoryDistributor(queues, presence))


class MemoryQueues:
    """`callflow.store.queues.Queues` over sorted lists of (score, sid)."""

    def __init__(self):
        self.lines: dict[str, list[tuple[float, str]]] = {}
        self.entries: dict[str, dict] = {}  # sid -> entered_at, score, department, priority, kind, offered_to

    def join(self, department: str, sid: str, entered_at: float, priority: int = 0, max_size: int = 0,
             kind: str = MemberKind.CALL) -> int | None:
        line = self.lines.setdefault(department, [])
        held = self.position(department, sid)
        if held is not None:  # already waiting: keep the place; only who holds it may change
            self.entries[sid]["kind"] = kind
            return held
        entry = self.entries.get(sid)
        if max_size > 0 and len(line) >= max_size:
            return None
        if entry is None:
            entry = self.entries[sid] = {"entered_at": entered_at, "score": entered_at - priority * 1e9}
        entry.update(department=department, priority=priority, kind=kind, offered_to=None)
        insort(line, (entry["score"], sid))
        return bisect_left(line, (entry["score"], sid)) + 1

    def leave(self, department: str, sid: str, forget: bool = True) -> bool:
        removed = self._remove(department, sid)
        if forget:
            self.entries.pop(sid, None)
        return removed

    def _remove(self, department: str, sid: str) -> bool:
        entry, line = self.entries.get(sid), self.lines.get(department, [])
        if entry is None:
            return False
        i = bisect_left(line, (entry["score"], sid))
        if i < len(line) and line[i][1] == sid:
            del line[i]
            return True
        return False

    def position(self, department: str, sid: str) -> int | None:
        entry, line = self.entries.get(sid), self.lines.get(department, [])
        if entry is None:
            return None
        i = bisect_left(line, (entry["score"], sid))
        return i + 1 if i < len(line) and line[i][1] == sid else None

    def size(self, department: str) -> int:
        return len(self.lines.get(department, []))

    def waiting(self, department: str, limit: int = 1000) -> list[Waiting]:
        out = []
        for position, (_, sid) in enumerate(self.lines.get(department, [])[:limit], start=1):
            e = self.entries[sid]
            out.append(Waiting(sid, department, e["entered_at"], e["priority"], e["kind"], position))
        return out

    def head(self, department: str) -> str | None:
        line = self.lines.get(department)
        return line[0][1] if line else None

    def offered_to(self, sid: str) -> str | None:
        return (self.entries.get(sid) or {}).get("offered_to")


class MemoryPresence:
    """`callflow.store.presence.PresenceBoard` over dicts; idle lists sorted by (since, agent)."""

    def __init__(self):
        self.agents: dict[str, AgentPresence] = {}
        self.idle: dict[str, list[tuple[float, str]]] = {}
        self.working: dict[str, set[str]] = {}

    def set(self, agent: str, state: Presence, since: float, departments, call: str | None = None) -> None:
        old = self.agents.get(agent)
        if old is not None:
            for dept in old.departments:
                self._unidle(dept, agent)
                self.working.get(dept, set()).discard(agent)
        departments = tuple(departments)
        if state is not Presence.AWAY:
            for dept in departments:
                self.working.setdefault(dept, set()).add(agent)
        self.agents[agent] = AgentPresence(agent, state, since, departments, call)
        if state is Presence.AVAILABLE:
            for dept in departments:
                insort(self.idle.setdefault(dept, []), (since, agent))

    def _unidle(self, department: str, agent: str) -> None:
        line = self.idle.get(department, [])
        for i, (_, a) in enumerate(line):
            if a == agent:
                del line[i]
                return

    def get(self, agent: str) -> AgentPresence | None:
        return self.agents.get(agent)

    def available(self, department: str) -> list[str]:
        return [a for _, a in self.idle.get(department, [])]

    def staffed(self, department: str) -> int:
        return len(self.working.get(department, ()))

    def at_work(self, department: str) -> list[AgentPresence]:
        return [self.agents[a] for a in sorted(self.working.get(department, ()))]


class MemoryDistributor:
    """`callflow.store.distribution.Distributor`: the first caller with the longest-idle agent, atomically."""

    def __init__(self, queues: MemoryQueues, presence: MemoryPresence):
        self.queues, self.presence = queues, presence

    def match(self, department: str, now: float) -> Offer | None:
        line, idle = self.queues.lines.get(department), self.presence.idle.get(department)
        if not line or not idle:
            return None
        caller, agent = line.pop(0)[1], idle[0][1]
        old = self.presence.agents[agent]
        for dept in old.departments:
            self.presence._unidle(dept, agent)
        # like the Lua script: state and call change, the staffed sets do not
        self.presence.agents[agent] = AgentPresence(agent, Presence.OFFERED, now, old.departments, caller)
        self.queues.entries[caller]["offered_to"] = agent
        return Offer(department, caller, agent)

    def match_all(self, departments, now: float) -> list[Offer]:
        offers = []
        for department in departments:
            while (offer := self.match(department, now)) is not None:
                offers.append(offer)
        return offers
