"""Calls taken, and their summaries: an agent's own recent calls (a supervisor's: everyone's), one call's
summary, and the summaries CRMs and reports read through the API.
"""

from __future__ import annotations

from datetime import datetime

from callflow.store.summaries import get_summary, list_summaries

RECENT_SCAN = 500  # summaries looked through for an agent's own (newest first)
RECENT_SHOWN = 50


def _took(summary: dict, login: str) -> bool:
    return login in summary.get("agents", []) or any(d.get("agent") == login for d in summary.get("dispositions", []))


def recent(rt, login: str, supervisor: bool) -> list[dict]:
    """The agent's recent calls with their summaries, newest first (a supervisor's: everyone's)."""
    with rt.sessions() as db:
        found = list_summaries(db, limit=RECENT_SCAN)
    if not supervisor:
        found = [s for s in found if _took(s, login)]
    return found[:RECENT_SHOWN]


def summary_for(rt, sid: str, login: str, supervisor: bool) -> dict | None:
    """One call's summary, if the agent took part in the call (any call's for a supervisor)."""
    found = summary(rt, sid)
    return found if found is not None and (supervisor or _took(found, login)) else None


def summaries(rt, since: datetime | None = None, department: str | None = None, caller: str | None = None,
              limit: int = 100) -> list[dict]:
    """Summaries, newest first, filtered by start time, department or caller."""
    with rt.sessions() as db:
        return list_summaries(db, since, department, caller, limit)


def summary(rt, sid: str) -> dict | None:
    """One call's summary."""
    with rt.sessions() as db:
        return get_summary(db, sid)
