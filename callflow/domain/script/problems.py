"""What is wrong with a script, and where: the one error type the loader, linter and library share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    """Errors stop a script from being published; warnings are advice."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ScriptProblem:
    """One mistake in a script, named by file, line, column (1-based) and dotted field path."""

    path: str
    line: int
    column: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity.value} {self.field}: {self.message}"


class ScriptInvalid(Exception):
    """A script that must not run: carries every problem found, errors first."""

    def __init__(self, problems: list[ScriptProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.severity != Severity.ERROR, p.line, p.column))
        errors = [p for p in self.problems if p.severity == Severity.ERROR]
        first = str(errors[0]) if errors else "no errors"
        super().__init__(f"{len(errors)} error(s) in script; first: {first}")


def errors_in(problems: list[ScriptProblem]) -> list[ScriptProblem]:
    """Keep only the problems that block publication."""
    return [p for p in problems if p.severity == Severity.ERROR]
