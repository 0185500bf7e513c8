"""Reports over any period: the event log counted in the database, the figures computed by the domain.

The command (`callflow report`), the reports page and the wallboard (today's figures) all call `report`. The
departments, their service-level targets and the time zone of days and hours come from the scripts in service,
so a report always judges a department by the target its script states now.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from callflow.domain import reports
from callflow.store import contact_events

DEFAULT_TARGET_SECONDS = 60  # ServiceLevel's default, for departments no script names any more
DEFAULT_TARGET_PERCENT = 80


class ReportInvalid(ValueError):
    """A report asked for with a bad period, interval or department; `option` names what to fix."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def line_departments(rt) -> dict[str, dict]:
    """Every line's departments: id -> name, service-level target (seconds, percent) and the line's time zone
    (the first line that names it, in file order)."""
    found: dict[str, dict] = {}
    for _, script in sorted(rt.scripts.current.items()):
        for department in script.departments.values():
            found.setdefault(department.id, {
                "name": department.name, "target_seconds": department.service_level.seconds,
                "target_percent": department.service_level.percent, "time_zone": script.time_zone})
    return found


def report_zone(rt, known: dict[str, dict], department: str | None) -> ZoneInfo:
    """Days and hours are local to the department's line, or to the default line for the whole centre."""
    if department and department in known:
        return ZoneInfo(known[department]["time_zone"])
    script = rt.scripts.for_number("")
    return ZoneInfo(script.time_zone if script is not None else "UTC")


def report(rt, start: datetime, end: datetime, department: str | None = None, interval: str | None = None,
           short_abandon_seconds: float = 5, *, figures_only: bool = False) -> dict:
    """The figures per department and for the whole line over [start, end) (naive times are the line's local
    time), per interval (`15m`, `hour`, `day`) when one is given, with transfers, estimate error and waits.

    `result["departments"][id]` and `result["totals"]` are the whole period's figures (see docs/reports.md);
    `result["rows"]` and `result["totals_by_interval"]` the intervals'. `figures_only` leaves out the transfers,
    estimate error and waits (three more reads of the period), for a caller that shows the figures alone."""
    if interval is not None and interval not in reports.INTERVALS:
        raise ReportInvalid("interval", f"interval must be one of {', '.join(reports.INTERVALS)}, not {interval!r}")
    if short_abandon_seconds < 0:
        raise ReportInvalid("short-abandon", "the short abandon threshold cannot be negative")
    known = line_departments(rt)
    if department and department not in known:
        raise ReportInvalid("department", f"no department {department!r} on any line")
    zone = report_zone(rt, known, department)
    start, end = (t if t.tzinfo else t.replace(tzinfo=zone) for t in (start, end))
    if end <= start:
        raise ReportInvalid("to", f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    bounds = reports.boundaries(start, end, interval, zone)
    size, offset = reports.sql_buckets(bounds, interval)
    first, last = int(start.timestamp()), int(end.timestamp())
    targets = {d: info["target_seconds"] for d, info in known.items()}
    with rt.sessions() as session:
        count_rows = contact_events.period_counts(
            session, first, last, department=department, bucket_seconds=size, bucket_offset=offset,
            targets=targets, default_target=DEFAULT_TARGET_SECONDS, short_abandon_seconds=short_abandon_seconds)
        if not figures_only:
            transfer_rows = contact_events.transfer_counts(session, first, last, department)
            promise_rows = contact_events.promise_errors(session, first, last, department)
            wait_rows = contact_events.wait_bins(session, first, last, department)
    listed = [department] if department else list(known)
    result = reports.build_report(count_rows, bounds, interval, zone, listed)
    result["period"] = {"from": start.isoformat(), "to": end.isoformat(), "interval": interval,
                        "department": department, "time_zone": zone.key,
                        "short_abandon_seconds": short_abandon_seconds}
    result["targets"] = {d: {"seconds": known.get(d, {}).get("target_seconds", DEFAULT_TARGET_SECONDS),
                             "percent": known.get(d, {}).get("target_percent", DEFAULT_TARGET_PERCENT),
                             "name": known.get(d, {}).get("name", d)} for d in result["departments"]}
    if not figures_only:
        result["transfers"] = reports.transfer_table(transfer_rows)
        result["estimate_error"] = reports.estimate_error(promise_rows)
        result["waits"] = reports.waits_histogram(wait_rows)
    return result


def department_names(rt) -> dict[str, str]:
    """Department id -> name, for the reports page's choice of department."""
    return {d: info["name"] for d, info in line_departments(rt).items()}
