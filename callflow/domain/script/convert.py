"""Turning a script's YAML node tree into the model, one field at a time, with a problem for each mistake.

Here the script's top, departments and menus; opening hours are read by `convert_hours.py` and the line-wide
policies (retries, callbacks, hold, messages) by `convert_policies.py`. Only shape and field types are
checked; references between parts (menus, departments, operator) are the semantic checks' business
(`checks.py`), so one pass sees the whole script.
"""

from __future__ import annotations

import re

import yaml

from callflow.domain.languages import LANGUAGE_TAG
from callflow.domain.script.convert_hours import read_hours, read_time_zone
from callflow.domain.script.convert_policies import (
    read_after_call,
    read_callback_first,
    read_callbacks,
    read_hold,
    read_messages,
    read_retries,
)
from callflow.domain.script.convert_texts import Translations
from callflow.domain.script.model import (
    LANGUAGE_KEYS,
    ClosedAction,
    Department,
    Hours,
    InputMode,
    Menu,
    Option,
    OptionKind,
    Script,
    ServiceLevel,
    WhenClosed,
)
from callflow.domain.script.nodes import NodeReader
from callflow.domain.script.problems import Severity

TOP_KEYS = (
    "version",
    "line",
    "company",
    "voice",
    "language",
    "languages",
    "speech_model",
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
    "translations",
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


def convert(root: yaml.Node, reader: NodeReader, version: str) -> Script | None:
    """Build a Script from the root node, or None when the shape is too broken to go on."""
    top = reader.mapping(root, "", TOP_KEYS, required=("company", "time_zone", "departments", "menus"))
    if top is None:
        return None
    reader.integer(top.get("version"), "version", 1, 1, 1)
    time_zone = read_time_zone(reader, top.get("time_zone"), "time_zone") or "UTC"
    languages = _languages(reader, top)
    texts = Translations(reader, languages, top.get("translations"))
    voices = _voices(reader, texts, top.get("voice"), languages)
    line = reader.mapping(top["line"], "line", ("numbers", "default")) if "line" in top else {}
    line = line or {}
    numbers = [
        reader.phone(n, f"line.numbers.{i}")
        for i, n in enumerate(reader.items(line.get("numbers"), "line.numbers"))
    ]
    named_hours = {}
    for name, node in (reader.mapping(top["hours"], "hours") or {}).items() if "hours" in top else ():
        named_hours[name] = read_hours(reader, node, f"hours.{name}", time_zone, {})
    departments = {}
    for dept_id, node in (reader.mapping(top.get("departments"), "departments") or {}).items():
        if reader.identifier(node, dept_id, f"departments.{dept_id}"):
            department = _department(reader, texts, dept_id, node, time_zone, named_hours)
            if department:
                departments[dept_id] = department
    menus = {}
    for menu_id, node in (reader.mapping(top.get("menus"), "menus") or {}).items():
        if reader.identifier(node, menu_id, f"menus.{menu_id}"):
            menu = _menu(reader, texts, menu_id, node)
            if menu:
                menus[menu_id] = menu
    operator = reader.text(top.get("operator"), "operator")
    messages = read_messages(reader, texts, top.get("messages"))
    texts.finish()
    return Script(
        source=reader.source,
        version=version,
        company=reader.text(top.get("company"), "company", ""),
        numbers=tuple(n for n in numbers if n),
        is_default=reader.boolean(line.get("default"), "line.default", False),
        voice=voices[languages[0]],
        language=languages[0],
        languages=languages,
        voices=voices,
        speech_model=reader.text(top.get("speech_model"), "speech_model"),
        time_zone=time_zone,
        operator=operator or "",
        safe_route=reader.text(top.get("safe_route"), "safe_route") or operator or "",
        main_menu=reader.text(top.get("main_menu"), "main_menu", "main"),
        departments=departments,
        menus=menus,
        retries=read_retries(reader, top.get("retries")),
        after_call=read_after_call(reader, top.get("after_call")),
        callbacks=read_callbacks(reader, top.get("callbacks")),
        hold=read_hold(reader, top.get("hold")),
        messages=messages,
        translations=texts.table,
        positions=reader.positions,
    )


def _languages(reader: NodeReader, top: dict[str, yaml.Node]) -> tuple[str, ...]:
    """The line's languages, its own first: `languages: [en-US, es-US]`, or `language: en-GB` alone."""
    language = reader.text(top.get("language"), "language")
    listed: list[str] = []
    for tag, node in reader.text_list(top.get("languages"), "languages"):
        if not LANGUAGE_TAG.match(tag):
            reader.problem(node, "languages", f"'{tag}' is not a language tag like en-US or es-US")
        elif tag in listed:
            reader.problem(node, "languages", f"'{tag}' is listed twice")
        else:
            listed.append(tag)
    if len(listed) > 1 + len(LANGUAGE_KEYS):
        reader.problem(top["languages"], "languages",
                       f"at most {1 + len(LANGUAGE_KEYS)} languages (one keypad choice each at the main menu)")
        listed = listed[: 1 + len(LANGUAGE_KEYS)]
    if listed and language and language != listed[0]:
        reader.problem(top["language"], "language",
                       f"'{language}' is not the first of languages ({listed[0]}): leave language out")
    return tuple(listed) or (language or "en-US",)


def _voices(reader: NodeReader, texts: Translations, node: yaml.Node | None,
            languages: tuple[str, ...]) -> dict[str, str | None]:
    """The <Say> voice of each language: `voice: Polly.Amy` (the first language's, the others' in their
    translations) or a voice by language.

    A line that picks a voice for some languages but not another is warned: that language would speak in
    Twilio's default voice, unlike the rest of the line."""
    if isinstance(node, yaml.MappingNode):
        spec = reader.mapping(node, "voice", languages) or {}
        voices = {language: reader.text(spec.get(language), f"voice.{language}") for language in languages}
    else:
        voices = {language: texts.voice(language) for language in languages}
        voices[languages[0]] = reader.text(node, "voice")
    if any(voices.values()):
        for language, voice in voices.items():
            if voice is None:
                reader.problem(node, "voice", f"no voice for {language}: Twilio's default {language} voice speaks",
                               Severity.WARNING)
    return voices


def _department(
    reader: NodeReader, texts: Translations, dept_id: str, node: yaml.Node, time_zone: str, named_hours: dict[str, Hours | None]
) -> Department | None:
    field = f"departments.{dept_id}"
    spec = reader.mapping(node, field, DEPARTMENT_KEYS, required=("name",))
    if spec is None:
        return None
    name = texts.text(spec.get("name"), f"{field}.name", dept_id)
    if "topic" not in spec:
        texts.copy(f"{field}.name", f"{field}.topic")
    hours = (
        read_hours(reader, spec["hours"], f"{field}.hours", time_zone, named_hours) if "hours" in spec else None
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
        topic=texts.text(spec.get("topic"), f"{field}.topic", name),
        when_closed=_when_closed(reader, texts, spec.get("when_closed"), f"{field}.when_closed"),
        service_level=level,
        wrap_up_seconds=reader.integer(spec.get("wrap_up_seconds"), f"{field}.wrap_up_seconds", 30, 0, 3600),
        overflow_number=reader.phone(spec.get("overflow_number"), f"{field}.overflow_number"),
        max_queue=reader.integer(spec.get("max_queue"), f"{field}.max_queue", 0, 0, 5000),
        phrases=texts.phrases(spec.get("phrases"), f"{field}.phrases"),
        callback_first=read_callback_first(reader, spec.get("callback_first"), f"{field}.callback_first", None),
    )


def _when_closed(reader: NodeReader, texts: Translations, node: yaml.Node | None, field: str) -> WhenClosed:
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
    return WhenClosed(ClosedAction(action), texts.text(spec.get("message"), f"{field}.message"), department)


def _menu(reader: NodeReader, texts: Translations, menu_id: str, node: yaml.Node) -> Menu | None:
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
        option = _option(reader, texts, key, option_node, f"{field}.options.{key}")
        if option:
            options.append(option)
    prompt = texts.text(spec.get("prompt"), f"{field}.prompt", "", allow_empty=True)
    return Menu(menu_id, prompt, tuple(sorted(options, key=lambda o: o.key)), InputMode(mode))


def _option(reader: NodeReader, texts: Translations, key: str, node: yaml.Node, field: str) -> Option | None:
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
    label = texts.text(spec.get("label"), f"{field}.label", "")
    if kind == OptionKind.HANGUP:
        return Option(key, label, kind) if reader.boolean(spec["hangup"], f"{field}.hangup", True) else None
    if kind == OptionKind.DIAL:
        number = reader.phone(spec["dial"], f"{field}.dial")
        return Option(key, label, kind, number) if number else None
    read = texts.text if kind == OptionKind.MESSAGE else reader.text  # a message is heard; an id is not
    return Option(key, label, kind, read(spec[targets[0]], f"{field}.{targets[0]}", "", allow_empty=True))
