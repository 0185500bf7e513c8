"""A callback's turn in line coming back: after an unanswered attempt's wait (the line's retry policy), or at
the time the customer booked. Either way it takes back its original place and is offered at once."""

from __future__ import annotations

from callflow.services import queued
from callflow.services.callbacks import hold_place
from callflow.services.ringing import distribute
from callflow.store.callback_timer import CallbackTimer
from callflow.store.callbacks import CallbackState, find_by_call, move
from callflow.store.models import Callback


def retry_callback(rt, call_sid: str) -> bool:
    """An unanswered callback tries again: back in line at its original place."""
    with rt.sessions() as session:
        callback = find_by_call(session, call_sid)
        now = rt.clock.now()
        if callback is not None and callback.retry_at is not None and callback.retry_at > now:
            # RQ's scheduler keeps whole seconds and may run a job up to a second early (a minute of virtual time
            # at rate 60): the line's wait between attempts is kept to the second, so wait out the rest.
            queued.schedule(rt, (callback.retry_at - now).total_seconds(), "retry_callback", call_sid)
            return False
        if callback is None or not move(session, callback.id, CallbackState.REQUESTED, now, retry_at=None):
            return False
        hold_place(rt, callback)
        department = callback.department
    distribute(rt, [department])
    return True


def callback_due(rt, callback_id: int) -> bool:
    """A callback's chosen time has come: it takes its place in line, ahead of callers who did not book."""
    with rt.sessions() as session:
        callback = session.get(Callback, callback_id)
        if callback is not None and callback.state == CallbackState.SCHEDULED.value \
                and callback.due_at is not None and callback.due_at > rt.clock.now():
            CallbackTimer(rt.redis, rt.clock).book(callback_id, callback.due_at)  # early (clocks differ): again
            return False
        if callback is None or callback.due_at is None \
                or not move(session, callback_id, CallbackState.REQUESTED, rt.clock.now(),
                            only_from=CallbackState.SCHEDULED):
            return False  # not waiting for its time any more (the sweeper and the timer both ran)
        hold_place(rt, callback)
        department = callback.department
    distribute(rt, [department])
    return True
