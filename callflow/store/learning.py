"""What call steering learns from: the words of transferred callers, and labelled history an administrator imports.

Transfers give the department that finally served the caller. Imported history (past calls' words with the
department and, where the centre records one, the reason code agents filed) may also carry a topic: the
router then learns topics as classes of their own and adds them up per department, which on Banking77 is
worth 0.2 points of department accuracy over departments alone (docs/benchmarks.md).
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from datetime import datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.domain.languages import LANGUAGE_TAG
from callflow.domain.steering.labels import TOPIC
from callflow.store.models import LearnedExample

_MAX_FIELD = 64  # department and topic columns' width
_MAX_TEXT = 2000  # one caller's words; longer is not an utterance
_MAX_PROBLEMS = 20  # an import refused for a wrong file should not print ten thousand lines


class HistoryRejected(ValueError):
    """An import refused as a whole (nothing written): every problem as "file:line: field: message"."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and more; first {_MAX_PROBLEMS} shown)" if len(problems) >= _MAX_PROBLEMS else ""
        super().__init__(f"{len(problems)} problem(s){more}:\n" + "\n".join(problems))


def record_misroute(session: Session, words: list[str] | tuple[str, ...], served_by: str,
                    routed_to: str | None, call_sid: str, now: datetime,
                    language: str | None = None) -> list[LearnedExample]:
    """Store what the caller said as examples for the department that finally served them, in the language
    the call was answered in (that language's router learns them)."""
    examples = [LearnedExample(text=text.strip(), department=served_by, wrong_department=routed_to,
                               call_sid=call_sid, created_at=now, language=language or None)
                for text in words if text and text.strip()]
    session.add_all(examples)
    session.commit()
    return examples


def learned_examples(session: Session, include_removed: bool = False) -> list[LearnedExample]:
    """Learned examples, newest first (what administrators review)."""
    query = select(LearnedExample).order_by(LearnedExample.created_at.desc(), LearnedExample.id.desc())
    if not include_removed:
        query = query.where(LearnedExample.removed.is_(False))
    return list(session.scalars(query))


def remove_example(session: Session, example_id: int) -> bool:
    """Take an example out of training (kept for the record); False when there is no such example."""
    example = session.get(LearnedExample, example_id)
    if example is None or example.removed:
        return False
    example.removed = True
    session.commit()
    return True


def import_history(session: Session, stream: TextIO, departments: Collection[str], now: datetime,
                   name: str = "<stdin>") -> int:
    """Import labelled past calls from a CSV with `text` and `department` columns, an optional `topic` and an
    optional `language` (es-US: the router of that language learns the row; without it, the words' language).

    All or nothing: a row with no words, an unknown department or an over-long field refuses the whole file
    with the file, line and field of each problem, so a half-imported history never trains a router.
    """
    reader = csv.DictReader(stream)
    missing = [c for c in ("text", "department") if c not in (reader.fieldnames or [])]
    if missing:
        raise HistoryRejected([f"{name}:1: {c}: missing column (header needs text,department[,topic])"
                               for c in missing])
    examples: list[LearnedExample] = []
    problems: list[str] = []
    for row in reader:
        text, department = (row.get("text") or "").strip(), (row.get("department") or "").strip()
        topic = (row.get("topic") or "").strip() or None
        language = (row.get("language") or "").strip() or None
        problems += [f"{name}:{reader.line_num}: {field}: {message}"
                     for field, message in _row_problems(text, department, topic, departments)]
        if language and not LANGUAGE_TAG.match(language):
            problems.append(f"{name}:{reader.line_num}: language: '{language}' is not a language tag like en-US")
        if len(problems) >= _MAX_PROBLEMS:
            break
        examples.append(LearnedExample(text=text, department=department, topic=topic, created_at=now,
                                       language=language))
    if problems:
        raise HistoryRejected(problems)
    session.add_all(examples)
    session.commit()
    return len(examples)


def _row_problems(text: str, department: str, topic: str | None,
                  departments: Collection[str]) -> list[tuple[str, str]]:
    """(field, what is wrong) for one row of imported history; empty when it can be imported."""
    problems = []
    if not text:
        problems.append(("text", "empty"))
    elif len(text) > _MAX_TEXT:
        problems.append(("text", f"longer than {_MAX_TEXT} characters"))
    if department not in departments:
        known = ", ".join(sorted(departments))
        problems.append(("department", f"{department!r} is not a department of the scripts ({known})"))
    if topic and (len(topic) > _MAX_FIELD or TOPIC in topic):
        problems.append(("topic", f"longer than {_MAX_FIELD} characters or contains {TOPIC!r}"))
    return problems


def training_pairs(session: Session) -> list[tuple[str, str, str | None]]:
    """(text, label, language) for the router, oldest first so later corrections win.

    The label is the department, or "department/topic" for imported history that names a topic; the language
    is the one the words were said in, None where it is not known (the router finds it from the words).
    """
    return [(e.text, e.label, e.language) for e in reversed(learned_examples(session))]
