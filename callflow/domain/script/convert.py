"""Turning a script's YAML node tree into the model, one field at a time, with a problem for each mistake.

Only shape and field types are checked here; references between parts (menus, departments,
operator) are the semantic checks' business (`checks.py`), so one pass sees the whole script.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from callflow.domain.script.model import (
    DEFAULT_MESSAGES,
    WEEKDAYS,
    AfterCall,
    CallbackFirst,
    CallbackPolicy,
    ClosedAction,
    Closure,
    Department,
    HoldPolicy,
    Hours,
    InputMode,
    Menu,
    Option,
    OptionKind,
    Period,
    RetryPolicy,
    Script,
    ServiceLevel,
    WhenClosed,
)
from callflow.domain.script.nodes import NodeReader

TOP_KEYS = (
    "version",
    "line",
    "company",
    "voice",
    "language",
    "time_zone",
    "operator",
    "safe_route",
    "main_menu",
    "retries",
    "after_call",
    "callbacks",
    "hold",
    "messages",
    "hours",
    "departments",
    "menus",
)
DEPARTMENT_KEYS = (
    "name",
    "queue",
    "topic",
    "hours",
    "when_closed",
    "service_level",
    "wrap_up_seconds",
    "overflow_number",
    "max_queue",
    "phrases",
    "callback_first",
)
TARGET_KEYS = ("menu", "department", "message", "dial", "hangup")
PERIOD = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])\s*-\s*([01][0-9]|2[0-4]):([0-5][0-9])$")
ALWAYS = "always"
HOLD_MUSIC_URL = re.compile(r"^https?://[^\s]+$")
HOLD_MUSIC_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.wav$")  # as callflow.domain.hold_music.FILE_NAME


def convert(root: yaml.Node, reader: NodeReader, version: str) -> Script | None:
    """Build a Script from the root node, or None when the shape is too broken to go on."""
    top = reader.mapping(root, "", TOP_KEYS, required=("company", "time_zone", "departments", "menus"))
    if top is None:
        return None
    reader.integer(top.get("version"), "version", 1, 1, 1)
    time_zone = _time_zone(reader, top.get("time_zone"), "time_zone") or "UTC"
    line = reader.mapping(top["line"], "line", ("numbers", "default")) if "line" in top else {}
    line = line or {}
    numbers = [
        reader.phone(n, f"line.numbers.{i}")
        for i, n in enumerate(_items(reader, line.get("numbers"), "line.numbers"))
    ]
    named_hours = {}
    for name, node in (reader.mapping(top["hours"], "hours") or {}).items() if "hours" in top else ():
        named_hours[name] = _hours(reader, node, f"hours.{name}", time_zone, {})
    departments = {}
    for dept_id, node in (reader.mapping(top.get("departments"), "departments") or {}).items():
        if reader.identifier(node, dept_id, f"departments.{dept_id}"):
            department = _department(reader, dept_id, node, time_zone, named_hours)
            if department:
                departments[dept_id] = department
    menus = {}
    for menu_id, node in (reader.mapping(top.get("menus"), "menus") or {}).items():
        if reader.identifier(node, menu_id, f"menus.{menu_id}"):
            menu = _menu(reader, menu_id, node)
            if menu:
                menus[menu_id] = menu
    operator = reader.text(top.get("operator"), "operator")
    return Script(
        source=reader.source,
        version=version,
        company=reader.text(top.get("company"), "company", ""),
        numbers=tuple(n for n in numbers if n),
        is_default=reader.boolean(line.get("default"), "line.default", False),
        voice=reader.text(top.get("voice"), "voice"),
        language=reader.text(top.get("language"), "language", "en-US"),
        time_zone=time_zone,
        operator=operator or "",
        safe_route=reader.text(top.get("safe_route"), "safe_route") or operator or "",
        main_menu=reader.text(top.get("main_menu"), "main_menu", "main"),
        departments=departments,
        menus=menus,
        retries=_retries(reader, top.get("retries")),
        after_call=_after_call(reader, top.get("after_call")),
        callbacks=_callbacks(reader, top.get("callbacks")),
        hold=_hold(reader, top.get("hold")),
        messages=_messages(reader, top.get("messages")),
        positions=reader.positions,
    )


def _items(reader: NodeReader, node: yaml.Node | None, field: str) -> list[yaml.Node]:
    if reader.is_null(node):
        return []
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    reader.problem(node, field, "expected a list")
    return []


def _time_zone(reader: NodeReader, node: yaml.Node | None, field: str) -> str | None:
    name = reader.text(node, field)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(node, field, f"unknown time zone '{name}'; use an IANA name like Europe/London")
        return None
    return name


def _hours(
    reader: NodeReader, node: yaml.Node, field: str, time_zone: str, named: dict[str, Hours | None]
) -> Hours | None:
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
    zone = _time_zone(reader, spec.get("time_zone"), f"{field}.time_zone") or time_zone
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
    for i, item in enumerate(_items(reader, spec.get("closures"), f"{field}.closures")):
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


def _department(
    reader: NodeReader, dept_id: str, node: yaml.Node, time_zone: str, named_hours: dict[str, Hours | None]
) -> Department | None:
    field = f"departments.{dept_id}"
    spec = reader.mapping(node, field, DEPARTMENT_KEYS, required=("name",))
    if spec is None:
        return None
    name = reader.text(spec.get("name"), f"{field}.name", dept_id)
    hours = (
        _hours(reader, spec["hours"], f"{field}.hours", time_zone, named_hours) if "hours" in spec else None
    )
    level = ServiceLevel()
    if "service_level" in spec:
        sl = reader.mapping(spec["service_level"], f"{field}.service_level", ("percent", "seconds")) or {}
        level = ServiceLevel(
            reader.integer(sl.get("percent"), f"{field}.service_level.percent", 80, 1, 100),
            reader.integer(sl.get("seconds"), f"{field}.service_level.seconds", 60, 1, 3600),
        )
    return Department(
        id=dept_id,
        name=name,
        queue=reader.text(spec.get("queue"), f"{field}.queue", dept_id),
        hours=hours,
        topic=reader.text(spec.get("topic"), f"{field}.topic", name),
        when_closed=_when_closed(reader, spec.get("when_closed"), f"{field}.when_closed"),
        service_level=level,
        wrap_up_seconds=reader.integer(spec.get("wrap_up_seconds"), f"{field}.wrap_up_seconds", 30, 0, 3600),
        overflow_number=reader.phone(spec.get("overflow_number"), f"{field}.overflow_number"),
        max_queue=reader.integer(spec.get("max_queue"), f"{field}.max_queue", 0, 0, 5000),
        phrases=tuple(text for text, _ in reader.text_list(spec.get("phrases"), f"{field}.phrases")),
        callback_first=_first(reader, spec.get("callback_first"), f"{field}.callback_first", None),
    )


def _when_closed(reader: NodeReader, node: yaml.Node | None, field: str) -> WhenClosed:
    actions = [a.value for a in ClosedAction]
    if reader.is_null(node):
        return WhenClosed()
    if isinstance(node, yaml.ScalarNode):
        spec = {"action": node}
    else:
        spec = reader.mapping(node, field, ("action", "message", "department"), required=("action",)) or {}
    action = reader.text(spec.get("action"), f"{field}.action", "message")
    if action not in actions:
        reader.problem(
            spec.get("action"), f"{field}.action", f"'{action}' is not one of {', '.join(actions)}"
        )
        return WhenClosed()
    department = reader.text(spec.get("department"), f"{field}.department")
    if action == ClosedAction.DEPARTMENT and not department:
        reader.problem(node, f"{field}.department", "'department' is required when action is department")
    return WhenClosed(ClosedAction(action), reader.text(spec.get("message"), f"{field}.message"), department)


def _menu(reader: NodeReader, menu_id: str, node: yaml.Node) -> Menu | None:
    field = f"menus.{menu_id}"
    spec = reader.mapping(node, field, ("prompt", "input", "options"), required=("prompt",))
    if spec is None:
        return None
    mode = reader.text(spec.get("input"), f"{field}.input", "both")
    if mode not in [m.value for m in InputMode]:
        reader.problem(spec.get("input"), f"{field}.input", f"'{mode}' is not one of both, keypad, speech")
        mode = "both"
    options = []
    raw_options = reader.mapping(spec["options"], f"{field}.options") if "options" in spec else {}
    for key, option_node in (raw_options or {}).items():
        option = _option(reader, key, option_node, f"{field}.options.{key}")
        if option:
            options.append(option)
    prompt = reader.text(spec.get("prompt"), f"{field}.prompt", "", allow_empty=True)
    return Menu(menu_id, prompt, tuple(sorted(options, key=lambda o: o.key)), InputMode(mode))


def _option(reader: NodeReader, key: str, node: yaml.Node, field: str) -> Option | None:
    if key in ("0", "*", "#"):
        reader.problem(node, field, f"key '{key}' is reserved (0 a person, * repeat, # back)")
        return None
    if not re.fullmatch(r"[1-9]", key):
        reader.problem(node, field, f"option keys are single digits 1-9, got '{key}'")
        return None
    spec = reader.mapping(node, field, ("label",) + TARGET_KEYS, required=("label",))
    if spec is None:
        return None
    targets = [k for k in TARGET_KEYS if k in spec]
    if len(targets) != 1:
        reader.problem(node, field, f"an option needs exactly one of {', '.join(TARGET_KEYS)}")
        return None
    kind = OptionKind(targets[0])
    label = reader.text(spec.get("label"), f"{field}.label", "")
    if kind == OptionKind.HANGUP:
        return Option(key, label, kind) if reader.boolean(spec["hangup"], f"{field}.hangup", True) else None
    if kind == OptionKind.DIAL:
        number = reader.phone(spec["dial"], f"{field}.dial")
        return Option(key, label, kind, number) if number else None
    return Option(
        key, label, kind, reader.text(spec[targets[0]], f"{field}.{targets[0]}", "", allow_empty=True)
    )


def _retries(reader: NodeReader, node: yaml.Node | None) -> RetryPolicy:
    spec = reader.mapping(node, "retries", ("no_input", "invalid", "timeout_seconds")) if node else {}
    spec = spec or {}
    return RetryPolicy(
        reader.integer(spec.get("no_input"), "retries.no_input", 2, 0, 5),
        reader.integer(spec.get("invalid"), "retries.invalid", 2, 0, 5),
        reader.integer(spec.get("timeout_seconds"), "retries.timeout_seconds", 5, 1, 30),
    )


def _after_call(reader: NodeReader, node: yaml.Node | None) -> AfterCall:
    spec = reader.mapping(node, "after_call", ("sms_actions", "survey")) if node else {}
    spec = spec or {}
    return AfterCall(reader.boolean(spec.get("sms_actions"), "after_call.sms_actions", False),
                     reader.boolean(spec.get("survey"), "after_call.survey", False))


def _first(reader: NodeReader, node: yaml.Node | None, field: str,
           default: CallbackFirst | None) -> CallbackFirst | None:
    choices = [c.value for c in CallbackFirst]
    value = reader.text(node, field)
    if value is None:
        return default
    if value not in choices:
        reader.problem(node, field, f"'{value}' is not one of {', '.join(choices)}")
        return default
    return CallbackFirst(value)


def _callbacks(reader: NodeReader, node: yaml.Node | None) -> CallbackPolicy:
    spec = reader.mapping(node, "callbacks", ("first", "attempts", "retry_minutes", "ring_seconds")) if node else {}
    spec = spec or {}
    default = CallbackPolicy()
    attempts = reader.integer(spec.get("attempts"), "callbacks.attempts", default.attempts, 1, 10)
    waits = []
    for text, item in reader.text_list(spec.get("retry_minutes"), "callbacks.retry_minutes"):
        if not text.isdigit() or not 1 <= int(text) <= 24 * 60:
            reader.problem(item, "callbacks.retry_minutes", f"each wait is whole minutes from 1 to 1440, got '{text}'")
        else:
            waits.append(int(text))
    if "retry_minutes" not in spec:
        waits = list(default.retry_minutes)
    elif len(waits) > attempts - 1:
        reader.problem(spec["retry_minutes"], "callbacks.retry_minutes",
                       f"{len(waits)} waits, but {attempts} attempts leave room for {attempts - 1}")
    elif not waits and attempts > 1:
        reader.problem(spec["retry_minutes"], "callbacks.retry_minutes",
                       f"{attempts} attempts need at least one wait between them")
    return CallbackPolicy(
        first=_first(reader, spec.get("first"), "callbacks.first", default.first),
        attempts=attempts,
        retry_minutes=tuple(waits) or default.retry_minutes,
        ring_seconds=reader.integer(spec.get("ring_seconds"), "callbacks.ring_seconds", default.ring_seconds, 10, 120),
    )


def _hold(reader: NodeReader, node: yaml.Node | None) -> HoldPolicy:
    spec = reader.mapping(node, "hold", ("short_wait_seconds", "update_every_seconds", "max_hold_seconds",
                                         "music", "music_seconds")) if node else {}
    spec = spec or {}
    default = HoldPolicy()
    policy = HoldPolicy(
        reader.integer(spec.get("short_wait_seconds"), "hold.short_wait_seconds", default.short_wait_seconds, 0,
                       300),
        reader.integer(spec.get("update_every_seconds"), "hold.update_every_seconds",
                       default.update_every_seconds, 20, 600),
        reader.integer(spec.get("max_hold_seconds"), "hold.max_hold_seconds", default.max_hold_seconds, 60,
                       4 * 3600),
        *_hold_music(reader, spec),
    )
    if policy.max_hold_seconds <= policy.short_wait_seconds:
        reader.problem(spec.get("max_hold_seconds"), "hold.max_hold_seconds",
                       "the longest hold must be longer than short_wait_seconds")
    return policy


def _hold_music(reader: NodeReader, spec: dict) -> tuple[str, int | None]:
    """The line's hold music: a served WAV file's name, or a URL with the length of one play (the hold manager
    loops it until the next update, and cannot time a file it does not serve)."""
    music = reader.text(spec.get("music"), "hold.music") or HoldPolicy.music
    seconds = reader.integer(spec.get("music_seconds"), "hold.music_seconds", None, 5, 600)
    if HOLD_MUSIC_URL.match(music):
        if spec.get("music_seconds") is None:
            reader.problem(spec.get("music"), "hold.music_seconds",
                           "a hold music URL needs music_seconds: how long one play of it lasts")
    elif not HOLD_MUSIC_FILE.match(music):
        reader.problem(spec.get("music"), "hold.music",
                       f"'{music}' is neither an http(s) URL nor the name of a .wav file in the scripts' audio/ "
                       "folder (letters, digits, - and _ only)")
    return music, seconds


def _messages(reader: NodeReader, node: yaml.Node | None) -> dict[str, str]:
    messages = dict(DEFAULT_MESSAGES)
    spec = reader.mapping(node, "messages", DEFAULT_MESSAGES) if node else {}
    for name, value_node in (spec or {}).items():
        text = reader.text(value_node, f"messages.{name}")
        if text is None:
            continue
        allowed = _placeholders(DEFAULT_MESSAGES[name]) | {"company"}
        try:
            used = _placeholders(text)
        except ValueError:
            reader.problem(value_node, f"messages.{name}", "unbalanced { or } in message")
            continue
        if used - allowed:
            reader.problem(
                value_node,
                f"messages.{name}",
                f"unknown placeholder {{{min(used - allowed)}}}; allowed: {', '.join(sorted(allowed))}",
            )
            continue
        messages[name] = text
    return messages


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
