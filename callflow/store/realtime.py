"""The floor right now, read in one Redis round trip and one database session: what a wallboard refreshed
every second across a room, with thousands of callers waiting, can afford.

Reading each queue's members (as the console's queue panel does for the fifty it lists) would cost a command
per caller; here one Lua script walks each queue from its head only until it meets the first caller on the line
at the lowest priority, whose entry time is then the longest wait (callers ahead of them hold a higher
priority, a transferred caller's or a booked callback's, and are looked at one by one: there are few), and
reads every agent's presence in the same call (a pipeline of one HGET per agent cost more in redis-py's
packing and parsing than Redis took to answer). The same call reads today's figures as a worker last stored them
(`store/wallboard_today.py`) and, when they are no longer fresh and nobody has asked yet, marks them asked for,
so the refresh that gets the mark, and only that one, queues the worker's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callflow.store.callbacks import CallbackState
from callflow.store.models import Agent, Callback
from callflow.store.presence import PRESENCE_KEY, Presence
from callflow.store.queues import CALLBACKS_KEY, ENTRY_KEY, QUEUE_KEY
from callflow.store.wallboard_today import ASKED_KEY, ASKED_SECONDS, FRESH_KEY, TODAY_KEY, Today, decode

# Callbacks asked for and not yet over: booked for a time, in line, being dialled, or to be tried again.
CALLBACKS_WAITING = (CallbackState.SCHEDULED, CallbackState.REQUESTED, CallbackState.DIALLING,
                     CallbackState.NO_ANSWER, CallbackState.BUSY, CallbackState.FAILED)

_SNAPSHOT = """
local queues, states = {}, {}
local departments = tonumber(ARGV[5])
for i = 7, 6 + departments do
  local queue, callbacks = ARGV[1] .. ARGV[i], ARGV[2] .. ARGV[i]
  local size, held = redis.call('ZCARD', queue), redis.call('ZCARD', callbacks)
  local oldest = false
  local start = 0
  while size > held do
    local members = redis.call('ZRANGE', queue, start, start + 15)
    if #members == 0 then break end
    local done = false
    for _, sid in ipairs(members) do
      if not redis.call('ZSCORE', callbacks, sid) then
        local entry = redis.call('HMGET', ARGV[3] .. sid, 'entered_at', 'priority')
        if entry[1] then
          if not oldest or tonumber(entry[1]) < tonumber(oldest) then oldest = entry[1] end
          if (tonumber(entry[2]) or 0) <= 0 then done = true break end
        end
      end
    end
    if done then break end
    start = start + 16
  end
  queues[#queues + 1] = {size - held, held, oldest}
end
for i = 7 + departments, #ARGV do
  states[#states + 1] = redis.call('HGET', ARGV[4] .. ARGV[i], 'state') or ''
end
local asked = 0
if ARGV[6] ~= '0' and redis.call('EXISTS', KEYS[2]) == 0 and redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[6]) then
  asked = 1
end
return {queues, states, redis.call('GET', KEYS[1]) or '', asked}
"""


@dataclass(frozen=True)
class QueueNow:
    """A department's line now: callers on the line waiting, callbacks holding a place, the first entry time
    of the caller who has waited longest (None when nobody waits)."""

    callers: int
    callbacks_in_line: int
    oldest_entered_at: float | None


@dataclass(frozen=True)
class StaffMember:
    """An agent, the departments they serve and their presence now (away when they never set one)."""

    login: str
    departments: tuple[str, ...]
    state: str


class Realtime:
    """Snapshots of queues and presence on one Redis connection."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection
        self._snapshot = connection.register_script(_SNAPSHOT)

    def snapshot(self, departments: Iterable[str], agents: Iterable[tuple[str, tuple[str, ...]]],
                 ask: bool = True) -> tuple[dict[str, QueueNow], list[StaffMember], Today | None, bool]:
        """Every department's queue, every agent's presence and today's figures as last stored (None: none yet),
        in one round trip (one script); True last when this caller is to ask a worker for new figures (never
        when `ask` is False: a reader that does not show today's figures, such as a metrics scrape).

        `agents`: (login, departments) pairs, from the database (`staff`)."""
        departments, agents = list(departments), list(agents)
        try:
            replies = self._read(departments, agents, ask)
        except redis.exceptions.NoScriptError:  # a restarted or flushed Redis: load the script, then read again
            self.connection.script_load(_SNAPSHOT)
            replies = self._read(departments, agents, ask)
        lines, states, today, asked = replies
        queues = {department: QueueNow(int(callers), int(held), None if oldest is None else float(oldest))
                  for department, (callers, held, oldest) in zip(departments, lines, strict=True)}
        staff = [StaffMember(login, served, state.decode() or Presence.AWAY.value)
                 for (login, served), state in zip(agents, states, strict=True)]
        return queues, staff, decode(today), bool(asked)

    def _read(self, departments: list[str], agents: list, ask: bool) -> list:
        """The script by its hash: redis-py would first ask Redis whether it knows it, a round trip of its own."""
        return self.connection.evalsha(self._snapshot.sha, 3, TODAY_KEY, FRESH_KEY, ASKED_KEY, QUEUE_KEY,
                                       CALLBACKS_KEY, ENTRY_KEY, PRESENCE_KEY, len(departments),
                                       ASKED_SECONDS * 1000 if ask else 0,
                                       *departments, *(login for login, _ in agents))


def staff(session: Session) -> list[tuple[str, tuple[str, ...]]]:
    """Every agent's login and the departments they serve, by login."""
    rows = session.execute(select(Agent.login, Agent.departments).order_by(Agent.login))
    return [(login, tuple(d for d in (departments or "").split(",") if d)) for login, departments in rows]


def callbacks_waiting(session: Session) -> dict[str, int]:
    """Department -> callbacks asked for and not yet over (connected, done or given up)."""
    rows = session.execute(select(Callback.department, func.count()).where(
        Callback.state.in_([state.value for state in CALLBACKS_WAITING])).group_by(Callback.department))
    return {department: int(count) for department, count in rows}
