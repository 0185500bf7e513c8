"""A call's end, as Twilio's status callback reports it: noted at once (late or replayed requests of the call
change nothing, no agent is offered a caller who has gone, a caller still in line counts as an abandon), and
closed by a worker, off the webhook's hot path."""

from __future__ import annotations

import logging

import redis

from callflow.services import metrics, queued
from callflow.services.summaries import close_record_only

log = logging.getLogger(__name__)
FINAL = ("completed", "busy", "failed", "no-answer", "canceled")


def call_ended(rt, sid: str, call_status: str, duration: str | None, caller: str, called: str) -> None:
    """The call's status callback: a final status closes the call (others change nothing)."""
    if call_status not in FINAL:
        return
    metrics.call_ended(call_status)
    ended_at, seconds = rt.clock.timestamp(), int(duration) if duration and duration.isdigit() else None
    try:
        # One round trip, one transaction: the caller leaves their line at once (no agent may be offered a
        # caller who has gone; still waiting, they are marked as an abandon), the end is noted, and a worker
        # is asked to close the call and, for an abandon, to teach the wait estimates the caller's patience.
        with rt.redis.pipeline() as pipe:
            pipe.multi()
            rt.acd.hung_up_on(pipe, sid)
            rt.live_calls.ended(sid, call_status, pipe=pipe)
            queued.enqueue(rt, "close_call", sid, call_status, ended_at, seconds, caller, called,
                           job_id=f"close-call-{sid}", retry=queued.DATABASE_RETRY, pipeline=pipe)
            left, *written = pipe.execute(raise_on_error=False)
        for failed in (r for r in written if isinstance(r, Exception)):
            raise failed  # the end or the job not written: closed in the database below
        if isinstance(left, redis.exceptions.NoScriptError):  # Redis lost its scripts (a restart): once more
            rt.acd.caller_hung_up(sid)
        elif isinstance(left, Exception):  # a fault of ours, not Redis's: said, and the call still closed
            log.error("call %s: could not take the caller out of their line: %s", sid, left)
    except redis.RedisError:
        # Twilio reports a call's end once: with Redis down no worker can be asked to close it, so its record
        # is closed here and the workers' sweeper writes its summary when Redis is back.
        log.warning("Redis is down: call %s closed in the database only; its summary follows", sid)
        close_record_only(rt, sid, call_status, ended_at, seconds, caller, called)
