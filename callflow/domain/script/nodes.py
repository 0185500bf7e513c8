"""Reading composed YAML nodes as typed values, recording every problem with its line and column.

The loader never lets PyYAML build Python objects: YAML 1.1 turns `no` into False, `+4420...` into
an int and `8:30` into 510. Reading each scalar's text by the type the field expects avoids all that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from callflow.domain.script.model import Position
from callflow.domain.script.problems import ScriptProblem, Severity

NULL_TAG = "tag:yaml.org,2002:null"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def mark_position(mark: yaml.Mark | None) -> Position:
    """Turn a PyYAML mark (0-based) into a Position (1-based)."""
    return Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)


class NodeReader:
    """Typed access to YAML nodes; collects problems and a field -> position table."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[ScriptProblem] = []
        self.positions: dict[str, Position] = {}

    def problem(
        self, node: yaml.Node | None, field: str, message: str, severity: Severity = Severity.ERROR
    ) -> None:
        """Record a problem at a node's position."""
        pos = mark_position(node.start_mark) if node is not None else Position(1, 1)
        self.problems.append(ScriptProblem(self.source, pos.line, pos.column, field, message, severity))

    def seen(self, node: yaml.Node, field: str) -> None:
        """Remember where a field is written."""
        self.positions.setdefault(field, mark_position(node.start_mark))

    def is_null(self, node: yaml.Node | None) -> bool:
        """True for a missing value or an explicit null."""
        return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG)

    def mapping(
        self,
        node: yaml.Node | None,
        field: str,
        allowed: Iterable[str] | None = None,
        required: Iterable[str] = (),
    ) -> dict[str, yaml.Node] | None:
        """Read a mapping with string keys, refusing duplicates and (when `allowed` is given) unknown keys."""
        if node is None:
            return None
        self.seen(node, field)
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, field, f"expected a mapping, got {_kind(node)}")
            return None
        allowed_set = set(allowed) if allowed is not None else None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, field, "keys must be plain text")
                continue
            key = key_node.value
            child = f"{field}.{key}" if field else key
            if key in result:
                self.problem(key_node, child, f"duplicate key '{key}'")
                continue
            if allowed_set is not None and key not in allowed_set:
                self.problem(
                    key_node, child, f"unknown key '{key}'; expected one of {', '.join(sorted(allowed_set))}"
                )
                continue
            self.seen(key_node, child)
            result[key] = value_node
        for key in required:
            if key not in result or self.is_null(result[key]):
                self.problem(node, f"{field}.{key}" if field else key, f"'{key}' is required")
        return result

    def text(
        self, node: yaml.Node | None, field: str, default: str | None = None, allow_empty: bool = False
    ) -> str | None:
        """Read a scalar as text."""
        if self.is_null(node):
            return default
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, field, f"expected text, got {_kind(node)}")
            return default
        value = node.value.strip()
        if not value and not allow_empty:
            self.problem(node, field, "must not be empty")
            return default
        return value

    def integer(self, node: yaml.Node | None, field: str, default: int, low: int, high: int) -> int:
        """Read a whole number within [low, high]."""
        raw = self.text(node, field)
        if raw is None:
            return default
        if not re.fullmatch(r"[0-9]+", raw):
            self.problem(node, field, f"expected a whole number, got '{raw}'")
            return default
        value = int(raw)
        if not low <= value <= high:
            self.problem(node, field, f"must be between {low} and {high}, got {value}")
            return default
        return value

    def boolean(self, node: yaml.Node | None, field: str, default: bool) -> bool:
        """Read true or false (and nothing YAML 1.1 might have meant by 'no')."""
        raw = self.text(node, field)
        if raw is None:
            return default
        if raw.lower() not in ("true", "false"):
            self.problem(node, field, f"expected true or false, got '{raw}'")
            return default
        return raw.lower() == "true"

    def text_list(self, node: yaml.Node | None, field: str) -> list[tuple[str, yaml.Node]]:
        """Read a list of texts (a single text counts as a list of one)."""
        if self.is_null(node):
            return []
        if isinstance(node, yaml.ScalarNode):
            value = self.text(node, field)
            return [(value, node)] if value is not None else []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, field, f"expected a list, got {_kind(node)}")
            return []
        items = []
        for index, item in enumerate(node.value):
            value = self.text(item, f"{field}.{index}")
            if value is not None:
                items.append((value, item))
        return items

    def items(self, node: yaml.Node | None, field: str) -> list[yaml.Node]:
        """Read a list of nodes (none when the field is empty)."""
        if self.is_null(node):
            return []
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.problem(node, field, "expected a list")
        return []

    def phone(self, node: yaml.Node | None, field: str) -> str | None:
        """Read a phone number in E.164 form (+ and country code, no spaces)."""
        raw = self.text(node, field)
        if raw is not None and not E164.match(raw):
            self.problem(node, field, f"'{raw}' is not an E.164 phone number like +442079460000")
            return None
        return raw

    def identifier(self, key_node: yaml.Node, key: str, field: str) -> bool:
        """Check an id chosen by the administrator (lower case, digits, - and _)."""
        if IDENTIFIER.match(key):
            return True
        self.problem(key_node, field, f"'{key}' is not a valid id (lower-case letters, digits, - and _)")
        return False


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'"
