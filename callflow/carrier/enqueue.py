"""The <Enqueue> verb: a caller waits in a queue, hearing the waitUrl's TwiML, until something moves them.

A queued call leaves when a <Dial><Queue> bridges it, a <Leave> in the wait music, a REST dequeue or
redirect, or a hang-up (its own or the caller losing patience). The Enqueue `action` is requested with the
QueueResult; when the call is already over (hang-up) or has been sent elsewhere (redirect) its answer is
ignored, as nothing is left for it to run on.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from callflow.carrier.bridge import party
from callflow.carrier.calls import CallStatus, Dequeued, HangUp, Interrupt, Redirect
from callflow.carrier.silence import SOUND
from callflow.carrier.webhook import Document, Goto

WAIT_VERBS = ("Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Leave")
WHISPER_VERBS = ("Say", "Play", "Pause", "Redirect")
MIN_WAIT_CYCLE = 1.0  # virtual seconds; an empty wait document must not become a busy loop


class LeaveQueue(Exception):
    """<Leave> was executed in the wait music."""


def queue_params(queue, call, enqueued_at: float, now: float) -> dict[str, str]:
    """The parameters Twilio adds to waitUrl requests."""
    return {"QueueSid": queue.sid, "QueuePosition": str(queue.position(call)),
            "QueueTime": str(int(now - enqueued_at)), "AvgQueueTime": str(queue.average_wait(now)),
            "CurrentQueueSize": str(queue.size), "MaxQueueSize": str(queue.max_size)}


def enqueue(session, verb: ET.Element, doc: Document) -> Goto | None:
    """Put the call in a queue and hold it there until it leaves; then follow the action."""
    carrier, call = session.carrier, session.call
    name = (verb.text or "").strip()
    action = verb.get("action")
    wait_url = verb.get("waitUrl")
    with carrier.cond:
        enqueued_at = carrier.clock.timestamp()
        queue = carrier.queues.get_or_create(name, enqueued_at)
        joined = queue.join(call, enqueued_at)
        if joined:
            call.record("enqueued", name, queue_sid=queue.sid)
            if call.phone is not None and call.phone.patience is not None:
                call.deadline = enqueued_at + call.phone.patience
    outcome: Exception | None = None
    if joined:
        session.in_queue = True
        try:
            _wait(session, queue, enqueued_at, doc.resolve(wait_url) if wait_url else None,
                  verb.get("waitUrlMethod", "POST").upper())
        except (LeaveQueue, Dequeued, HangUp, Redirect) as exc:
            outcome = exc
        finally:
            with carrier.cond:
                queue.leave(call)
                call.deadline = None
            session.in_queue = False
    queue_time = int(carrier.clock.timestamp() - enqueued_at)
    if not joined:
        call.record("queue-full", name)
        result = "queue-full"
    elif isinstance(outcome, Dequeued):
        outcome = _bridged(session, outcome, queue, enqueued_at)
        result = "bridged"
    elif isinstance(outcome, LeaveQueue):
        call.record("left-queue", name)
        result, outcome = "leave", None
    else:
        result = "hangup" if isinstance(outcome, HangUp) else "redirected"
    extra = {"QueueResult": result, "QueueSid": queue.sid, "QueueTime": str(queue_time)}
    if outcome is not None:  # the call is over or elsewhere: tell the action, ignore its answer
        if action:
            if isinstance(outcome, HangUp):
                call.set_status(CallStatus.COMPLETED)
            session.request(doc.resolve(action), verb.get("method", "POST").upper(), **extra)
        raise outcome
    return Goto(doc.resolve(action), verb.get("method", "POST").upper(), extra) if action else None


def _wait(session, queue, enqueued_at: float, wait_url: str | None, wait_method: str) -> None:
    """Play the wait music: run waitUrl's TwiML and request it again each time it runs out."""
    carrier, call = session.carrier, session.call
    while True:
        cycle_start = carrier.clock.timestamp()
        if wait_url is None:  # Twilio's default classical playlist, forever
            call.record("played", "default hold music")
            with call.span(SOUND):
                call.hold(math.inf)
        goto: Goto | None = Goto(wait_url, wait_method)
        while goto is not None:  # a Redirect or Gather action in the wait music stays in the queue
            with carrier.cond:
                params = queue_params(queue, call, enqueued_at, carrier.clock.timestamp())
            wait_doc = session.fetch(goto.url, goto.method, **params, **goto.extra)
            goto = session.execute(wait_doc, allowed=WAIT_VERBS)
        spent = carrier.clock.timestamp() - cycle_start
        if spent < MIN_WAIT_CYCLE:
            call.hold(MIN_WAIT_CYCLE - spent)


def _bridged(session, dequeued: Dequeued, queue, enqueued_at: float) -> Interrupt | None:
    """Stay on the bridge until it ends; return the interrupt that ended this call, if any."""
    call, bridge = session.call, dequeued.bridge
    call.record("dequeued", party(dequeued.dialer), queue_sid=queue.sid)
    try:
        if dequeued.url:  # the dequeuer's whisper, played to the queued caller before connecting
            whisper = session.fetch(dequeued.url, dequeued.method, QueueSid=queue.sid,
                                    QueueTime=str(int(session.carrier.clock.timestamp() - enqueued_at)),
                                    DequeingCallSid=dequeued.dialer.sid)
            session.execute(whisper, allowed=WHISPER_VERBS)
        bridge.connect()
        call.hold(math.inf, until=lambda: bridge.ended)
        return None
    except Interrupt as exc:
        bridge.end(by=call)
        return exc
    except BaseException:
        bridge.end(by=call)
        raise
