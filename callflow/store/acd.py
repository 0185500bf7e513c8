"""The ACD: what happens when callers wait and agents free up, across every process.

The match itself is atomic in Redis (`distribution.py`); this module records who waits (with what the
agent's screen pop needs), reacts to presence changes, and hands each offer to a worker that rings the agent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import redis

from callflow.store import lua
from callflow.store.distribution import Distributor, Offer, matched
from callflow.store.estimate_inputs import EstimateInputs, LineInputs, line_inputs
from callflow.store.presence import Presence, PresenceBoard
from callflow.store.promises import PROMISE_KEY
from callflow.store.queues import CALLBACKS_KEY, ENTRY_KEY, QUEUE_KEY, MemberKind, Queues, joined
from callflow.store.wait_stats import ABANDONED_FLAG

CALL_INFO_KEY = "callflow:call-info:"  # HASH per caller: who, which line, what they said, where they went
CALL_INFO_TTL = 24 * 3600
ENTRY_KIND_FIELD = b"kind"

# A call's end, in one step: the caller leaves their line at once (a callback keeps its place), and a caller
# who was still in line, never connected, is counted as an abandon once, whichever webhook hears it first.
_CALL_ENDED = """
local info, sid = KEYS[1], ARGV[1]
local department = redis.call('HGET', info, 'department')
if not department then return {} end
local flags = redis.call('HMGET', info, 'connected', 'callback', 'entered_at')
if flags[2] == '1' then return {department, flags[3], 0} end
local queue = ARGV[2] .. department
local abandoned = 0
if flags[1] ~= '1' and redis.call('ZRANK', queue, sid) then
  abandoned = redis.call('HSETNX', info, ARGV[4], '1')
