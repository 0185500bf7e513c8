"""Holidays and one-off closures changed by form, written into the script's YAML with its comments kept.

A line's hours live in its script (so they travel with it through drafts, review and publication); editing
them by form must not turn the administrator's file into a machine's. A round-trip YAML parser keeps comments,
quoting and layout, and only the list that changed is rewritten. The result is a new text: the caller saves it
as a draft like any other edit, and the linter checks it like any other.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from callflow.domain.errors import FieldError


class HoursEditError(FieldError):
    """A change that cannot be made, with the form field at fault."""


@dataclass(frozen=True)
class HoursBlock:
    """One named set of opening hours as written: what the form shows."""

    name: str
    weekly: dict[str, str]
    holidays: list[str]
    closures: list[dict[str, str]]


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an administrator's long prompts
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str):
    try:
        data = _yaml().load(text)
    except YAMLError as error:
        raise HoursEditError("text", f"the script is not valid YAML; fix it in the editor first ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("hours"), dict):
        raise HoursEditError("text", "the script has no named hours: add an `hours:` section in the editor")
    return data


def blocks(text: str) -> list[HoursBlock]:
    """The named hours of a script (not `always`), as written."""
    found = []
    for name, block in _load(text)["hours"].items():
        if not isinstance(block, dict):
            continue
        weekly = {str(day): ", ".join(map(str, periods)) if isinstance(periods, list) else str(periods)
                  for day, periods in (block.get("weekly") or {}).items()}
        closures = [{k: str(v) for k, v in c.items()} for c in block.get("closures") or [] if isinstance(c, dict)]
        found.append(HoursBlock(str(name), weekly, [str(d) for d in block.get("holidays") or []], closures))
    return found


def _block(data, name: str):
    block = data["hours"].get(name)
    if not isinstance(block, dict):
        raise HoursEditError("block", f"no hours named {name!r}")
    return block


def _dump(data) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def add_holiday(text: str, name: str, day: str) -> str:
    """The text with a holiday (a whole day closed) added to the named hours, in date order."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise HoursEditError("day", "a date as YYYY-MM-DD") from None
    data = _load(text)
    block = _block(data, name)
    holidays = block.get("holidays")
    if holidays is None:
        holidays = block["holidays"] = CommentedSeq()
        holidays.fa.set_flow_style()
    if any(str(existing) == when.isoformat() for existing in holidays):
        raise HoursEditError("day", f"{when.isoformat()} is already a holiday")
    position = next((i for i, existing in enumerate(holidays) if str(existing) > when.isoformat()), len(holidays))
    holidays.insert(position, when)
    return _dump(data)


def remove_holiday(text: str, name: str, day: str) -> str:
    """The text without that holiday."""
    data = _load(text)
    holidays = _block(data, name).get("holidays") or []
    index = next((i for i, existing in enumerate(holidays) if str(existing) == day), None)
    if index is None:
        raise HoursEditError("day", f"{day} is not a holiday of {name}")
    del holidays[index]
    return _dump(data)


def add_closure(text: str, name: str, start: str, end: str, reason: str) -> str:
    """The text with a one-off closure [start, end) in local time added to the named hours."""
    try:
        begins, ends = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except ValueError:
        raise HoursEditError("start", "dates and times as YYYY-MM-DD HH:MM") from None
    if ends <= begins:
        raise HoursEditError("end", "the closure must end after it starts")
    data = _load(text)
    block = _block(data, name)
    closures = block.get("closures")
    if closures is None:
        closures = block["closures"] = CommentedSeq()
    entry = CommentedMap()
    entry["from"] = DoubleQuotedScalarString(begins.strftime("%Y-%m-%d %H:%M"))
    entry["to"] = DoubleQuotedScalarString(ends.strftime("%Y-%m-%d %H:%M"))
    if reason.strip():
        entry["reason"] = reason.strip()[:200]
    closures.append(entry)
    return _dump(data)
