"""Reading a script's opening hours: time zones, weekly periods, holidays and closures, each mistake a problem.

Apart from the rest of the conversion (`convert.py`) because hours are a language of their own (periods that
run past midnight, named hours shared by departments, closures in local time) and are read in two places: the
script's named `hours:` and each department's own.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from callflow.domain.script.model import WEEKDAYS, Closure, Hours, Period
from callflow.domain.script.nodes import NodeReader

PERIOD = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])\s*-\s*([01][0-9]|2[0-4]):([0-5][0-9])$")
ALWAYS = "always"


def read_time_zone(reader: NodeReader, node: yaml.Node | None, field: str) -> str | None:
    """An IANA time zone's name, or None (a problem when it names no zone)."""
    name = reader.text(node, field)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(node, field, f"unknown time zone '{name}'; use an IANA name like Europe/London")
        return None
    return name


def read_hours(
    reader: NodeReader, node: yaml.Node, field: str, time_zone: str, named: dict[str, Hours | None]
) -> Hours | None:
    """Hours: 'always', the name of the script's named hours (`named`), or weekly periods, holidays and closures."""
    if isinstance(node, yaml.ScalarNode):
        name = reader.text(node, field)
        if name == ALWAYS:
            return Hours(time_zone, always_open=True)
        if name in named:
            return named[name]
        reader.problem(node, field, f"unknown hours '{name}'; define it under 'hours:' or write 'always'")
        return None
    spec = reader.mapping(node, field, ("time_zone", "weekly", "holidays", "closures"))
    if spec is None:
        return None
    zone = read_time_zone(reader, spec.get("time_zone"), f"{field}.time_zone") or time_zone
    weekly: list[list[Period]] = [[] for _ in WEEKDAYS]
    for day, day_node in (
        (reader.mapping(spec["weekly"], f"{field}.weekly", WEEKDAYS) or {}).items()
        if "weekly" in spec
        else ()
    ):
        index = WEEKDAYS.index(day)
        for text, item in reader.text_list(day_node, f"{field}.weekly.{day}"):
            if text == "closed":
                continue
            match = PERIOD.match(text)
            start = int(match[1]) * 60 + int(match[2]) if match else -1
            end = int(match[3]) * 60 + int(match[4]) if match else -1
            if not match or start > 1440 or end > 1440 or start == end:
                reader.problem(item, f"{field}.weekly.{day}", f"'{text}' is not a period like 08:00-18:00")
            elif end > start:
                weekly[index].append(Period(start, end))
            else:  # overnight: runs past midnight into the next day
                weekly[index].append(Period(start, 1440))
                weekly[(index + 1) % 7].append(Period(0, end))
    holidays = []
    for text, item in reader.text_list(spec.get("holidays"), f"{field}.holidays"):
        day = _date(text)
        if day is None:
            reader.problem(item, f"{field}.holidays", f"'{text}' is not a date like 2025-12-25")
        else:
            holidays.append(day)
    closures = []
    for i, item in enumerate(reader.items(spec.get("closures"), f"{field}.closures")):
        closure = _closure(reader, item, f"{field}.closures.{i}")
        if closure:
            closures.append(closure)
    return Hours(
        zone, tuple(tuple(sorted(p, key=lambda p: p.start)) for p in weekly), tuple(holidays), tuple(closures)
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _closure(reader: NodeReader, node: yaml.Node, field: str) -> Closure | None:
    spec = reader.mapping(node, field, ("from", "to", "reason"), required=("from", "to"))
    if not spec or "from" not in spec or "to" not in spec:
        return None
    bounds = []
    for key in ("from", "to"):
        text = reader.text(spec[key], f"{field}.{key}") or ""
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            reader.problem(spec[key], f"{field}.{key}", f"'{text}' is not a date or 'YYYY-MM-DD HH:MM'")
            return None
        if moment.tzinfo is not None:
            reader.problem(spec[key], f"{field}.{key}", "write local time without an offset")
            return None
        # A bare date in 'to' means the whole of that day is closed.
        if key == "to" and len(text) == 10:
            moment += timedelta(days=1)
        bounds.append(moment)
    if bounds[1] <= bounds[0]:
        reader.problem(node, f"{field}.to", "the closure ends before it starts")
        return None
    return Closure(bounds[0], bounds[1], reader.text(spec.get("reason"), f"{field}.reason", ""))
