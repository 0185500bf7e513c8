"""A contact centre's figures over a period, from the event log's counts (docs/reports.md defines each one).

The database only counts (`store/contact_events.py`: per department, bucket and kind); every definition the
trade argues about (what a short abandon is, which calls the service level counts, what AHT adds up) lives here,
in one place, tested by hand-computed figures. Intervals are the line's local hours and days: a day is midnight
to midnight where the centre is, even across a change of clock (a 23- or 25-hour day).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

INTERVALS = {"15m": 900, "hour": 3600, "day": 86400}
WAIT_BINS = (10, 20, 30, 45, 60, 90, 120, 180, 300, 600)  # upper edges (s) of the waits histogram's bins
ERROR_BINS = (-300, -120, -60, -30, -10, 10, 30, 60, 120, 300)  # edges (s) of actual wait minus promise
NO_DEPARTMENT = "(none)"  # events logged before the caller reached a department

FIGURES = ("offered", "answered", "abandoned", "short_abandoned", "abandoned_after_target",
           "answered_within_target", "service_level", "abandoned_percent", "asa_seconds", "aht_seconds",
           "talk_seconds", "wrap_up_seconds", "longest_wait_seconds", "transfers_out", "callbacks_requested",
           "callbacks_connected", "callbacks_connected_percent", "promises_made", "promises_kept", "promises_broken",
           "promise_kept_percent", "contacts", "first_time_right", "first_time_right_percent", "surveys",
           "csat_average")


@dataclass
class KindStats:
    """What the log holds for one kind of event in one department and interval (a row of `kind_totals`)."""

    count: int = 0
    seconds_sum: float = 0.0
    seconds_count: int = 0
    seconds_max: float | None = None
    figure_sum: float = 0.0
    figure_count: int = 0
    within_target: int = 0
    short: int = 0
    after_target: int = 0

    @classmethod
    def of(cls, row: dict) -> KindStats:
        return cls(**{f.name: row.get(f.name) or (None if f.name == "seconds_max" else 0) for f in fields(cls)})

    def add(self, other: KindStats) -> None:
        for f in fields(self):
            if f.name == "seconds_max":
                if other.seconds_max is not None:
                    self.seconds_max = max(self.seconds_max or other.seconds_max, other.seconds_max)
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


Tally = dict[str, KindStats]  # kind -> its stats


def merge(into: Tally, other: Tally) -> Tally:
    """Add one tally to another (a department's intervals, the line's departments)."""
    for kind, stats in other.items():
        into.setdefault(kind, KindStats()).add(stats)
    return into


def _ratio(part: float, whole: float, scale: float = 1.0) -> float | None:
    return part * scale / whole if whole else None


def figures(tally: Tally) -> dict:
    """The report's figures for one department (or the line) and one interval (or the period)."""
    def of(kind: str) -> KindStats:
        return tally.get(kind) or KindStats()

    answered, abandoned = of("answered"), of("abandoned")
    talk, wrap_up = of("talk-ended").seconds_sum, of("wrap-up").seconds_sum
    offered = of("queued").count
    left = abandoned.count - abandoned.short  # abandons that count: the short ones are left out
    waits = [w for w in (answered.seconds_max, abandoned.seconds_max) if w is not None]
    kept, broken = of("promise-kept").count, of("promise-broken").count
    contacts = of("contact-ended")
    requested, connected = of("callback-requested").count, of("callback-connected").count
    return {
        "offered": offered,
        "answered": answered.count,
        "abandoned": left,
        "short_abandoned": abandoned.short,
        "abandoned_after_target": abandoned.after_target,
        "answered_within_target": answered.within_target,
        "service_level": _ratio(answered.within_target, answered.count + abandoned.after_target, 100),
        "abandoned_percent": _ratio(left, answered.count + left, 100),
        "asa_seconds": _ratio(answered.seconds_sum, answered.count),
        "aht_seconds": _ratio(talk + wrap_up, answered.count),
        "talk_seconds": talk,
        "wrap_up_seconds": wrap_up,
        "longest_wait_seconds": max(waits) if waits else None,
        "transfers_out": of("transferred").count,
        "callbacks_requested": requested,
        "callbacks_connected": connected,
        "callbacks_connected_percent": _ratio(connected, requested, 100),
        "promises_made": of("promise-made").count,
        "promises_kept": kept,
        "promises_broken": broken,
        "promise_kept_percent": _ratio(kept, kept + broken, 100),
        "contacts": contacts.count,
        "first_time_right": int(contacts.figure_sum),
        "first_time_right_percent": _ratio(contacts.figure_sum, contacts.count, 100),
        "surveys": of("survey").figure_count,
        "csat_average": _ratio(of("survey").figure_sum, of("survey").figure_count),
    }


def boundaries(start: datetime, end: datetime, interval: str | None, zone: ZoneInfo) -> list[int]:
    """Where the report's intervals start (epochs): local quarter hours, hours or midnights in `zone`, the first
    at or before `start`, every one before `end`; the period alone when there is no interval."""
    if interval is None:
        return [int(start.timestamp())]
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}, not {interval!r}")
    local = start.astimezone(zone)
    if interval == "day":
        day, found = local.date(), []
        while True:
            midnight = int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())
            if midnight >= end.timestamp():
                return found
            found.append(midnight)
            day += timedelta(days=1)
    minutes = local.minute - local.minute % 15 if interval == "15m" else 0
    first = int(local.replace(minute=minutes, second=0, microsecond=0).timestamp())
    return list(range(first, math.ceil(end.timestamp()), INTERVALS[interval])) or [first]


