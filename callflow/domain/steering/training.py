"""Build the router's training set: the script's department phrases plus what agents taught it.

Reads the script as the plain mapping YAML gives (`departments` as a mapping id -> fields, or a list of
mappings with an `id`), so the router does not wait for the script model; `examples_from_script` is the one
place to point at that model later.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from callflow.domain.languages import of_line
from callflow.domain.steering.background import out_of_scope_phrases
from callflow.domain.steering.labels import department_of
from callflow.domain.steering.language import find_language
from callflow.domain.steering.per_language import LanguageRouters
from callflow.domain.steering.policy import SteeringPolicy
from callflow.domain.steering.ranking import BaseRouter
from callflow.domain.steering.router import Router


def _departments(script: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    departments = script.get("departments") or {}
    if isinstance(departments, Mapping):
        return [(str(key), fields or {}) for key, fields in departments.items()]
    return [(str(fields["id"]), fields) for fields in departments]


def first_language(script: Mapping[str, Any]) -> str:
    """The line's own language: the first of `languages`, else `language`."""
    return str((script.get("languages") or [script.get("language") or "en-US"])[0])


def _in(value: Any, language: str) -> Any:
    """A field in one language: a mapping by language gives that language's (issue 24); a plain value is the
    line's own language's, and stands in where a language has none. A `translations:` block is the script
    model's to read (`examples_from_model`, which serving uses); this reader of the plain mapping serves the
    benchmarks, which steer the line's own language."""
    return value.get(language) if isinstance(value, Mapping) else value


def examples_from_script(script: Mapping[str, Any], language: str | None = None) -> dict[str, list[str]]:
    """Department id -> the example phrases the script gives for it in a language (the line's own by default;
    empty list if none)."""
    language = language or first_language(script)
    return {
        dept_id: [str(p) for p in _in(fields.get("phrases"), language) or []]
        for dept_id, fields in _departments(script)
    }


def steering_examples(script: Mapping[str, Any], language: str | None = None) -> dict[str, list[str]]:
    """`examples_from_script` plus what else the script says about each department (`script_words`), in one of
    its languages (the line's own by default): a line of several languages steers each with its own router."""
    language = language or first_language(script)
    departments = _departments(script)
    labels = [
        (str(option["department"]), str(_in(option.get("label"), language) or ""))
        for menu in (script.get("menus") or {}).values()
        for option in ((menu or {}).get("options") or {}).values()
        if isinstance(option, Mapping) and option.get("department")
    ]
    words = script_words(
        [(d, str(_in(f.get("name"), language) or ""), str(_in(f.get("topic"), language) or ""))
         for d, f in departments], labels
    )
    examples = examples_from_script(script, language)
    return {d: phrases + (words.get(d, []) if phrases else []) for d, phrases in examples.items()}


def script_words(
    departments: Iterable[tuple[str, str, str]], labels: Iterable[tuple[str, str]]
) -> dict[str, list[str]]:
    """More phrases from what the script already says: each department's name and topic ("Cards", "your
    card") and the label of every menu option that leads straight to it ("a new card, your PIN, or a card
    that isn't working"). Callers name the department or echo the menu; a new line has only its script.
    Labels of options leading to a submenu span several departments and are left out."""
    words: dict[str, list[str]] = {}
    for department, name, topic in departments:
        words[department] = [w for w in (name, topic) if w and w != department]
    for department, label in labels:
        if label and department in words:
            words[department].append(label)
    return words


def department_names(script: Mapping[str, Any]) -> dict[str, str]:
    """Department id -> the name callers hear (the id itself when the script gives no name)."""
    language = first_language(script)
    return {dept_id: str(_in(fields.get("name"), language) or dept_id) for dept_id, fields in _departments(script)}


