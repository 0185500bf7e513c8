"""Automatic call distribution: match the first caller in line with the longest-idle eligible agent.

The match is one Lua script, so two web processes reacting to the same free agent (or the same new caller) can
never offer one call twice or give one agent two calls. The matched caller leaves the queue but keeps their
entry (and so their place) in case the agent does not answer.

Languages (issue 24): a caller whose language is known is offered to the longest-idle free agent who speaks it
(agents with no languages set speak every language, so a centre that never sets them sees first caller, longest
idle agent, as before). When no free agent speaks it, the caller keeps their place and the script looks further
down the line (the first `CALLER_SCAN` callers), so an English caller is not held up behind a Spanish one; once
the caller has waited the line's interpreter wait, any agent may take them, and the offer says an interpreter
is needed. A caller held back that way while an agent was free leaves a wake-up time for their department
(`INTERPRETER_DUE_KEY`), which a worker's timer turns into a `distribute` job: nothing else would happen when a
wait runs out with the agent already idle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import redis

from callflow.domain.script.model import HoldPolicy
from callflow.store import lua
from callflow.store.presence import AVAILABLE_KEY, PRESENCE_KEY, Presence
from callflow.store.queues import CALLBACKS_KEY, ENTRY_KEY, QUEUE_KEY

INTERPRETER_DUE_KEY = "callflow:interpreter-due"  # ZSET: department -> when a held caller's interpreter wait ends
CALLER_SCAN = 50  # callers looked at, first in line first, for one whose language a free agent speaks
AGENT_SCAN = 100  # free agents looked at, longest idle first, for one who speaks the caller's language
DEFAULT_INTERPRETER_AFTER = HoldPolicy.interpreter_after_seconds

_MATCH = """
local queue, available, callbacks, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local presence_key, entry_key, info_key = ARGV[1], ARGV[5], ARGV[6]
local now, interpreter_after = tonumber(ARGV[3]), tonumber(ARGV[7])
local agents = redis.call('ZRANGE', available, 0, tonumber(ARGV[10]) - 1)
if #agents == 0 then return false end
local callers = redis.call('ZRANGE', queue, 0, tonumber(ARGV[8]) - 1)
if #callers == 0 then return false end
local spoken = {}  -- agent -> their languages without regions, or false: they take any caller
local function speaks(agent, language)
  local known = spoken[agent]
  if known == nil then
    known = false
    local tags = redis.call('HGET', presence_key .. agent, 'languages') or ''
    for tag in string.gmatch(tags, '[^,]+') do
      known = known or {}
      known[string.lower(string.match(tag, '^[^-]*'))] = true
    end
    spoken[agent] = known
  end
  return known == false or known[language] == true
end
local caller, agent, interpreter, wake = nil, nil, '0', nil
for _, sid in ipairs(callers) do
  local language = ''
  if info_key ~= '' then language = redis.call('HGET', info_key .. sid, 'language') or '' end
  if language == '' then
    caller, agent = sid, agents[1]
    break
  end
  language = string.lower(string.match(language, '^[^-]*'))
  for _, candidate in ipairs(agents) do
    if speaks(candidate, language) then
      agent = candidate
      break
    end
  end
  if agent then
    caller = sid
    break
  end
  local entered = tonumber(redis.call('HGET', entry_key .. sid, 'entered_at') or '') or now
  if now - entered >= interpreter_after then
    caller, agent, interpreter = sid, agents[1], '1'
    break
  end
  if not wake or entered + interpreter_after < wake then wake = entered + interpreter_after end
end
if not caller then
  if wake then
    local at = redis.call('ZSCORE', due, ARGV[9])
    if not at or tonumber(at) > wake then redis.call('ZADD', due, wake, ARGV[9]) end
  end
  return false
end
local presence = presence_key .. agent
local departments = redis.call('HGET', presence, 'departments') or ''
for dept in string.gmatch(departments, '[^,]+') do redis.call('ZREM', ARGV[2] .. dept, agent) end
redis.call('HSET', presence, 'state', ARGV[4], 'since', ARGV[3], 'call', caller)
redis.call('ZREM', queue, caller)
redis.call('ZREM', callbacks, caller)
redis.call('HSET', entry_key .. caller, 'offered_to', agent, 'interpreter', interpreter)
return {caller, agent, interpreter}
"""

_TAKE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
"""


@dataclass(frozen=True)
class Offer:
    """A caller reserved for an agent: the app now rings the agent. `interpreter`: the agent does not speak the
    caller's language (the caller waited out the line's interpreter wait)."""

    department: str
    caller_sid: str
    agent: str
    interpreter: bool = False


def matched(department: str, result) -> Offer | None:
    """The offer `match`'s script made, if any."""
    if not result:
        return None
    caller, agent, interpreter = (v.decode() for v in result)
    return Offer(department, caller, agent, interpreter == "1")


class Distributor:
    """Make offers when callers and free agents meet.

    `info_key`: where each caller's details are (`acd.CALL_INFO_KEY`), their language among them; without it
    every caller is anyone's. `interpreter_after`: a department's interpreter wait, in seconds (its line's
    `hold.interpreter_after_seconds`)."""

    def __init__(self, connection: redis.Redis, info_key: str = "",
                 interpreter_after: Callable[[str], float] | None = None):
        self.connection = connection
        self.info_key = info_key
        self.interpreter_after = interpreter_after or (lambda department: DEFAULT_INTERPRETER_AFTER)
        self._match = connection.register_script(_MATCH)
        self._take_due = connection.register_script(_TAKE_DUE)

    def match(self, department: str, now: float) -> Offer | None:
        """Reserve the department's first caller a free agent can take for the longest-idle such agent."""
        keys, args = self._match_args(department, now)
        return matched(department, self._match(keys=keys, args=args))

    def match_on(self, pipe, department: str, now: float) -> None:
        """`match`, queued on a pipeline of the caller's (its answer is read with `matched`)."""
        lua.queue(pipe, self._match, *self._match_args(department, now))

    def _match_args(self, department: str, now: float) -> tuple[list, list]:
        return ([QUEUE_KEY + department, AVAILABLE_KEY + department, CALLBACKS_KEY + department,
                 INTERPRETER_DUE_KEY],
                [PRESENCE_KEY, AVAILABLE_KEY, repr(now), Presence.OFFERED.value, ENTRY_KEY, self.info_key,
                 repr(float(self.interpreter_after(department))), CALLER_SCAN, department, AGENT_SCAN])

    def match_all(self, departments: Iterable[str], now: float) -> list[Offer]:
        """Make every offer possible across departments, in the order given (an agent's preference order)."""
        offers = []
        for department in departments:
            while (offer := self.match(department, now)) is not None:
                offers.append(offer)
        return offers

    def interpreter_waits_over(self, now: float) -> list[str]:
        """Departments where a caller held back for an agent of their language may now go to any free agent
        (each department handed to one caller of this, so one worker distributes it)."""
        return [d.decode() for d in self._take_due(keys=[INTERPRETER_DUE_KEY], args=[repr(now)])]
