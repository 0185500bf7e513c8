"""The wallboard: each line's departments now (callers waiting, the longest wait, callbacks waiting, agents by
presence) and today so far (the report's figures since the line's midnight), with each figure rated against the
department's target, for the supervisors' screen that refreshes every second.

The "now" half is read fresh on every refresh, in one Redis round trip and one database session whatever the
number of departments or callers (`store/realtime.py`); the "today" half is the reports' (`services/reports.py`),
whose queries take longer than a refresh may: every screen of a process is shown the figures last read, and a
refresh that finds them older than `TODAY_SECONDS` has them read again in the background (they move only when a
worker logs a finished call's events anyway). Agents' own queue panel is the console's (`console_view.py`),
unchanged.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from callflow.domain import wallboard as rating
from callflow.domain.wallboard import Target
from callflow.services import reports
from callflow.services.console_view import department_lines
from callflow.store import realtime
from callflow.store.presence import Presence

log = logging.getLogger(__name__)

TODAY_SECONDS = 1.0  # how long one process reuses today's figures (real seconds)
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
    queues, presence = realtime.Realtime(rt.redis).snapshot(departments, staff)
    today = _today(rt, scripts, now)
    lines = []
    for script in scripts:
        rows = [_department(dept_id, dept, queues.get(dept_id), callbacks.get(dept_id, 0), presence,
                            today.get(dept_id), now)
                for dept_id, dept in script.departments.items()]
        lines.append({"line": script.company, "numbers": list(script.numbers), "departments": rows,
                      "total": _total("line", f"All of {script.company}", rows, presence, now)})
    every = [row for line in lines for row in line["departments"]]
    return {"at": now, "today_from": _midnight(scripts[0] if scripts else None, now).isoformat(),
            "today_ready": today is not _NO_REPORT, "lines": lines,
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


# -- today so far: the reports' figures ------------------------------------------------------------------------

_NO_REPORT: dict = {}


class _Today:
    """One process's today's figures: what every refresh shows, read again in the background once older than
    `TODAY_SECONDS`, so no refresh waits for the report's queries (only the first one, with nothing to show)."""

    def __init__(self, figures: dict):
        self.figures, self.read_at, self.reading = figures, time.monotonic(), False


_today_of: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # rt -> _Today
_today_lock = threading.Lock()


def _midnight(script, now: float) -> datetime:
    """The start of the line's day, in its time zone (UTC without a script)."""
    zone = ZoneInfo(script.time_zone) if script is not None and script.time_zone else ZoneInfo("UTC")
    local = datetime.fromtimestamp(now, zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _today(rt, scripts, now: float) -> dict:
    """Department -> today's figures from the reports, since each line's midnight (`_NO_REPORT` while they
    cannot be read). `TODAY_SECONDS` 0 reads them afresh on every refresh."""
    with _today_lock:
        known = _today_of.get(rt)
        if known is not None and TODAY_SECONDS > 0:
            if time.monotonic() - known.read_at >= TODAY_SECONDS and not known.reading:
                known.reading = True
                threading.Thread(target=_read_again, args=(rt, known, scripts), daemon=True,
                                 name="wallboard-today").start()
            return known.figures
    figures = _read_today(rt, scripts, now)
    with _today_lock:
        _today_of[rt] = _Today(figures)
    return figures


def _read_again(rt, known: _Today, scripts) -> None:
    """Today's figures read in the background; what was shown stays until they are in."""
    figures = _NO_REPORT
    try:
        figures = _read_today(rt, scripts, rt.clock.timestamp())
    finally:
        with _today_lock:
            if figures is not _NO_REPORT or known.figures is _NO_REPORT:
                known.figures = figures
            known.read_at, known.reading = time.monotonic(), False


def _read_today(rt, scripts, now: float) -> dict:
    """The reports' figures by department (the board's "now" half must never go dark when they fail)."""
    figures: dict = {}
    try:
        end = datetime.fromtimestamp(now, UTC) + timedelta(seconds=1)
        for start, wanted in _days(scripts, now).items():
            report = reports.report(rt, start, end)
            for dept_id, values in _per_department(report).items():
                if dept_id in wanted:
                    figures[dept_id] = values
    except Exception:
        log.exception("today's figures could not be read; the wallboard shows the queues only")
        return _NO_REPORT
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
