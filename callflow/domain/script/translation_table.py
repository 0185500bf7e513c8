"""Every text a caller hears on a line of several languages, side by side, with each missing translation marked.

The administrator's editor shows it beside the diagram, so a translator sees at a glance what the line's other
callers would hear in the line's own language. It is read from the loaded model (its first-language fields, its
`translations` and where each text is written, `positions`), so it names exactly the fields and lines the
linter names in its "missing the ... translation" warnings (`convert_texts.py`), without reading their words.
"""

from __future__ import annotations

from dataclasses import dataclass

from callflow.domain.script.messages import DEFAULT_MESSAGES
from callflow.domain.script.model import OptionKind, Script, built_in_messages

Text = str | tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """One text in one language: what the script gives there, or None where its translation is missing."""

    language: str
    text: Text | None
    line: int  # where it is written; where the linter names it missing when it is
    built_in: bool = False  # callflow's own words, which the line does not change

    @property
    def missing(self) -> bool:
        return self.text is None


@dataclass(frozen=True)
class Row:
    """One text field (`menus.main.prompt`), at the line the linter names it, in every language of the line."""

    field: str
    line: int
    cells: tuple[Cell, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(cell.language for cell in self.cells if cell.missing)


@dataclass(frozen=True)
class TranslationTable:
    languages: tuple[str, ...]
    rows: tuple[Row, ...]

    def missing(self) -> list[tuple[int, str, str]]:
        """(line, field, language) of every missing translation, in file order."""
        return sorted((row.line, row.field, language) for row in self.rows for language in row.missing)


def translation_table(script: Script) -> TranslationTable:
    """The line's texts by language: departments' names, topics, closed messages and phrases, menus' prompts,
    options' labels and messages, then the messages the line words itself (or must, in a language callflow has
    no words in). A line of one language has a table of one column."""
    fields = []
    for department in script.departments.values():
        base = f"departments.{department.id}"
        fields += [(f"{base}.name", department.name),
                   (f"{base}.topic", department.topic),
                   (f"{base}.when_closed.message", department.when_closed.message),
                   (f"{base}.phrases", department.phrases)]
    for menu in script.menus.values():
        base = f"menus.{menu.id}"
        fields.append((f"{base}.prompt", menu.prompt))
        for option in menu.options:
            fields.append((f"{base}.options.{option.key}.label", option.label))
            if option.kind is OptionKind.MESSAGE:
                fields.append((f"{base}.options.{option.key}.message", option.target))
    rows = [_row(script, field, first) for field, first in fields
            if _written(script, field) and (first or not field.endswith(".phrases") or _translated(script, field))]
    rows += [row for name in DEFAULT_MESSAGES if (row := _message_row(script, name)) is not None]
    return TranslationTable(script.spoken(), tuple(rows))


def _row(script: Script, field: str, first: Text | None) -> Row:
    line = _start(script, field)
    own, *others = script.spoken()
    by_language = _by_language(script, field)
    given_first = own in by_language or not by_language
    cells = [Cell(own, first if given_first and first != () else None, _written_at(script, field, own, line))]
    for language in others:
        text = script.translations.get(language, {}).get(field) if _given(script, field, language) else None
        cells.append(Cell(language, text or None, _written_at(script, field, language, line)))
    return Row(field, line, tuple(cells))


def _message_row(script: Script, name: str) -> Row | None:
    """A message's row, when the line words it in some language or one of its languages has no words for it."""
    field = f"messages.{name}"
    own, *others = script.spoken()
    worded = field in script.positions
    line = _start(script, field) if worded else _start(script, "messages") if "messages" in script.positions else 1
    cells = [Cell(own, script.messages.get(name, DEFAULT_MESSAGES[name]), line, built_in=not worded)]
    for language in others:
        if _given(script, field, language):
            cells.append(Cell(language, script.translations[language][field],
                              _written_at(script, field, language, line)))
        elif not worded and name in (built_in_messages(language) or {}):
            cells.append(Cell(language, built_in_messages(language)[name], line, built_in=True))
        else:
            cells.append(Cell(language, None, line))
    if worded or any(not cell.built_in for cell in cells):
        return Row(field, line, tuple(cells))
    return None


def _written(script: Script, field: str) -> bool:
    """Whether the line writes this text in any language (a topic left out is the name, and not listed)."""
    return field in script.positions or any(
        f"translations.{language}.{field}" in script.positions for language in script.spoken())


def _translated(script: Script, field: str) -> bool:
    return any(_given(script, field, language) for language in script.spoken()[1:])


def _given(script: Script, field: str, language: str) -> bool:
    """Whether the line itself gives this text in a language, beside it or in its translations block (not a
    text copied from another field, nor callflow's own words)."""
    written = f"{field}.{language}" in script.positions or f"translations.{language}.{field}" in script.positions
    return written and bool(script.translations.get(language, {}).get(field))


def _by_language(script: Script, field: str) -> list[str]:
    """The languages a text written as a mapping by language names (empty for a plain text)."""
    return [language for language in script.spoken() if f"{field}.{language}" in script.positions]


def _start(script: Script, field: str) -> int:
    """The line where a field's value starts, where the linter points: a text's own line, or the first line of a
    mapping by language written as a block under its key."""
    children = [script.positions[f"{field}.{language}"].line for language in script.spoken()
                if f"{field}.{language}" in script.positions]
    if field == "messages":
        children = [at.line for path, at in script.positions.items() if path.startswith("messages.")]
    return min(children) if children else script.position(field).line


def _written_at(script: Script, field: str, language: str, line: int) -> int:
    for path in (f"{field}.{language}", f"translations.{language}.{field}"):
        if path in script.positions:
            return script.positions[path].line
    return line
