"""Everything a wait estimate reads about a caller's line, in one round trip.

The hold music estimates for thousands of waiting callers: their place and the callbacks ahead (queues),
the department's agents at work and those due back from a break (presence), the other departments some of
them serve first and whether callers wait there, and the department's history (wait statistics). Read one
owner at a time that was five to eight round trips per estimate; here one Lua script reads them all, with each
owner's keys and parsers, so the estimate itself stays a plain function of plain data.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from callflow.domain import estimates as est
from callflow.store import lua
from callflow.store.presence import DUE_BACK_KEY, PRESENCE_KEY, STAFFED_KEY, AgentPresence, PresenceBoard
from callflow.store.queues import CALLBACKS_KEY, QUEUE_KEY
from callflow.store.wait_stats import STATS_KEY, parse_stats

_LINE = """
local function line(queue, callbacks, staffed, due_back, stats, sid, presence_prefix, queue_prefix, from, to)
  local rank = redis.call('ZRANK', queue, sid)
  local ahead
  if rank then
    ahead = redis.call('ZCOUNT', callbacks, '-inf', '(' .. redis.call('ZSCORE', queue, sid))
  else
    ahead = redis.call('ZCARD', callbacks)
  end
  local agents, sizes, seen = {}, {}, {}
  for _, agent in ipairs(redis.call('SMEMBERS', staffed)) do
    local presence = redis.call('HGETALL', presence_prefix .. agent)
    if #presence > 0 then
      table.insert(agents, agent)
      table.insert(agents, presence)
      for i = 1, #presence, 2 do
        if presence[i] == 'departments' then
          for department in string.gmatch(presence[i + 1], '[^,]+') do
            if not seen[department] then
              seen[department] = true
              table.insert(sizes, department)
              table.insert(sizes, redis.call('ZCARD', queue_prefix .. department))
            end
          end
        end
      end
    end
  end
  local due = redis.call('ZRANGEBYSCORE', due_back, from, to, 'WITHSCORES')
  return {rank and rank + 1 or 0, redis.call('ZCARD', queue), ahead, agents, sizes, due,
          redis.call('GET', stats) or ''}
end
"""
_READ = _LINE + """
return line(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
"""
# The caller's details first, then their department's line: the caller's department is in their details, so
# a webhook that knows only the caller (the hold question's answer) reads both in one round trip.
_READ_FOR_CALLER = _LINE + """
local details = redis.call('HGETALL', KEYS[1])
local department
for i = 1, #details, 2 do
  if details[i] == 'department' then department = details[i + 1] end
end
if not department then return {details} end
return {details, line(ARGV[5] .. department, ARGV[6] .. department, ARGV[7] .. department,
                      ARGV[8] .. department, ARGV[9] .. department, ARGV[1], ARGV[2], ARGV[3], ARGV[4],
                      ARGV[10])}
"""


@dataclass(frozen=True)
class LineInputs:
    """A caller's line as the estimate needs it."""

    position: int  # 1-based place in line; 0 when not waiting there
    size: int
    callbacks_ahead: int
    at_work: tuple[AgentPresence, ...]  # by agent name
    waiting: dict[str, int]  # callers waiting in every department these agents serve
    due_back: tuple[float, ...]  # return times of agents on a break, within the horizon
    stats: est.DepartmentStats

    @property
    def place(self) -> int:
        """Where the estimate counts the caller: their position, or the back of the line when not in it."""
        return self.position or self.size + 1


class EstimateInputs:
    """Reads a line for wait estimates on one Redis connection."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection
        self._read = connection.register_script(_READ)
        self._read_for_caller = connection.register_script(_READ_FOR_CALLER)

    def read(self, department: str, sid: str, now: float, horizon: float = est.HORIZON_SECONDS) -> LineInputs:
        """The line as it stands now; agents due back are those within `horizon` seconds."""
        keys, args = self._read_args(department, sid, now, horizon)
        return line_inputs(self._read(keys=keys, args=args))

    def read_on(self, pipe, department: str, sid: str, now: float, horizon: float = est.HORIZON_SECONDS) -> None:
        """`read`, queued on a pipeline of the caller's (its answer is read with `line_inputs`)."""
        lua.queue(pipe, self._read, *self._read_args(department, sid, now, horizon))

    def read_for_caller(self, details_key: str, sid: str, now: float,
                        horizon: float = est.HORIZON_SECONDS) -> tuple[dict, LineInputs | None]:
        """A caller's details (the hash at `details_key`, raw) and their department's line, in one round trip;
        the line is None when the details name no department."""
        raw = self._read_for_caller(keys=[details_key], args=[
            sid, PRESENCE_KEY, QUEUE_KEY, repr(now), QUEUE_KEY, CALLBACKS_KEY, STAFFED_KEY, DUE_BACK_KEY,
            STATS_KEY, repr(now + horizon)])
        details = _pairs(raw[0])
        return details, (line_inputs(raw[1]) if len(raw) > 1 else None)

    @staticmethod
    def _read_args(department: str, sid: str, now: float, horizon: float) -> tuple[list, list]:
        return ([QUEUE_KEY + department, CALLBACKS_KEY + department, STAFFED_KEY + department,
                 DUE_BACK_KEY + department, STATS_KEY + department],
                [sid, PRESENCE_KEY, QUEUE_KEY, repr(now), repr(now + horizon)])


def line_inputs(raw) -> LineInputs:
    """The line as `read`'s script answered it."""
    position, size, ahead, agents, sizes, due, stats = raw
    presences = (PresenceBoard.parse(name.decode(), _pairs(fields)) for name, fields in _pairs(agents).items())
    return LineInputs(int(position), int(size), int(ahead), tuple(sorted(presences, key=lambda p: p.agent)),
                      {d.decode(): int(n) for d, n in _pairs(sizes).items()},
                      tuple(float(at) for at in due[1::2]), parse_stats(stats or None))


def _pairs(flat: list) -> dict:
    """A Lua reply's flat [key, value, key, value, ...] as a dict."""
    return dict(zip(flat[::2], flat[1::2], strict=True))
