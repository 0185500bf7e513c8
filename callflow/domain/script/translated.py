"""A line's script as the callers of one of its languages hear it: the same flow, every text in their language.

The model holds the first language's texts in its own fields and the others' in `Script.translations`, so the
engine, the closing rules and everything else that reads `department.name` or `script.message(...)` works in
any language once handed the script in the call's language. Each language's script is built once and kept.
"""

from __future__ import annotations

from dataclasses import replace

from callflow.domain.script.model import Department, Menu, OptionKind, Script


def in_language(script: Script, language: str) -> Script:
    """The script in one of its languages (itself for its own language or one the line does not speak); any of
    a script's languages can be asked of any other's, since they share one cache with the original."""
    if language == script.language or language not in script.spoken():
        return script
    views = script.views
    views.setdefault(script.language, script)  # only the original comes here with an empty cache
    view = views.get(language)
    if view is None:
        view = views[language] = _translate(views[script.spoken()[0]], language)
        object.__setattr__(view, "views", views)  # frozen, but the cache is shared on purpose
    return view


def _translate(script: Script, language: str) -> Script:
    texts = script.translations.get(language, {})

    def text(field: str, first):
        return texts.get(field, first)

    return replace(
        script,
        language=language,
        voice=script.voices.get(language),
        messages={name: text(f"messages.{name}", value) for name, value in script.messages.items()},
        departments={key: _department(d, text) for key, d in script.departments.items()},
        menus={key: _menu(m, text) for key, m in script.menus.items()},
    )


def _department(department: Department, text) -> Department:
    field = f"departments.{department.id}"
    closed = department.when_closed
    return replace(
        department,
        name=text(f"{field}.name", department.name),
        topic=text(f"{field}.topic", department.topic),
        phrases=text(f"{field}.phrases", department.phrases),
        when_closed=replace(closed, message=text(f"{field}.when_closed.message", closed.message)),
    )


def _menu(menu: Menu, text) -> Menu:
    field = f"menus.{menu.id}"
    options = tuple(
        replace(
            option,
            label=text(f"{field}.options.{option.key}.label", option.label),
            target=text(f"{field}.options.{option.key}.message", option.target)
            if option.kind == OptionKind.MESSAGE else option.target,
        )
        for option in menu.options
    )
    return replace(menu, prompt=text(f"{field}.prompt", menu.prompt), options=options)
