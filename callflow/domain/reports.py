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
from datetime import datetime, timedelta
from functools import partial, reduce
from itertools import pairwise
from operator import add, itemgetter
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


KINDS = ("queued", "answered", "abandoned", "talk-ended", "wrap-up", "transferred", "callback-requested",
         "callback-connected", "promise-made", "promise-kept", "promise-broken", "contact-ended", "survey")
# What the database counts per department and bucket (`store.contact_events.period_counts`): events of each
# kind, then sums and the longest waits; the ones ending in _max add up as a maximum.
COUNTS = KINDS + ("answered_wait", "answered_wait_max", "abandoned_wait_max", "answered_within_target",
                  "abandoned_short", "abandoned_after_target", "talk", "wrap_up", "first_time_right",
                  "survey_score", "surveys")
MAXIMA = frozenset(name for name in COUNTS if name.endswith("_max"))

Counts = dict[str, float]  # a name of COUNTS -> its value (absent: 0, or no maximum)
Vector = tuple  # counts in the order of COUNTS: absent ones 0, maxima with nothing to measure _NO_WAIT
_MAX_AT = tuple(COUNTS.index(name) for name in sorted(MAXIMA))
_NO_WAIT = -1.0  # a maximum with nothing to measure, while counts are added up as vectors
_EVERY_COUNT = itemgetter(*COUNTS)
_added_up = partial(reduce, add)

# A month by quarter hours is 22,000 rows of counts and 26,000 rows of figures: the counts stay tuples of
# numbers (which the garbage collector stops watching) and are added up only where quarter hours fold into a
# local hour or day, or into a department's or the line's total.


def _vector(row: dict) -> Vector:
    """A row's counts in the order of COUNTS."""
    try:
        values = _EVERY_COUNT(row)
    except KeyError:  # a row written by hand names only some counts
        values = tuple(map(row.get, COUNTS))
    vector = [value or 0 for value in values]
    for i in _MAX_AT:
        vector[i] = _NO_WAIT if values[i] is None else values[i]
    return tuple(vector)


def _total(vectors: list[Vector]) -> Vector | None:
    """Vectors added up one after the other in the order given (so floats add up alike on every Python, which
    `sum` does not promise), the maxima as maxima; None for none."""
    if len(vectors) < 2:
        return vectors[0] if vectors else None
    columns = list(zip(*vectors, strict=True))
    total = list(map(_added_up, columns))
    for i in _MAX_AT:
        total[i] = max(columns[i])
    return tuple(total)


def _figures(vector: Vector) -> dict:
    """The figures of a vector of counts: the report's definitions (docs/reports.md), in the order of FIGURES.
    A ratio with nothing to divide by is None; ratios are worked out inline (26,000 rows a month by quarter
    hours)."""
    (queued, answered, abandoned, _, _, transferred, requested, connected, made, kept, broken, contacts, _,
     answered_wait, answered_wait_max, abandoned_wait_max, within, short, after_target, talk, wrap_up, right,
     score, surveys) = vector
    left = abandoned - short  # abandons that count: the short ones are left out
    waits = [w for w in (answered_wait_max, abandoned_wait_max) if w != _NO_WAIT]
    talk, wrap_up, right = talk or 0, wrap_up or 0, right or 0
    judged, ended, settled = answered + after_target, answered + left, kept + broken  # the ratios' denominators
    return {
        "offered": queued,
        "answered": answered,
        "abandoned": left,
        "short_abandoned": short,
        "abandoned_after_target": after_target,
        "answered_within_target": within,
        "service_level": within * 100 / judged if judged else None,
        "abandoned_percent": left * 100 / ended if ended else None,
        "asa_seconds": (answered_wait or 0) / answered if answered else None,
        "aht_seconds": (talk + wrap_up) / answered if answered else None,
        "talk_seconds": talk,
        "wrap_up_seconds": wrap_up,
        "longest_wait_seconds": max(waits) if waits else None,
        "transfers_out": transferred,
        "callbacks_requested": requested,
        "callbacks_connected": connected,
        "callbacks_connected_percent": connected * 100 / requested if requested else None,
        "promises_made": made,
        "promises_kept": kept,
        "promises_broken": broken,
        "promise_kept_percent": kept * 100 / settled if settled else None,
        "contacts": contacts,
        "first_time_right": int(right),
        "first_time_right_percent": right * 100 / contacts if contacts else None,
        "surveys": surveys,
        "csat_average": (score or 0) / surveys if surveys else None,
    }


def _ratio(part: float, whole: float, scale: float = 1.0) -> float | None:
    return part * scale / whole if whole else None


def figures(counts: Counts) -> dict:
    """The report's figures for one department (or the line) and one interval (or the period)."""
    return _figures(_vector(counts))


_NOTHING = figures({})  # the figures of a quiet interval or department, copied into every quiet row


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


def gathered(count_rows: list[dict], bounds: list[int]) -> dict[tuple[str, int], Vector]:
    """The rows of `period_counts` added up by (department, index of the interval their bucket lies in)."""
    found: dict[tuple[str, int], Vector] = {}
    several = len(bounds) > 1
    for row in count_rows:
        index = max(0, bisect_right(bounds, row["bucket"]) - 1) if several else 0
        key = (row["department"] or NO_DEPARTMENT, index)
        earlier = found.get(key)
        found[key] = _vector(row) if earlier is None else _total([earlier, _vector(row)])
    return found


def interval_label(epoch: int, zone: ZoneInfo) -> str:
    """An interval's start as local ISO 8601 time with its offset."""
    return datetime.fromtimestamp(epoch, zone).isoformat()


def build_report(count_rows: list[dict], bounds: list[int], interval: str | None, zone: ZoneInfo,
                 departments: list[str]) -> dict:
    """Figures per department and for the line, for the period and per interval.

    `departments` are always listed in the period's figures (with zeros when quiet), and others found in the
    log after them; the intervals' rows list the departments the log names in the period. Figures are worked
    out only where there are counts: a quiet interval's row is a copy of one set of zeros."""
    found = gathered(count_rows, bounds)
    active = {d for d, _ in found}
    names = list(departments) + sorted(active - set(departments))
    of_department: dict[str, list[Vector]] = {name: [] for name in names}
    of_interval: list[list[Vector]] = [[] for _ in bounds]
    for (department, index), vector in found.items():
        of_department[department].append(vector)
        of_interval[index].append(vector)
    per_department = {name: _total(vectors) for name, vectors in of_department.items()}
    line = _total([vector for vector in per_department.values() if vector is not None])
    result = {
        "departments": {name: dict(_figures_or_zeros(vector)) for name, vector in per_department.items()},
        "totals": dict(_figures_or_zeros(line)),
        "rows": [],
        "totals_by_interval": [],
    }
    if interval:
        labels = [interval_label(b, zone) for b in bounds]
        for name in (name for name in names if name in active):
            result["rows"] += [{"department": name, "interval": label, **_figures_or_zeros(found.get((name, i)))}
                               for i, label in enumerate(labels)]
        result["totals_by_interval"] = [{"interval": label, **_figures_or_zeros(_total(vectors))}
                                        for label, vectors in zip(labels, of_interval, strict=True)]
    return result


def _figures_or_zeros(vector: Vector | None) -> dict:
    """The figures of `vector`, or the shared zeros (to copy, never to change) when there is none."""
    return _figures(vector) if vector else _NOTHING


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
