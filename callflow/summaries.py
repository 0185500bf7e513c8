"""Call summaries: one record per call of everything that happened to the caller, from first word to outcome.

`build_summary` is pure (plain data in, a JSON-ready dict out); the rest stores and lists summaries. A summary
is written when the call ends and rewritten when the agent files the disposition, so it is complete either way.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.models import Summary


def build_summary(call: dict, ivr: dict | None, timeline: list[dict], dispositions: list[dict],
                  callback: dict | None, customer_name: str | None, sms_sent: bool = False,
                  survey_score: int | None = None) -> dict:
    """Assemble a call's summary from its record, IVR state, event timeline, dispositions and callback, and
    what followed the call: whether the SMS of the actions promised went, and the survey's answer (1-5)."""
    ivr = ivr or {}
    events = [e["event"] for e in timeline]
    departments = [e["department"] for e in timeline if e["event"] == "routed"] or \
        ([call["department"]] if call.get("department") else [])
    transfers = [e for e in timeline if e["event"] == "transfer"]
    promises = [e for e in timeline if e["event"] == "promise"]
    waits = [round(e["waited"]) for e in timeline if e["event"] == "agent-answered" and "waited" in e]
    agents = [e["agent"] for e in timeline if e["event"] == "agent-answered"]
    talk = sum(e.get("duration", 0) for e in timeline if e["event"] == "agent-left")
    outcome = (dispositions[-1]["outcome"] if dispositions
               else "callback-requested" if callback and callback["state"] in ("requested", "scheduled")
               else "connected" if agents
               else "abandoned" if "abandoned" in events
               else ivr.get("outcome") or call.get("status"))
    return {
        "call_sid": call["sid"], "caller": call["caller"], "name": customer_name, "line": call["called"],
        "direction": call.get("direction", "inbound"), "started_at": call["started_at"],
        "ended_at": call.get("ended_at"), "duration_seconds": call.get("duration_seconds"),
        "script_version": call.get("script_version"),
        "ivr_path": list(ivr.get("path", [])), "words": list(ivr.get("said", [])),
        "keys": list(ivr.get("pressed", [])),
        "departments": departments,
        "first_department_right": not transfers if departments else None,
        "transfers": [{"from": t.get("from"), "to": t.get("to"), "by": t.get("agent")} for t in transfers],
        "waits_seconds": waits,
        "permission_asked": "permission-asked" in events,
        "hold_answer": next((e for e in events if e in ("hold-accepted", "held-without-answer",
                                                      "callback-accepted")), None),
        "promises": [{"seconds": p["seconds"], "at": p["at"]} for p in promises],
        "promises_broken": events.count("promise-broken") + events.count("promise-broken-at-answer"),
        "promise_kept": "promise-kept" in events if promises else None,
        "callback": callback,
        "agents": agents, "talk_seconds": talk,
        "dispositions": dispositions,
        "notes": "\n".join(d["notes"] for d in dispositions if d.get("notes")),
        "actions_promised": [a for d in dispositions for a in d.get("promised", [])],
        "sms_sent": sms_sent, "survey_score": survey_score,
        "outcome": outcome,
    }


def save_summary(session: Session, body: dict, now: datetime) -> None:
    """Write (or rewrite) a call's summary; one row per call whatever the number of attempts."""
    row = session.get(Summary, body["call_sid"])
    started = datetime.fromisoformat(body["started_at"])
    department = body["departments"][-1] if body["departments"] else None
    if row is None:
        session.add(Summary(call_sid=body["call_sid"], caller=body["caller"], department=department,
                            started_at=started, body=json.dumps(body), updated_at=now))
    else:
        row.body, row.department, row.updated_at = json.dumps(body), department, now
    session.commit()


def get_summary(session: Session, call_sid: str) -> dict | None:
    """One call's summary."""
    row = session.get(Summary, call_sid)
    return None if row is None else json.loads(row.body)


def list_summaries(session: Session, since: datetime | None = None, department: str | None = None,
                   caller: str | None = None, limit: int = 100) -> list[dict]:
    """Summaries, newest first, filtered by start time, department or caller."""
    query = select(Summary).order_by(Summary.started_at.desc()).limit(limit)
    if since is not None:
        query = query.where(Summary.started_at >= since)
    if department:
        query = query.where(Summary.department == department)
    if caller:
        query = query.where(Summary.caller == caller)
    return [json.loads(row.body) for row in session.scalars(query)]


def ended_without_summary(session: Session, ended_before: datetime, limit: int) -> list[str]:
    """Calls that ended before a moment and have no summary, oldest first: the sweeper writes theirs."""
    from callflow.models import Call

    query = (select(Call.sid).outerjoin(Summary, Summary.call_sid == Call.sid)
             .where(Call.ended_at.is_not(None), Call.ended_at < ended_before, Summary.call_sid.is_(None))
             .order_by(Call.ended_at).limit(limit))
    return list(session.scalars(query))
