"""The wallboard: each line's departments now (callers waiting, the longest wait, callbacks waiting, agents by
presence) and today so far (the report's figures since the line's midnight), with each figure rated against the
department's target, for the supervisors' screen that refreshes every second.

The "now" half is read fresh on every refresh, in one Redis round trip and one database session whatever the
number of departments or callers (`store/realtime.py`). The "today" half is the reports' (`services/reports.py`),
whose queries take longer than a refresh may: a worker reads it for the whole centre (`refresh_today`, job
`refresh_wallboard_today`) and shares it through Redis (`store/wallboard_today.py`), and a refresh reads it in
that same round trip, never running the reports' queries itself. A refresh that finds the figures older than
`TODAY_SECONDS` asks a worker for new ones (one job for every screen of every process) and shows the last ones
meanwhile, with the clock time they are of (`today_at`): while anyone watches they move about every second,
and nobody watching costs nothing. Agents' own queue panel is the console's (`console_view.py`), unchanged.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from callflow.domain import wallboard as rating
from callflow.domain.wallboard import Target
from callflow.services import queued, reports
from callflow.services.console_view import department_lines
from callflow.store import realtime, wallboard_today
from callflow.store.presence import Presence
from callflow.store.wallboard_today import ASKED_SECONDS, Today

log = logging.getLogger(__name__)

TODAY_SECONDS = 1.0  # real seconds today's figures count as fresh before a refresh asks a worker for new ones
AGENT_STATES = {Presence.AVAILABLE.value: "available", Presence.OFFERED.value: "ringing",
                Presence.ON_CALL.value: "on_call", Presence.WRAP_UP.value: "wrap_up", Presence.AWAY.value: "away"}
# Today's counts that add up over departments; the rates are worked out again from the sums.
COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "answered_within_target", "transfers_out",
          "callbacks_requested", "callbacks_connected", "promises_made", "promises_kept", "first_time_right",
          "abandoned_after_target", "contacts", "promises_broken")
SECONDS = ("answered_seconds", "handled_seconds")  # waits of answered calls, and their handling, added up


def board(rt) -> dict:
    """Every line in service: its departments and its total, now and today, with targets and ratings."""
    now = rt.clock.timestamp()
    scripts = sorted(rt.scripts.current.values(), key=lambda script: script.company.lower())
    departments = list(department_lines(scripts))
    with rt.sessions() as db:
        staff = realtime.staff(db)
        callbacks = realtime.callbacks_waiting(db)
    queues, presence, stored, ask = realtime.Realtime(rt.redis).snapshot(departments, staff)
    if ask:
        _ask_for_today(rt)
    today = stored.departments if stored is not None else {}
    lines = []
    for script in scripts:
        rows = [_department(dept_id, dept, queues.get(dept_id), callbacks.get(dept_id, 0), presence,
                            today.get(dept_id), now)
                for dept_id, dept in script.departments.items()]
        lines.append({"line": script.company, "numbers": list(script.numbers), "departments": rows,
                      "total": _total("line", f"All of {script.company}", rows, presence, now)})
    every = [row for line in lines for row in line["departments"]]
    return {"at": now, "today_from": _midnight(scripts[0] if scripts else None, now).isoformat(),
            "today_ready": stored is not None, "today_at": stored.at if stored is not None else None,
            "lines": lines,
            "total": _total("centre", "Whole centre", every, presence, now)}


def _department(dept_id: str, dept, queue, callbacks: int, presence, today: dict | None, now: float) -> dict:
    """One department's row."""
    target = Target(dept.service_level.percent, dept.service_level.seconds)
    waiting_now = {"waiting": queue.callers if queue else 0,
                   "longest_wait": _waited(queue.oldest_entered_at if queue else None, now),
                   "callbacks_waiting": callbacks,
                   "agents": _agents([member for member in presence if dept_id in member.departments])}
    figures = _figures(today or {})
    return {"id": dept_id, "name": dept.name, "target": {"percent": target.percent, "seconds": target.seconds},
            "now": waiting_now, "today": figures, "ratings": rating.ratings(waiting_now, figures, target)}


def _total(key: str, name: str, rows: list[dict], presence, now: float) -> dict:
    """A line's or the centre's total over its departments' rows (each agent counted once)."""
    served = {row["id"] for row in rows}
    longest = [row["now"]["longest_wait"] for row in rows if row["now"]["longest_wait"] is not None]
    waiting_now = {"waiting": sum(row["now"]["waiting"] for row in rows),
                   "longest_wait": max(longest, default=None),
                   "callbacks_waiting": sum(row["now"]["callbacks_waiting"] for row in rows),
                   "agents": _agents([m for m in presence if served.intersection(m.departments)])}
    raw = {count: sum(row["today"][count] for row in rows) for count in (*COUNTS, *SECONDS)}
    raw["longest_wait_seconds"] = max((row["today"]["longest_wait_seconds"] or 0 for row in rows), default=0)
    return {"id": key, "name": name, "target": None, "now": waiting_now, "today": _figures(raw),
            "ratings": rating.worst([row["ratings"] for row in rows])}