def sql_buckets(bounds: list[int], interval: str | None) -> tuple[int | None, int]:
    """How the database should bucket `epoch` (size, offset) so each bucket lies in one interval: the
    interval itself when the intervals are all of one length (no change of clock in the period), else quarter
    hours (every time zone's offset is a whole number of them) folded into local intervals here."""
    if interval is None:
        return None, 0
    size = INTERVALS[interval]
    if all(b - a == size for a, b in pairwise(bounds)):
        return size, (-bounds[0]) % size
    return INTERVALS["15m"], 0


def tallies(kind_rows: list[dict], bounds: list[int]) -> dict[tuple[str, int], Tally]:
    """The rows of `kind_totals` gathered by (department, index of the interval their bucket lies in)."""
    found: dict[tuple[str, int], Tally] = {}
    for row in kind_rows:
        index = max(0, bisect_right(bounds, row["bucket"]) - 1) if len(bounds) > 1 else 0
        tally = found.setdefault((row["department"] or NO_DEPARTMENT, index), {})
        tally.setdefault(row["kind"], KindStats()).add(KindStats.of(row))
    return found


def interval_label(epoch: int, zone: ZoneInfo) -> str:
    """An interval's start as local ISO 8601 time with its offset."""
    return datetime.fromtimestamp(epoch, zone).isoformat()


def build_report(kind_rows: list[dict], bounds: list[int], interval: str | None, zone: ZoneInfo,
                 departments: list[str]) -> dict:
    """Figures per department and for the line, for the period and per interval.

    `departments` are always listed (with zeros when quiet); others found in the log are added after them."""
    found = tallies(kind_rows, bounds)
    names = list(departments) + sorted({d for d, _ in found} - set(departments))
    line: Tally = {}
    per_department: dict[str, Tally] = {name: {} for name in names}
    by_interval: list[Tally] = [{} for _ in bounds]
    for (department, index), tally in found.items():
        merge(per_department[department], tally)
        merge(by_interval[index], tally)
        merge(line, tally)
    labels = [interval_label(b, zone) for b in bounds] if interval else [None]
    rows = []
    if interval:
        for name in names:
            rows += [{"department": name, "interval": labels[i], **figures(found.get((name, i), {}))}
                     for i in range(len(bounds))]
    return {
        "departments": {name: figures(tally) for name, tally in per_department.items()},
        "totals": figures(line),
        "rows": rows,
        "totals_by_interval": [{"interval": labels[i], **figures(t)} for i, t in enumerate(by_interval)]
        if interval else [],
    }


def transfer_table(transfer_rows: list[dict]) -> list[dict]:
    """Transfers as a from -> to table (misroutes feed steering), most frequent first."""
    table: dict[tuple[str, str], dict] = {}
    for row in transfer_rows:
        key = (row["from"] or NO_DEPARTMENT, row.get("to") or NO_DEPARTMENT)
        entry = table.setdefault(key, {"from": key[0], "to": key[1], "transfers": 0, "warm": 0, "cold": 0})
        entry["transfers"] += row["count"]
        entry["warm" if row.get("warm") else "cold"] += row["count"]
    return sorted(table.values(), key=lambda e: (-e["transfers"], e["from"], e["to"]))


def _bin_labels(edges: tuple[int, ...]) -> list[str]:
    return ([f"< {edges[0]} s"] + [f"{a} to {b} s" for a, b in pairwise(edges)]
            + [f">= {edges[-1]} s"])


def estimate_error(promise_rows: list[dict]) -> dict:
    """How honest the promised waits were: each settled promise's error is the wait since the promise minus
    the promise (positive: the caller waited longer than told)."""
    count = sum(r["count"] for r in promise_rows)
    bins = [0] * (len(ERROR_BINS) + 1)
    for row in promise_rows:
        bins[row["bin"]] += row["count"]

    def total(name: str) -> float:
        return sum(r[name] or 0 for r in promise_rows)

    return {
        "promises": count,
        "kept": sum(r["count"] for r in promise_rows if r["kind"] == "promise-kept"),
        "broken": sum(r["count"] for r in promise_rows if r["kind"] == "promise-broken"),
        "mean_promised_seconds": _ratio(total("promised_sum"), count),
        "mean_waited_seconds": _ratio(total("waited_sum"), count),
        "mean_error_seconds": _ratio(total("error_sum"), count),
        "mean_absolute_error_seconds": _ratio(total("abs_error_sum"), count),
        "bins": [{"error": label, "promises": n} for label, n in zip(_bin_labels(ERROR_BINS), bins, strict=True)],
    }


def waits_histogram(wait_rows: list[dict]) -> list[dict]:
    """Answered and abandoned waits (short abandons included) in bins of WAIT_BINS."""
    answered = [0] * (len(WAIT_BINS) + 1)
    abandoned = [0] * (len(WAIT_BINS) + 1)
    for row in wait_rows:
        (answered if row["kind"] == "answered" else abandoned)[row["bin"]] += row["count"]
    return [{"wait": label, "answered": a, "abandoned": b}
            for label, a, b in zip(_bin_labels(WAIT_BINS), answered, abandoned, strict=True)]


def as_json(report: dict) -> str:
    """The report as JSON (None as null, figures unrounded)."""
    return json.dumps(report, indent=2, sort_keys=False)