end
redis.call('ZREM', queue, sid)
redis.call('ZREM', ARGV[3] .. department, sid)
return {department, flags[3], abandoned}
"""


@dataclass(frozen=True)
class CallerInfo:
    """What the agent sees and hears about a caller before taking the call."""

    sid: str
    caller: str
    line: str
    department: str
    name: str | None = None
    said: tuple[str, ...] = ()
    path: tuple[str, ...] = ()
    entered_at: float = 0.0
    language: str = ""  # the language the caller is answered in ("es-US"); "": the line's first

    def to_redis(self) -> dict[str, str]:
        return {"caller": self.caller, "line": self.line, "department": self.department, "name": self.name or "",
                "said": json.dumps(list(self.said)), "path": json.dumps(list(self.path)),
                "entered_at": repr(self.entered_at), "language": self.language}

    @classmethod
    def from_redis(cls, sid: str, raw: dict[bytes, bytes]) -> CallerInfo:
        value = {k.decode(): v.decode() for k, v in raw.items()}  # extra flags (held, connected) are ignored
        return cls(sid, value["caller"], value["line"], value["department"], value["name"] or None,
                   tuple(json.loads(value["said"])), tuple(json.loads(value["path"])),
                   float(value["entered_at"]), value.get("language", ""))


@dataclass(frozen=True)
class Joined:
    """A caller put in line: their position (None: the queue was full), the first offer their department could
    make at that moment (to them or to whoever was first), and the line as their wait estimate reads it."""

    position: int | None
    offer: Offer | None
    line: LineInputs


@dataclass(frozen=True)
class LeftLine:
    """What a call's end did in line: the caller's department, when they entered it, and whether this was the
    first word that they gave up waiting (an abandon, counted once)."""

    department: str
    entered_at: float
    abandoned: bool


@dataclass(frozen=True)
class CallerRecord:
    """A caller's details with every flag and counter noted since, the agent being rung to them and when the
    promise made to them runs out: read in one round trip by the webhooks that consult several of them on
    every request (the hold music, the status callback, the agent's pick-up)."""

    info: CallerInfo | None
    fields: dict[str, str]
    offered_to: str | None
    promise_until: float | None = None

    def has(self, flag: str) -> bool:
        """Whether `ACD.mark(sid, flag)` had happened when the record was read."""
        return self.fields.get(flag) == "1"


class ACD:
    """Queues, presence and offers on one Redis connection."""

    def __init__(self, connection: redis.Redis, interpreter_after: Callable[[str], float] | None = None):
        """`interpreter_after`: a department's interpreter wait in seconds (`distribution.py`; its line's)."""
        self.connection = connection
        self.queues = Queues(connection)
        self.presence = PresenceBoard(connection)
        self.distributor = Distributor(connection, CALL_INFO_KEY, interpreter_after)
        self.inputs = EstimateInputs(connection)
        self.scripts_joining = (self.queues._join, self.distributor._match, self.inputs._read)
        self._call_ended = connection.register_script(_CALL_ENDED)

    def caller_waits(self, info: CallerInfo, now: float, max_size: int = 0) -> int | None:
        """Put a caller in their department's queue (keeping an earlier place); None when it is full."""
        self.remember(info)
        return self.queues.join(info.department, info.sid, entered_at=info.entered_at or now, max_size=max_size,
                                kind=MemberKind.CALL)

    def caller_joins(self, info: CallerInfo, now: float, max_size: int = 0,
                     also: Callable[[object], None] | None = None) -> Joined:
        """`caller_waits`, the department's first `offers` match and the estimate's read of the line, in one
        round trip (the routing answer that puts a caller in line reads all three); `also(pipe)` queues the
        caller's other writes (their call's state) on the same round trip, first."""
        def fill(pipe) -> None:  # all safe to repeat (`lua.execute`): the join keeps a place already taken
            if also is not None:
                also(pipe)
            self._remember_on(pipe, info)
            self.queues.join_on(pipe, info.department, info.sid, entered_at=info.entered_at or now,
                                max_size=max_size, kind=MemberKind.CALL)
            self.distributor.match_on(pipe, info.department, now)
            self.inputs.read_on(pipe, info.department, info.sid, now)

        *_, position, offer, line = lua.execute(self.connection, fill, self.scripts_joining)  # `also`'s answers lead
        return Joined(joined(position), matched(info.department, offer), line_inputs(line))

    def remember(self, info: CallerInfo) -> None:
        """Keep a caller's details without a place in line (a closed department's caller booking a callback)."""
        with self.connection.pipeline(transaction=False) as pipe:
            self._remember_on(pipe, info)
            pipe.execute()

    @staticmethod
    def _remember_on(pipe, info: CallerInfo) -> None:
        pipe.hset(CALL_INFO_KEY + info.sid, mapping=info.to_redis())
        pipe.expire(CALL_INFO_KEY + info.sid, CALL_INFO_TTL)

    def recall_callback(self, info: CallerInfo) -> None:
        """A callback's details rebuilt from its database row, unless Redis still has them, and it marked as one."""
        if not self.connection.exists(CALL_INFO_KEY + info.sid):
            self.connection.hset(CALL_INFO_KEY + info.sid, mapping={**info.to_redis(), "callback": "1"})
            self.connection.expire(CALL_INFO_KEY + info.sid, CALL_INFO_TTL)
        self.mark(info.sid, "callback")

    def caller_left(self, department: str, sid: str) -> None:
        """A caller hung up or left the queue: free their place for good."""
        self.queues.leave(department, sid)

    def caller_info(self, sid: str) -> CallerInfo | None:
        """What we know of a waiting or connected caller."""
        return _details(sid, self.connection.hgetall(CALL_INFO_KEY + sid))

    def caller_and_line(self, sid: str, now: float) -> tuple[CallerInfo | None, LineInputs | None]:
        """`caller_info` and the estimate's read of the caller's line (`EstimateInputs.read`), in one round
        trip (the hold question's answer needs both and knows only the caller)."""
        raw, line = self.inputs.read_for_caller(CALL_INFO_KEY + sid, sid, now)
        info = _details(sid, raw)
        return info, (line if info is not None else None)

    def callers(self, sids: list[str]) -> list[CallerInfo | None]:
        """What we still hold of each of these callers (None once their details are gone), in one round trip."""
        with self.connection.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hgetall(CALL_INFO_KEY + sid)
            details = pipe.execute()
        return [CallerInfo.from_redis(sid, raw) if raw else None for sid, raw in zip(sids, details, strict=True)]

    def record(self, sid: str) -> CallerRecord:
        """The caller's details, flags and counters, the agent being rung to them and their promise's end, in
        one round trip."""
        with self.connection.pipeline(transaction=False) as pipe:
            pipe.hgetall(CALL_INFO_KEY + sid)
            pipe.hget(ENTRY_KEY + sid, "offered_to")
            pipe.hget(PROMISE_KEY + sid, "until")
            raw, agent, until = pipe.execute()
        fields = {k.decode(): v.decode() for k, v in raw.items()}
        return CallerRecord(_details(sid, raw), fields, agent.decode() if agent else None,
                            None if until is None else float(until))

    def offers(self, departments: list[str] | tuple[str, ...], now: float) -> list[Offer]:
        """Every caller/agent match possible now in these departments (each returned once, to one process)."""
        return self.distributor.match_all(departments, now)

    def set_presence(self, agent: str, state: Presence, departments: list[str], now: float,
                     call: str | None = None, back_at: float | None = None,
                     languages: list[str] | tuple[str, ...] | None = None) -> None:
        """Change an agent's presence (available agents join their departments' idle lists; an agent away on a
        break may say when they will be back; `languages`, read from their record, replace the ones kept)."""
        self.presence.set(agent, state, now, departments, call, back_at, languages)

    def interpreter_needed(self, sid: str) -> bool:
        """The caller was offered to an agent who does not speak their language (`distribution.py`)."""
        return self.connection.hget(ENTRY_KEY + sid, "interpreter") == b"1"

    def offer_declined(self, offer: Offer, departments: list[str], now: float) -> None:
        """The agent did not answer: they go away, the caller takes back their original place."""
        self.presence.set(offer.agent, Presence.AWAY, now, departments)
        self.back_in_line(offer.department, offer.caller_sid, entered_at=now)

    def back_in_line(self, department: str, sid: str, entered_at: float) -> int | None:
        """An offer fell through (the agent did not answer or could not be rung): the caller takes back their
        original place, as who they are: a callback still waiting to be dialled stays a callback, so the next
        agent's turn calls the customer; a caller on the line (or a callback customer already waiting in the
        room) stays a call, so the next agent is simply rung to them."""
        kind = MemberKind.CALLBACK if self.has(sid, "callback") and not self.has(sid, "in_room") \
            else MemberKind.CALL
        return self.queues.join(department, sid, entered_at=entered_at, kind=kind)

    def mark(self, sid: str, flag: str, pipe=None) -> None:
        """Note something that happened to a waiting caller (`held`: heard the hold message; `connected`);
        `pipe`: a pipeline of the caller's, to go with their other writes."""
        (pipe if pipe is not None else self.connection).hset(CALL_INFO_KEY + sid, flag, "1")

    def mark_once(self, sid: str, flag: str) -> bool:
        """`mark`, True only the first time (whichever webhook hears something first counts it)."""
        return bool(self.connection.hsetnx(CALL_INFO_KEY + sid, flag, "1"))

    def note(self, sid: str, name: str, value: str) -> None:
        """Keep a free-form field on the caller's record (read back with `flag`): a keyed number, a leg's sid."""
        self.connection.hset(CALL_INFO_KEY + sid, name, value)

    def unmark(self, sid: str, flag: str) -> bool:
        """Undo `mark` (something that was true for a while: an agent being rung); True if it was marked."""
        return bool(self.connection.hdel(CALL_INFO_KEY + sid, flag))

    def count(self, sid: str, name: str) -> int:
        """Count something that happens to a caller again and again (updates heard, unclear answers)."""
        return self.connection.hincrby(CALL_INFO_KEY + sid, f"count:{name}", 1)

    def has(self, sid: str, flag: str) -> bool:
        """Whether `mark(sid, flag)` happened."""
        return self.connection.hget(CALL_INFO_KEY + sid, flag) == b"1"

    def is_connected(self, sid: str) -> bool:
        """The caller has been brought to an agent."""
        return self.has(sid, "connected")

    def hung_up_on(self, pipe, sid: str) -> None:
        """`caller_hung_up`, queued on a pipeline of the caller's as a bare EVALSHA (`lua.queue`): its answer
        is NoScriptError if Redis lost its scripts, and then `caller_hung_up` is to be called."""
        lua.queue(pipe, self._call_ended, [CALL_INFO_KEY + sid], [sid, QUEUE_KEY, CALLBACKS_KEY, ABANDONED_FLAG])

    def caller_hung_up(self, sid: str) -> LeftLine | None:
        """The call ended: `call_ended` and the abandon check of `mark_once(sid, ABANDONED_FLAG)` in one round
        trip. None when the caller never reached a department."""
        left = self._call_ended(keys=[CALL_INFO_KEY + sid], args=[sid, QUEUE_KEY, CALLBACKS_KEY, ABANDONED_FLAG])
        if not left:
            return None
        department, entered_at, abandoned = left
        return LeftLine(department.decode(), float(entered_at or 0), bool(abandoned))

    def call_ended(self, sid: str, record: CallerRecord | None = None) -> None:
        """The caller hung up: free their place at once so no agent is offered a dead line (a callback keeps it).
        `record`, when the webhook read it already, saves reading it again."""
        record = record or self.record(sid)
        if record.info is not None and not record.has("callback"):
            self.queues.leave(record.info.department, sid, forget=False)

    def forget(self, sid: str) -> None:
        """Drop a finished caller's details (after the summary has them); a pending callback keeps them."""
        if self.has(sid, "callback"):
            return
        info = self.caller_info(sid)
        if info is not None:
            self.queues.leave(info.department, sid)  # drops the kept entry (the original place) too
        self.connection.delete(CALL_INFO_KEY + sid)

    def transferring(self, sid: str, to_department: str, agent: str, warm: bool) -> None:
        """Note that the caller now belongs to another department (and, warm, which agent stays with them)."""
        fields = {"department": to_department, "transferred_by": agent}
        if warm:
            fields["warm_from"] = agent
        self.connection.hset(CALL_INFO_KEY + sid, mapping=fields)
        self.connection.hdel(CALL_INFO_KEY + sid, "connected")

    def flag(self, sid: str, name: str) -> str | None:
        """A free-form field of the caller's record (warm_from, transferred_by)."""
        value = self.connection.hget(CALL_INFO_KEY + sid, name)
        return value.decode() if value else None

    def kind(self, sid: str) -> str:
        """Whether a place in line is held by a caller on the line or by a callback (virtual hold)."""
        kind = self.connection.hget(ENTRY_KEY + sid, "kind")
        return kind.decode() if kind else MemberKind.CALL

    def callback_closed(self, sid: str) -> None:
        """A callback is over (done or given up): its place and details go."""
        self.connection.hdel(CALL_INFO_KEY + sid, "callback")
        self.call_ended(sid)
        self.forget(sid)


def _details(sid: str, raw: dict[bytes, bytes]) -> CallerInfo | None:
    """The caller's details from their record; None when it holds only flags (an administrator's test call)."""
    return CallerInfo.from_redis(sid, raw) if b"line" in raw else None
