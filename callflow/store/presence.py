"""Agents' presence in Redis: who is available, since when, and for which departments.

Presence changes many times an hour and must be seen by every process at once, so it lives in Redis; who the
agents are (names, logins, skills) lives in the database. An available agent sits in one sorted set per
department they serve, scored by the time they became idle, so the longest-idle agent is the first member.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import redis

PRESENCE_KEY = "callflow:presence:"  # HASH per agent: state, since, departments, languages, call
AVAILABLE_KEY = "callflow:available:"  # ZSET per department: agent -> idle since
STAFFED_KEY = "callflow:staffed:"  # SET per department: agents at work (any state but away), for estimates
DUE_BACK_KEY = "callflow:due-back:"  # ZSET per department: agents on a break -> when they said they'd be back


class Presence(str, Enum):
    """What an agent is doing."""

    AVAILABLE = "available"
    OFFERED = "offered"  # ringing: a call has been reserved for them
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    AWAY = "away"


_SET = """
local presence = KEYS[1]
local agent, state, since, departments = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local old = redis.call('HGET', presence, 'departments')
if old then
  for dept in string.gmatch(old, '[^,]+') do
    redis.call('ZREM', ARGV[5] .. dept, agent)
    redis.call('SREM', ARGV[7] .. dept, agent)
    redis.call('ZREM', ARGV[9] .. dept, agent)
  end
end
if state ~= 'away' then
  for dept in string.gmatch(departments, '[^,]+') do redis.call('SADD', ARGV[7] .. dept, agent) end
end
redis.call('HSET', presence, 'state', state, 'since', since, 'departments', departments)
if ARGV[6] ~= '' then redis.call('HSET', presence, 'call', ARGV[6]) else redis.call('HDEL', presence, 'call') end
if state == 'available' then
  for dept in string.gmatch(departments, '[^,]+') do redis.call('ZADD', ARGV[5] .. dept, since, agent) end
end
if state == 'away' and ARGV[8] ~= '' then
  redis.call('HSET', presence, 'back_at', ARGV[8])
  for dept in string.gmatch(departments, '[^,]+') do redis.call('ZADD', ARGV[9] .. dept, ARGV[8], agent) end
else
  redis.call('HDEL', presence, 'back_at')
end
if ARGV[10] == '1' then redis.call('HSET', presence, 'languages', ARGV[11]) end
return 1
"""

_SET_LANGUAGES = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'languages', ARGV[1]) end
return 1
"""


@dataclass(frozen=True)
class AgentPresence:
    """One agent's current presence."""

    agent: str
    state: Presence
    since: float
    departments: tuple[str, ...]
    call: str | None = None
    back_at: float | None = None  # away on a break: when they said they would be back
    languages: tuple[str, ...] = ()  # the languages they take calls in; none: any caller (the distributor reads)


class PresenceBoard:
    """Read and change agents' presence atomically."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection
        self._set = connection.register_script(_SET)
        self._set_languages = connection.register_script(_SET_LANGUAGES)

    def set(self, agent: str, state: Presence, since: float, departments: tuple[str, ...] | list[str],
            call: str | None = None, back_at: float | None = None,
            languages: tuple[str, ...] | list[str] | None = None) -> None:
        """Set an agent's presence; an available agent joins their departments' idle lists, and one away on a
        break with a return time is counted on by wait estimates from then (`due_back`). `languages`, when
        given, replaces those the distributor reads (None keeps them: most changes come from a call's events,
        which do not read the agent's record)."""
        self._set(keys=[PRESENCE_KEY + agent],
                  args=[agent, state.value, repr(since), ",".join(departments), AVAILABLE_KEY, call or "",
                        STAFFED_KEY, repr(back_at) if back_at is not None else "", DUE_BACK_KEY,
                        "0" if languages is None else "1", ",".join(languages or ())])

    def set_languages(self, agent: str, languages: tuple[str, ...] | list[str]) -> None:
        """An agent's languages changed: the distributor reads them at once, if they have a presence at all."""
        self._set_languages(keys=[PRESENCE_KEY + agent], args=[",".join(languages)])

    def get(self, agent: str) -> AgentPresence | None:
        """An agent's presence, or None when they never logged in."""
        raw = self.connection.hgetall(PRESENCE_KEY + agent)
        return self.parse(agent, raw) if raw else None

    @staticmethod
    def parse(agent: str, raw: dict[bytes, bytes]) -> AgentPresence:
        departments = raw.get(b"departments", b"").decode()
        languages = raw.get(b"languages", b"").decode()
        return AgentPresence(agent, Presence(raw[b"state"].decode()), float(raw[b"since"]),
                             tuple(d for d in departments.split(",") if d),
                             raw[b"call"].decode() if b"call" in raw else None,
                             float(raw[b"back_at"]) if b"back_at" in raw else None,
                             tuple(tag for tag in languages.split(",") if tag))

    def available(self, department: str) -> list[str]:
        """Available agents of a department, longest idle first."""
        return [a.decode() for a in self.connection.zrange(AVAILABLE_KEY + department, 0, -1)]

    def staffed(self, department: str) -> int:
        """How many agents of a department are at work (available, ringing, talking or wrapping up)."""
        return self.connection.scard(STAFFED_KEY + department)

    def at_work(self, department: str) -> list[AgentPresence]:
        """The presence of every agent of a department at work, by name: wait estimates read calls' ages."""
        agents = sorted(a.decode() for a in self.connection.smembers(STAFFED_KEY + department))
        pipe = self.connection.pipeline(transaction=False)
        for agent in agents:
            pipe.hgetall(PRESENCE_KEY + agent)
        return [self.parse(agent, raw) for agent, raw in zip(agents, pipe.execute(), strict=True) if raw]

    def due_back(self, department: str, now: float, horizon: float) -> list[float]:
        """When agents of a department now on a break said they would be back, from now to `horizon` seconds
        ahead (a return time already passed is not counted on: they are late, and simply away)."""
        return [float(at) for _, at in self.connection.zrangebyscore(DUE_BACK_KEY + department, now, now + horizon,
                                                                      withscores=True)]
