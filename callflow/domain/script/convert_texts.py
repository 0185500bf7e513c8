"""Reading what a caller hears in each of a line's languages, and naming every translation that is missing.

A line of one language writes its texts as plain strings, as it always has. A line of several writes each text
as a mapping by language (`prompt: {en-US: "Cards.", es-US: "Tarjetas."}`), so an administrator sees a text's
translations side by side at one line; a plain string there is the first language's text, and every other
language's is missing. Each missing translation is an error at the text's line, because a caller answered in
Spanish who then hears an English prompt cannot go on. Example phrases for steering are lists by language the
same way; a missing list is only a warning (steering still learns from the other languages' phrases).
"""

from __future__ import annotations

import yaml

from callflow.domain.script.nodes import NodeReader
from callflow.domain.script.problems import Severity


class Translations:
    """Reads texts by language: the first language's text is returned, the others' kept in `table`."""

    def __init__(self, reader: NodeReader, languages: tuple[str, ...]) -> None:
        self.reader = reader
        self.languages = languages
        self.table: dict[str, dict[str, str | tuple[str, ...]]] = {language: {} for language in languages[1:]}

    def text(
        self, node: yaml.Node | None, field: str, default: str | None = None, allow_empty: bool = False
    ) -> str | None:
        """The first language's text of a field; the others go to `table` (missing ones are problems)."""
        if not isinstance(node, yaml.MappingNode):
            value = self.reader.text(node, field, default, allow_empty)
            if not self.reader.is_null(node) and isinstance(node, yaml.ScalarNode):
                self._missing(node, field, self.languages[1:])
            return value
        spec = self.reader.mapping(node, field, self.languages) or {}
        first, *others = self.languages
        value = self.reader.text(spec.get(first), f"{field}.{first}", default, allow_empty)
        for language in others:
            text = self.reader.text(spec.get(language), f"{field}.{language}", None, allow_empty)
            if text is not None:
                self.table[language][field] = text
        self._missing(node, field, [language for language in self.languages if self.reader.is_null(spec.get(language))])
        return value

    def phrases(self, node: yaml.Node | None, field: str) -> tuple[str, ...]:
        """A department's example phrases: a list (the first language's) or lists by language."""
        if not isinstance(node, yaml.MappingNode):
            found = tuple(text for text, _ in self.reader.text_list(node, field))
            if found:
                self._missing(node, field, self.languages[1:], Severity.WARNING)
            return found
        spec = self.reader.mapping(node, field, self.languages) or {}
        lists = {language: tuple(text for text, _ in self.reader.text_list(spec.get(language), f"{field}.{language}"))
                 for language in self.languages}
        for language in self.languages[1:]:
            if lists[language]:
                self.table[language][field] = lists[language]
        self._missing(node, field, [language for language, found in lists.items() if not found], Severity.WARNING)
        return lists[self.languages[0]]

    def copy(self, field: str, into: str) -> None:
        """A field left out takes another's text in every language (a department's topic is its name)."""
        for texts in self.table.values():
            if field in texts and into not in texts:
                texts[into] = texts[field]

    def _missing(self, node: yaml.Node, field: str, languages: list[str] | tuple[str, ...],
                 severity: Severity = Severity.ERROR) -> None:
        what = "example phrases" if severity == Severity.WARNING else "translation"
        spoken = ", ".join(self.languages)
        for language in languages:
            self.reader.problem(node, field, f"missing the {language} {what} (the line speaks {spoken})", severity)
