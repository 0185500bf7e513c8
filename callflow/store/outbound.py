"""The account's outbound call rate (Twilio queues or refuses calls beyond it), shared by every worker.

Each dial reserves the next free slot in one Lua script on Redis's own clock (no process clock, no skew
between machines): the reply is how long the caller must wait for its slot. Slots are handed out in
order, so N workers never place more than `calls_per_second` calls in any second between them.
"""

from __future__ import annotations

import redis

OUTBOUND_KEY = "callflow:outbound:next-slot:"  # per account: Redis time (seconds) of the next free slot

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local following = slot + interval
redis.call('SET', KEYS[1], string.format('%.6f', following), 'PX', math.ceil((following - now) * 1000) + 1000)
return string.format('%.6f', slot - now)
"""


class OutboundRate:
    """Slots for outbound calls, `calls_per_second` per account across processes."""

    def __init__(self, connection: redis.Redis, account_sid: str, calls_per_second: float):
        if calls_per_second <= 0:
            raise ValueError(f"CALLFLOW_OUTBOUND_RATE must be positive, got {calls_per_second}")
        self.key = OUTBOUND_KEY + account_sid
        self.interval = 1.0 / calls_per_second
        self._reserve = connection.register_script(_RESERVE)

    def reserve(self) -> float:
        """Take the next slot: real seconds to wait before dialling (0 when the line is free now)."""
        return float(self._reserve(keys=[self.key], args=[repr(self.interval)]))