def load_script(path: str | Path) -> dict[str, Any]:
    """Read a script file as a plain mapping."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def merge_examples(
    script_examples: Mapping[str, Sequence[str]], learned: Iterable[tuple[str, str]]
) -> dict[str, list[str]]:
    """Add learned (text, label) pairs to the script's phrases; a label is a department or "department/topic".

    A learned example is the department that finally served the caller, so it wins over a script phrase
    with the same words in another department. Examples for departments the script no longer has are
    dropped: the router cannot send anyone there. Duplicates (ignoring case and spacing) are kept once.
    """
    owner: dict[str, str] = {}
    first_wording: dict[str, str] = {}
    for department, phrases in script_examples.items():
        for phrase in phrases:
            key = _key(phrase)
            if key:
                owner.setdefault(key, department)
                first_wording.setdefault(key, phrase.strip())
    for text, label in learned:
        key = _key(text)
        if key and department_of(label) in script_examples:
            owner[key] = label
            first_wording.setdefault(key, text.strip())
    merged: dict[str, list[str]] = {department: [] for department in script_examples}
    for key, label in owner.items():
        merged.setdefault(label, []).append(first_wording[key])
    return merged


def train_from_script(
    script: Mapping[str, Any],
    learned: Iterable[tuple[str, str]] = (),
    policy: SteeringPolicy | None = None,
) -> BaseRouter:
    """Train a router for a script and the examples agents' transfers have taught."""
    return Router.train(merge_examples(steering_examples(script), learned), policy=policy)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def examples_from_model(script, language: str | None = None) -> dict[str, list[str]]:
    """Department id -> example phrases, from a loaded `callflow.domain.script.model.Script`: the
    departments' phrases, then `script_words` (only for departments that give phrases of their own), in one of
    the line's languages (its own by default)."""
    language = language or script.language

    def text(field: str, first):
        return script.text_in(language, field, first)

    labels = [
        (option.target, text(f"menus.{menu.id}.options.{option.key}.label", option.label))
        for menu in script.menus.values()
        for option in menu.options
        if option.kind.value == "department"
    ]
    words = script_words([(d.id, text(f"departments.{d.id}.name", d.name), text(f"departments.{d.id}.topic", d.topic))
                          for d in script.departments.values()], labels)
    phrases = {d.id: list(text(f"departments.{d.id}.phrases", d.phrases)) for d in script.departments.values()}
    return {d: found + (words.get(d, []) if found else []) for d, found in phrases.items()}


ROUTER_SETTING = "CALLFLOW_STEERING_ROUTER"  # "tfidf" (default) or "embeddings" (needs the optional extra)


def router_kind() -> str:
    """Which router this deployment trains: the `CALLFLOW_STEERING_ROUTER` setting, "tfidf" by default."""
    return os.environ.get(ROUTER_SETTING, "").strip().lower() or "tfidf"


def router_for_script(
    script, learned: Iterable[tuple[str, str] | tuple[str, str, str | None]] = (), kind: str | None = None
) -> BaseRouter | None:
    """The router for a loaded script, or None when no department gives example phrases.

    `kind` defaults to the `CALLFLOW_STEERING_ROUTER` setting (see `router_kind`). A line of several languages
    gets one router per language (`LanguageRouters`), each trained on that language's phrases and the learned
    examples in it, so a second language never changes how the first is steered. A learned example is
    `(text, label)` or `(text, label, language)`: the language it was said in, where known (the call's, or the
    import's column; matched on the base language, es-MX to the line's es-US), else (untagged, or a language
    the line does not speak) found from the words.
    """
    languages = script.spoken()
    learned = [(item[0], item[1], of_line(item[2] if len(item) > 2 else None, languages))
               for item in learned]
    routers = {}
    for language in languages:
        taught = [(text, label) for text, label, said_in in learned
                  if len(languages) == 1 or (said_in or find_language(text, languages).language) == language]
        examples = merge_examples(examples_from_model(script, language), taught)
        if any(examples.values()):
            routers[language] = Router.train(
                {d: phrases for d, phrases in examples.items() if phrases},
                out_of_scope_phrases(language),
                kind=kind or router_kind(),
            )
    if len(languages) == 1 or not routers:
        return routers.get(languages[0])
    return LanguageRouters(routers)

