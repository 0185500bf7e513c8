"""Reading what a caller hears in each of a line's languages, and naming every translation that is missing.

A line of one language writes its texts as plain strings, as it always has. A line of several gives each other
language's texts in one of two shapes, whichever reads better to its administrators:

- beside the text, as a mapping by language: `prompt: {en-US: "Cards.", es-US: "Tarjetas."}`;
- in a `translations:` block at the end, one part per language that mirrors the script's own shape
  (`translations: {es-US: {voice: Polly.Lupe, menus: {cards: {prompt: "Tarjetas."}}}}`), so the line's own
  texts stay as they were, and a translator works in one place.

A missing translation is a warning at the text's line, naming the field and the language: the caller of that
language hears the line's own text there. It is not an error, so an urgent change in the line's own language (a
closure, a new option) can be published before its translation is written.
"""

from __future__ import annotations

import yaml

from callflow.domain.script.nodes import NodeReader
from callflow.domain.script.problems import Severity

Given = dict[str, dict[str, yaml.Node]]  # language -> field path -> the node the translations block gives


class Translations:
    """Reads texts by language: the first language's text is returned, the others' kept in `table`."""

    def __init__(self, reader: NodeReader, languages: tuple[str, ...], block: yaml.Node | None = None) -> None:
        self.reader = reader
        self.languages = languages
        self.table: dict[str, dict[str, str | tuple[str, ...]]] = {language: {} for language in languages[1:]}
        self.given: Given = self._block(block)
        self.used: set[tuple[str, str]] = set()

    def text(
        self, node: yaml.Node | None, field: str, default: str | None = None, allow_empty: bool = False
    ) -> str | None:
        """The first language's text of a field; the others go to `table` (missing ones are named)."""
        if not isinstance(node, yaml.MappingNode):
            value = self.reader.text(node, field, default, allow_empty)
            if isinstance(node, yaml.ScalarNode) and not self.reader.is_null(node):
                missing = [language for language in self.languages[1:]
                           if not self._given_text(language, field, allow_empty)]
                self._missing(node, field, missing)
            return value
        spec = self.reader.mapping(node, field, self.languages) or {}
        first, *others = self.languages
        value = self.reader.text(spec.get(first), f"{field}.{first}", default, allow_empty)
        for language in others:
            text = self.reader.text(spec.get(language), f"{field}.{language}", None, allow_empty)
            if text is not None:
                self.table[language][field] = text
            else:
                self._given_text(language, field, allow_empty)
        missing = [language for language in self.languages
                   if self.reader.is_null(spec.get(language)) and (language == first or field not in self.table[language])]
        self._missing(node, field, missing)
        return value

    def phrases(self, node: yaml.Node | None, field: str) -> tuple[str, ...]:
        """A department's example phrases: a list (the first language's) or lists by language."""
        if not isinstance(node, yaml.MappingNode):
            found = tuple(text for text, _ in self.reader.text_list(node, field))
            if found:
                missing = [language for language in self.languages[1:] if not self._given_phrases(language, field)]
                self._missing(node, field, missing, "example phrases")
            return found
        spec = self.reader.mapping(node, field, self.languages) or {}
        lists = {language: tuple(text for text, _ in self.reader.text_list(spec.get(language), f"{field}.{language}"))
                 for language in self.languages}
        for language in self.languages[1:]:
            if lists[language]:
                self.table[language][field] = lists[language]
        self._missing(node, field, [language for language, found in lists.items() if not found], "example phrases")
        return lists[self.languages[0]]

    def voice(self, language: str) -> str | None:
        """A language's voice given in its translations block, if any."""
        return self._given_text(language, "voice", False, keep=False)

    def given_messages(self, language: str) -> dict[str, tuple[str, yaml.Node]]:
        """The messages a language's translations block gives: name -> (text, node)."""
        found = {}
        for field, node in self.given.get(language, {}).items():
            if field.startswith("messages.") and isinstance(node, yaml.ScalarNode):
                self.used.add((language, field))
                text = self.reader.text(node, f"translations.{language}.{field}")
                if text is not None:
                    found[field.removeprefix("messages.")] = (text, node)
        return found

    def copy(self, field: str, into: str) -> None:
        """A field left out takes another's text in every language (a department's topic is its name)."""
        for texts in self.table.values():
            if field in texts and into not in texts:
                texts[into] = texts[field]

    def finish(self) -> None:
        """Name what a translations block gives that the script has no text for (a typo in a path, most often)."""
        for language, fields in self.given.items():
            for field, node in fields.items():
                if (language, field) not in self.used:
                    self.reader.problem(node, f"translations.{language}.{field}",
                                        f"the script has no text at {field} to translate")

    def _block(self, block: yaml.Node | None) -> Given:
        given: Given = {}
        if block is None:
            return given
        spec = self.reader.mapping(block, "translations", self.languages[1:]) or {}
        for language, node in spec.items():
            given[language] = {}
            self._walk(node, "", language, given[language])
        return given

    def _walk(self, node: yaml.Node, path: str, language: str, into: dict[str, yaml.Node]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, child in (self.reader.mapping(node, f"translations.{language}.{path}".rstrip(".")) or {}).items():
                self._walk(child, f"{path}.{key}" if path else key, language, into)
        else:
            into[path] = node

    def _given_text(self, language: str, field: str, allow_empty: bool, keep: bool = True) -> str | None:
        node = self.given.get(language, {}).get(field)
        if node is None:
            return None
        self.used.add((language, field))
        text = self.reader.text(node, f"translations.{language}.{field}", None, allow_empty)
        if text is not None and keep:
            self.table[language][field] = text
        return text

    def _given_phrases(self, language: str, field: str) -> tuple[str, ...]:
        node = self.given.get(language, {}).get(field)
        if node is None:
            return ()
        self.used.add((language, field))
        found = tuple(text for text, _ in self.reader.text_list(node, f"translations.{language}.{field}"))
        if found:
            self.table[language][field] = found
        return found

    def _missing(self, node: yaml.Node, field: str, languages: list[str], what: str = "translation") -> None:
        spoken = ", ".join(self.languages)
        for language in languages:
            self.reader.problem(node, field, f"missing the {language} {what} (the line speaks {spoken})",
                                Severity.WARNING)