def _agents(members) -> dict[str, int]:
    """How many agents are in each presence."""
    counts = dict.fromkeys(AGENT_STATES.values(), 0)
    for member in members:
        counts[AGENT_STATES.get(member.state, "away")] += 1
    return counts


def _waited(entered_at: float | None, now: float) -> float | None:
    return None if entered_at is None else max(0.0, now - entered_at)


def _percent(part: float | None, whole: float | None) -> float | None:
    return None if not whole else 100.0 * (part or 0) / whole


def _figures(raw: dict) -> dict:
    """Today's figures as the wallboard shows them, from the report's for one department or from departments'
    sums: the counts, and the rates worked out from them as `docs/reports.md` defines them (the report's own
    rate is taken where it gives one, so the board and the report never disagree)."""
    figures = {count: raw.get(count) or 0 for count in COUNTS}
    answered = figures["answered"]
    waits = raw["answered_seconds"] if "answered_seconds" in raw else (raw.get("asa_seconds") or 0) * answered
    handled = raw["handled_seconds"] if "handled_seconds" in raw else (raw.get("aht_seconds") or 0) * answered

    def rate(name: str, part: str, whole: float):
        return raw[name] if raw.get(name) is not None else _percent(figures[part], whole)

    figures.update(
        abandoned_percent=rate("abandoned_percent", "abandoned", answered + figures["abandoned"]),
        service_level=rate("service_level", "answered_within_target",
                           answered + figures["abandoned_after_target"]),
        asa_seconds=waits / answered if answered else None,
        aht_seconds=handled / answered if answered else None,
        answered_seconds=waits, handled_seconds=handled,
        longest_wait_seconds=raw.get("longest_wait_seconds"),
        promises_kept_percent=rate("promise_kept_percent", "promises_kept",
                                   figures["promises_kept"] + figures["promises_broken"]),
        first_time_right_percent=rate("first_time_right_percent", "first_time_right", figures["contacts"]),
        callbacks_connected_percent=rate("callbacks_connected_percent", "callbacks_connected",
                                         figures["callbacks_requested"]))
    return figures


# -- today so far: the reports' figures, read by a worker for the whole centre ----------------------------------

def _ask_for_today(rt) -> None:
    """Queue the worker's job that reads today's figures (this refresh won the mark: no other one is asking)."""
    try:
        queued.enqueue(rt, "refresh_wallboard_today", result_ttl=0, failure_ttl=600, ttl=ASKED_SECONDS,
                       description="the wallboard's figures of today")
    except Exception:
        wallboard_today.unanswered(rt.redis)  # the next refresh asks again
        raise


def refresh_today(rt) -> bool:
    """Read today's figures by department from the reports and share them with every wallboard (the worker's
    job); False when they could not be read (the last ones stay up, the board's "now" half is unaffected).

    They stay fresh until `TODAY_SECONDS` after this read began, so screens see them move every second; a
    read slower than that keeps them fresh as long again, so the job never takes more than half a worker."""
    started, now = time.monotonic(), rt.clock.timestamp()
    try:
        figures = _read_today(rt, list(rt.scripts.current.values()), now)
    except Exception:
        log.exception("today's figures could not be read; the wallboard keeps the last ones")
        wallboard_today.unanswered(rt.redis)
        return False
    took = time.monotonic() - started
    wallboard_today.save(rt.redis, Today(figures, now), max(TODAY_SECONDS - took, took))
    return True


def _midnight(script, now: float) -> datetime:
    """The start of the line's day, in its time zone (UTC without a script)."""
    zone = ZoneInfo(script.time_zone) if script is not None and script.time_zone else ZoneInfo("UTC")
    local = datetime.fromtimestamp(now, zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _read_today(rt, scripts, now: float) -> dict:
    """The reports' figures by department, since each line's midnight."""
    figures: dict = {}
    end = datetime.fromtimestamp(now, UTC) + timedelta(seconds=1)
    for start, wanted in _days(scripts, now).items():
        report = reports.report(rt, start, end, figures_only=True)
        for dept_id, values in _per_department(report).items():
            if dept_id in wanted:
                figures[dept_id] = values
    return figures


def _days(scripts, now: float) -> dict[datetime, set[str]]:
    """Each distinct start of day (lines in different time zones) -> the departments it is the day of."""
    days: dict[datetime, set[str]] = {}
    for script in scripts:
        days.setdefault(_midnight(script, now), set()).update(script.departments)
    return days


def _per_department(report: dict) -> dict[str, dict]:
    """The report's figures by department."""
    departments = report.get("departments", report)
    if isinstance(departments, list):
        return {row.get("department"): row for row in departments if isinstance(row, dict)}
    return {key: value for key, value in departments.items() if isinstance(value, dict)}
