"""Automatic call distribution: match the first caller in line with the longest-idle eligible agent.

The match is one Lua script, so two web processes reacting to the same free agent (or the same new caller) can
never offer one call twice or give one agent two calls. The matched caller leaves the queue but keeps their
entry (and so their place) in case the agent does not answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import redis

from callflow.store import lua
from callflow.store.presence import AVAILABLE_KEY, PRESENCE_KEY, Presence
from callflow.store.queues import CALLBACKS_KEY, ENTRY_KEY, QUEUE_KEY

_MATCH = """
local queue, available, callbacks = KEYS[1], KEYS[2], KEYS[3]
local caller = redis.call('ZRANGE', queue, 0, 0)[1]
if not caller then return false end
local agent = redis.call('ZRANGE', available, 0, 0)[1]
if not agent then return false end
local presence = ARGV[1] .. agent
local departments = redis.call('HGET', presence, 'departments') or ''
for dept in string.gmatch(departments, '[^,]+') do redis.call('ZREM', ARGV[2] .. dept, agent) end
redis.call('HSET', presence, 'state', ARGV[4], 'since', ARGV[3], 'call', caller)
redis.call('ZREM', queue, caller)
redis.call('ZREM', callbacks, caller)
redis.call('HSET', ARGV[5] .. caller, 'offered_to', agent)
return {caller, agent}
"""


@dataclass(frozen=True)
class Offer:
    """A caller reserved for an agent: the app now rings the agent."""

    department: str
    caller_sid: str
    agent: str


def matched(department: str, result) -> Offer | None:
    """The offer `match`'s script made, if any."""
    if not result:
        return None
    caller, agent = (v.decode() for v in result)
    return Offer(department, caller, agent)


class Distributor:
    """Make offers when callers and free agents meet."""

    def __init__(self, connection: redis.Redis):
        self.connection = connection
        self._match = connection.register_script(_MATCH)

    def match(self, department: str, now: float) -> Offer | None:
        """Reserve the department's first caller for its longest-idle available agent, if both exist."""
        keys, args = self._match_args(department, now)
        return matched(department, self._match(keys=keys, args=args))

    def match_on(self, pipe, department: str, now: float) -> None:
        """`match`, queued on a pipeline of the caller's (its answer is read with `matched`)."""
        lua.queue(pipe, self._match, *self._match_args(department, now))

    @staticmethod
    def _match_args(department: str, now: float) -> tuple[list, list]:
        return ([QUEUE_KEY + department, AVAILABLE_KEY + department, CALLBACKS_KEY + department],
                [PRESENCE_KEY, AVAILABLE_KEY, repr(now), Presence.OFFERED.value, ENTRY_KEY])

    def match_all(self, departments: Iterable[str], now: float) -> list[Offer]:
        """Make every offer possible across departments, in the order given (an agent's preference order)."""
        offers = []
        for department in departments:
            while (offer := self.match(department, now)) is not None:
                offers.append(offer)
        return offers
