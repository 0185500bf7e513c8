"""Call summaries: one record per call of everything that happened to the caller, from first word to outcome.

Stored as JSON, one row per call, written only by `services.summaries.write_summary`; built by the pure
`callflow.domain.summary.build_summary`. A summary is written when the call ends and rewritten when the agent
files the disposition, so it is complete either way.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.store.models import Call, Summary


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
    query = (select(Call.sid).outerjoin(Summary, Summary.call_sid == Call.sid)
             .where(Call.ended_at.is_not(None), Call.ended_at < ended_before, Summary.call_sid.is_(None))
             .order_by(Call.ended_at).limit(limit))
    return list(session.scalars(query))


def calls_from(session: Session, caller: str, exclude: str | None = None, limit: int = 5) -> list[tuple[Call, dict]]:
    """A number's latest calls from the call log, newest first, each with its summary ({} until written)."""
    query = select(Call).where(Call.caller == caller).order_by(Call.started_at.desc()).limit(limit)
    if exclude:
        query = query.where(Call.sid != exclude)
    calls = list(session.scalars(query))
    summaries = {row.call_sid: json.loads(row.body)
                 for row in session.scalars(select(Summary).where(Summary.call_sid.in_([c.sid for c in calls])))}
    return [(c, summaries.get(c.sid, {})) for c in calls]
