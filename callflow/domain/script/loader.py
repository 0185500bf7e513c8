"""Reading a script from YAML safely: size, depth and alias limits, then conversion and semantic checks.

Scripts come from administrators' browsers, so the text is hostile until proven otherwise:
only YAML's standard tags, no anchors or aliases (no billion laughs), a size cap and a depth cap.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from callflow.domain.script.checks import check
from callflow.domain.script.convert import convert
from callflow.domain.script.model import Script
from callflow.domain.script.nodes import NodeReader, mark_position
from callflow.domain.script.problems import ScriptInvalid, ScriptProblem, errors_in

MAX_BYTES = 256 * 1024
MAX_CHARACTER_PROBLEMS = 10  # a pasted binary would otherwise fill the editor with the same problem
MAX_DEPTH = 12
MAX_NODES = 50_000
STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


class _Refused(yaml.MarkedYAMLError):
    """A limit the composer enforces while building the node tree."""


class _GuardedLoader(yaml.SafeLoader):
    """A SafeLoader composer that refuses aliases, anchors, foreign tags and deep or huge documents."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                problem="aliases (*name) are not allowed in scripts", problem_mark=event.start_mark
            )
        if getattr(event, "anchor", None):
            raise _Refused(
                problem="anchors (&name) are not allowed in scripts", problem_mark=event.start_mark
            )
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark)
        if self._nodes > MAX_NODES:
            raise _Refused(problem=f"more than {MAX_NODES} values", problem_mark=event.start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node.tag not in STANDARD_TAGS:
            raise _Refused(
                problem=f"tag '{node.tag}' is not allowed in scripts", problem_mark=node.start_mark
            )
        return node


def script_version(text: str) -> str:
    """The content hash that names one published version of a script."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def parse_script(text: str, source: str = "<string>",
                 dial_countries: frozenset[str] | None = None) -> tuple[Script | None, list[ScriptProblem]]:
    """Read a script's text into the model; return it (if its shape allows) with every problem found.
    `dial_countries`: the countries its numbers may be in (the deployment's callback countries; None: any)."""
    reader = NodeReader(source)
    unreadable = forbidden_characters(text, source)
    if unreadable:
        return None, unreadable
    if len(text.encode("utf-8")) > MAX_BYTES:
        reader.problem(None, "", f"script is larger than {MAX_BYTES // 1024} KiB")
        return None, reader.problems
    loader = _GuardedLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        pos = mark_position(error.problem_mark or error.context_mark)
        message = ", ".join(part for part in (error.context, error.problem) if part) or "not valid YAML"
        return None, [ScriptProblem(source, pos.line, pos.column, "", message)]
    except yaml.YAMLError as error:
        return None, [ScriptProblem(source, 1, 1, "", f"not valid YAML: {error}")]
    finally:
        loader.dispose()
    if root is None:
        reader.problem(None, "", "script is empty")
        return None, reader.problems
    script = convert(root, reader, script_version(text))
    problems = reader.problems
    if script is not None and not errors_in(problems):
        problems += check(script, dial_countries)
    return script, problems


def forbidden_characters(text: str, source: str = "<string>") -> list[ScriptProblem]:
    """Characters a script cannot hold (NUL and other control characters, lone surrogates: YAML refuses them,
    and a database cannot store NUL), each at its line and column; often the trace of a paste."""
    problems = []
    for found in yaml.reader.Reader.NON_PRINTABLE.finditer(text):
        start = found.start()
        line, column = text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start)
        code = ord(found.group())
        if 0xD800 <= code <= 0xDFFF:
            what = f"a broken character (U+{code:04X}, half of a pair)"
        else:
            name = {0: "NUL", 0x1B: "escape", 0x7F: "delete"}.get(code)
            what = f"a control character (U+{code:04X}{f', {name}' if name else ''})"
        problems.append(ScriptProblem(source, line, column, "", f"{what} cannot be in a script: delete it"))
        if len(problems) == MAX_CHARACTER_PROBLEMS:
            break
    return problems


def load_script_text(text: str, source: str = "<string>",
                     dial_countries: frozenset[str] | None = None) -> Script:
    """Load a script from text (an admin's browser, a test), refusing it when it has errors."""
    script, problems = parse_script(text, source, dial_countries)
    if script is None or errors_in(problems):
        raise ScriptInvalid(problems)
    return script


def load_script(path: str | Path) -> Script:
    """Load a script file, refusing it when it is too large, not UTF-8, or has errors."""
    text = read_script_text(path)
    return load_script_text(text, str(path))


def read_script_text(path: str | Path) -> str:
    """Read a script file within the size limit, as problems rather than OS errors."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ScriptInvalid([ScriptProblem(source, 1, 1, "", f"cannot read: {error.strerror}")]) from error
    if len(raw) > MAX_BYTES:
        raise ScriptInvalid(
            [ScriptProblem(source, 1, 1, "", f"script is larger than {MAX_BYTES // 1024} KiB")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScriptInvalid([ScriptProblem(source, 1, 1, "", "script is not UTF-8 text")]) from error
