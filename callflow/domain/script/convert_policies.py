"""Reading a script's line-wide policies: retries, after-call, callbacks, hold and the messages callers hear.

Apart from the departments and menus (`convert.py`): each policy is one small mapping with defaults and
bounds, read the same way, and none refers to another part of the script.
"""

from __future__ import annotations

import re
import string

import yaml

from callflow.domain.script.convert_texts import Translations
from callflow.domain.script.model import (
    DEFAULT_MESSAGES,
    AfterCall,
    CallbackFirst,
    CallbackPolicy,
    HoldPolicy,
    RetryPolicy,
    built_in_messages,
)
from callflow.domain.script.nodes import NodeReader
from callflow.domain.script.problems import Severity

HOLD_MUSIC_URL = re.compile(r"^https?://[^\s]+$")
HOLD_MUSIC_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.wav$")  # as callflow.domain.hold_music.FILE_NAME


def read_retries(reader: NodeReader, node: yaml.Node | None) -> RetryPolicy:
    spec = reader.mapping(node, "retries", ("no_input", "invalid", "timeout_seconds")) if node else {}
    spec = spec or {}
    return RetryPolicy(
        reader.integer(spec.get("no_input"), "retries.no_input", 2, 0, 5),
        reader.integer(spec.get("invalid"), "retries.invalid", 2, 0, 5),
        reader.integer(spec.get("timeout_seconds"), "retries.timeout_seconds", 5, 1, 30),
    )


def read_after_call(reader: NodeReader, node: yaml.Node | None) -> AfterCall:
    spec = reader.mapping(node, "after_call", ("sms_actions", "survey")) if node else {}
    spec = spec or {}
    return AfterCall(reader.boolean(spec.get("sms_actions"), "after_call.sms_actions", False),
                     reader.boolean(spec.get("survey"), "after_call.survey", False))


def read_callback_first(reader: NodeReader, node: yaml.Node | None, field: str,
           default: CallbackFirst | None) -> CallbackFirst | None:
    choices = [c.value for c in CallbackFirst]
    value = reader.text(node, field)
    if value is None:
        return default
    if value not in choices:
        reader.problem(node, field, f"'{value}' is not one of {', '.join(choices)}")
        return default
    return CallbackFirst(value)


def read_callbacks(reader: NodeReader, node: yaml.Node | None) -> CallbackPolicy:
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
        first=read_callback_first(reader, spec.get("first"), "callbacks.first", default.first),
        attempts=attempts,
        retry_minutes=tuple(waits) or default.retry_minutes,
        ring_seconds=reader.integer(spec.get("ring_seconds"), "callbacks.ring_seconds", default.ring_seconds, 10, 120),
    )


def read_hold(reader: NodeReader, node: yaml.Node | None) -> HoldPolicy:
    spec = reader.mapping(node, "hold", ("short_wait_seconds", "update_every_seconds", "max_hold_seconds",
                                         "music", "music_seconds", "interpreter_after_seconds")) if node else {}
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
        reader.integer(spec.get("interpreter_after_seconds"), "hold.interpreter_after_seconds",
                       default.interpreter_after_seconds, 0, 3600),
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


def read_messages(reader: NodeReader, texts: Translations, node: yaml.Node | None) -> dict[str, str]:
    """The first language's messages (callflow's own words where the script gives none); the other languages'
    go to `texts.table` as `messages.<name>`, callflow's words in that language where it has them."""
    first, *others = texts.languages
    messages = dict(built_in_messages(first) or DEFAULT_MESSAGES)
    spec = reader.mapping(node, "messages", DEFAULT_MESSAGES) if node else {}
    spec = spec or {}
    for language in others:
        built_in = built_in_messages(language) or {}
        for name in DEFAULT_MESSAGES:
            if name in built_in:
                texts.table[language][f"messages.{name}"] = built_in[name]
            elif name not in spec and name not in texts.given_messages(language):
                reader.problem(node, f"messages.{name}", f"missing the {language} translation (callflow has no "
                               f"{language} words of its own: the line must give every message)", Severity.WARNING)
    for language in others:  # a message the translations block gives where the line keeps callflow's words
        for name, (text, value_node) in texts.given_messages(language).items():
            allowed = _placeholders(DEFAULT_MESSAGES.get(name, "")) | {"company"}
            if name not in DEFAULT_MESSAGES:
                reader.problem(value_node, f"translations.{language}.messages.{name}", f"no message '{name}'")
            elif name not in spec and _placeholders_fit(reader, value_node, f"messages.{name}", text, allowed):
                texts.table[language][f"messages.{name}"] = text
    for name, value_node in spec.items():
        field = f"messages.{name}"
        text = texts.text(value_node, field)
        allowed = _placeholders(DEFAULT_MESSAGES[name]) | {"company"}
        written = {first: text} | {language: texts.table[language].get(field) for language in others}
        for language, value in written.items():
            if value is None or not _placeholders_fit(reader, value_node, field, value, allowed):
                if language == first:
                    continue
                texts.table[language].pop(field, None)
            elif language == first:
                messages[name] = value
    return messages


def _placeholders_fit(reader: NodeReader, node: yaml.Node, field: str, text: str, allowed: set[str]) -> bool:
    try:
        used = _placeholders(text)
    except ValueError:
        reader.problem(node, field, "unbalanced { or } in message")
        return False
    if used - allowed:
        reader.problem(node, field, f"unknown placeholder {{{min(used - allowed)}}}; allowed: {', '.join(sorted(allowed))}")
        return False
    return True


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
