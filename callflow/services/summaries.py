"""Closing a call and writing its summary: the one place a call summary is written.

Every writer (the call's end, a filed disposition, the end of wrap-up, a survey answer, the sweeper's catch-up
of calls left without one) calls `write_summary`; `summary_input` gathers what a summary is built from (the
call log, its IVR state, timeline, dispositions, callback, customer and after-call messages) in one place.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from callflow.domain.contact_events import events_of
from callflow.domain.summary import build_summary
from callflow.store import after_call, call_log, contact_events, summaries
from callflow.store.callbacks import find_by_call
from callflow.store.customers import find_customer
from callflow.store.dispositions import dispositions_of
from callflow.store.models import Call, Summary
from callflow.store.promises import Promises

log = logging.getLogger(__name__)


def close_call(rt, call_sid: str, status: str, ended_at: float, duration: int | None, caller: str | None = None,
               called: str | None = None) -> bool:
    """Record that a call ended and write its summary (idempotent: Twilio may repeat the status callback).

    The call's live state in Redis is dropped only once the summary is safely in the database: if the database
    is down, the job fails, RQ retries it with backoff, and nothing is lost meanwhile. A call whose start could
    not be logged (the database was down then) is logged now from the status callback's From and To.

    An inbound call's record is written here, not by its webhooks (a new call writes nothing to the database):
    from the status callback's From and To, its start from its duration, and where it went from its live state.
    """
    with rt.sessions() as session:
        live = rt.live_calls.load(call_sid) if caller is not None else None
        closed = _close_record(session, call_sid, status, ended_at, duration, caller, called, live)
        if closed or session.get(Summary, call_sid) is None:  # a repeated status callback rewrites nothing
            write_summary(rt, call_sid, session)
    rt.live_calls.forget(call_sid)
    rt.acd.forget(call_sid)
    return closed


def close_record_only(rt, call_sid: str, status: str, ended_at: float, duration: int | None, caller: str,
                      called: str) -> bool:
    """The status callback came while Redis was down, so no worker can be asked to close the call: its record
    is closed here, in the database alone, and the sweeper writes its summary once Redis is back
    (`summarise_missed`), with whatever of the call's live state Redis kept."""
    with rt.sessions() as session:
        return _close_record(session, call_sid, status, ended_at, duration, caller, called, None)


def _close_record(session, call_sid: str, status: str, ended_at: float, duration: int | None,
                  caller: str | None, called: str | None, live: dict | None) -> bool:
    """Close a call's record; one not written yet is written first from From and To and the live state."""
    if caller is not None and session.get(Call, call_sid) is None:
        started = datetime.fromtimestamp(ended_at, UTC) - timedelta(seconds=duration or 0)
        live = live or {}
        call_log.call_started(session, call_sid, caller, called or "", started,
                              script_version=live.get("script_version"), department=live.get("department"),
                              path=live.get("path"), language=live.get("language"))
    return call_log.call_ended(session, call_sid, status, datetime.fromtimestamp(ended_at, UTC), duration)


def summarise_missed(rt, ended_before: datetime, limit: int) -> int:
    """Write the summary of every call that ended before `ended_before` without one (up to `limit`): its close
    job was never queued (Redis was down when Twilio reported the end) or was lost with Redis's data. Every
    call has a summary."""
    with rt.sessions() as session:
        missed = summaries.ended_without_summary(session, ended_before, limit)
    for call_sid in missed:
        write_summary(rt, call_sid)
        rt.live_calls.forget(call_sid)
        rt.acd.forget(call_sid)
    if missed:
        log.warning("wrote the summaries of %d calls that had none", len(missed))
    return len(missed)


def write_summary(rt, call_sid: str, session=None) -> dict | None:
    """(Re)write a call's summary from the call log, its IVR state, timeline, dispositions and callback, and
    log the call's events not logged yet, in the same transaction: the summary and the event log are built
    from one input and committed together, so they never disagree."""
    if session is None:
        with rt.sessions() as own:
            return write_summary(rt, call_sid, own)
    found = summary_input(rt, session, call_sid)
    if found is None:
        return None
    events = events_of(found["call"], found["ivr"], found["timeline"],
                       [{"id": d.id, "agent": d.agent, "outcome": d.outcome, "at": d.created_at.timestamp()}
                        for d in dispositions_of(session, call_sid)],
                       after_call.survey_of(session, call_sid))
    body = build_summary(**{k: v for k, v in found.items() if k != "timeline"}, events=events)
    contact_events.append(session, events)
    summaries.save_summary(session, body, rt.clock.now())
    return body


def summary_input(rt, session, call_sid: str) -> dict | None:
    """What a call's summary is built from, as `build_summary`'s arguments; None for an unknown call."""
    call = session.get(Call, call_sid)
    if call is None:
        return None
    ivr = rt.live_calls.load(call_sid)
    if ivr is None:
        # The call's live state is gone (its close dropped it; the disposition or the end of wrap-up writes the
        # summary again later): the IVR path is in the call log, and what the caller said and pressed is kept
        # from the summary already written, never lost on a rewrite.
        before = summaries.get_summary(session, call_sid) or {}
        path = json.loads(call.path) if call.path else before.get("ivr_path", [])
        if path or before:
            ivr = {"path": path, "said": before.get("words", []), "pressed": before.get("keys", [])}
    callback = find_by_call(session, call_sid)
    customer = find_customer(session, call.caller)
    return {
        "call": {"sid": call.sid, "caller": call.caller, "called": call.called, "direction": call.direction,
                 "status": call.status, "started_at": call.started_at.isoformat(),
                 "ended_at": call.ended_at.isoformat() if call.ended_at else None,
                 "duration_seconds": call.duration_seconds, "department": call.department,
                 "script_version": call.script_version, "language": call.language},
        "ivr": ivr,
        "timeline": Promises(rt.redis).history(call_sid),
        "dispositions": [{"agent": d.agent, "outcome": d.outcome, "notes": d.notes,
                          "promised": [p for p in d.promised.split("\n") if p]}
                         for d in dispositions_of(session, call_sid)],
        "callback": None if callback is None else {
            "state": callback.state, "attempts": callback.attempts, "phone": callback.phone,
            "due_at": callback.due_at.isoformat() if callback.due_at else None},
        "customer_name": customer.name if customer else None,
        "sms_sent": after_call.sms_sent(session, call_sid),
        "survey_score": after_call.answer_of(session, call_sid),
    }
