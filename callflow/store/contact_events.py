"""The event log: what happened to every contact, one row per event, append-only (table `contact_events`).

Written by workers only (`services.summaries`, with the summary, and the callback state changes), never while a
caller waits; read by the reports, the wallboard and the metrics. Each event carries a `key` naming where it
came from, and a key already logged is skipped, so a job that runs twice, or a summary written again after the
disposition or the survey, adds only what is new: every event is logged exactly once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import and_, case, func, literal_column, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callflow.domain.reports import ERROR_BINS, KINDS, WAIT_BINS
from callflow.store.models import ContactEvent


def append(session: Session, events: list[dict]) -> None:
    """Add the events whose keys are not logged yet, in the caller's transaction (one statement; a key already
    logged, by this writer before or by another at the same moment, is skipped by the database itself).

    Each event is a dict with `key`, `call_sid`, `kind`, `at` (seconds since 1970, UTC) and optionally `line`,
    `department`, `agent`, `seconds`, `figure` and `detail` (a dict), as `domain.contact_events` builds them.
    """
    if not events:
        return
    rows = [{"key": e["key"], "call_sid": e["call_sid"], "kind": e["kind"],
             "at": datetime.fromtimestamp(e["at"], UTC), "epoch": int(e["at"]), "line": e.get("line") or "",
             "department": e.get("department"), "agent": e.get("agent"), "seconds": e.get("seconds"),
             "figure": e.get("figure"), "detail": json.dumps(e.get("detail") or {}, sort_keys=True)}
            for e in events]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A Core statement, compiled once per process and sent with every row in one round trip.
    statement = dialect.insert(ContactEvent.__table__).on_conflict_do_nothing(index_elements=["key"])
    session.connection().execute(statement, rows)


def events_of(session: Session, call_sid: str) -> list[dict]:
    """One contact's events in the order they were logged."""
    query = select(ContactEvent).where(ContactEvent.call_sid == call_sid).order_by(ContactEvent.id)
    return [{"key": row.key, "call_sid": row.call_sid, "kind": row.kind, "at": row.at.timestamp(),
             "line": row.line, "department": row.department, "agent": row.agent, "seconds": row.seconds,
             "figure": row.figure, "detail": json.loads(row.detail or "{}")} for row in session.scalars(query)]


# Reading the log for reports (issue 21, `services/reports.py`; the figures are defined in docs/reports.md).
# Each query reads one period [start, end) of `epoch` with the index (kind, epoch, department) and groups in the
# database, so a month of a busy centre comes back as a few thousand rows, never as its events.


def _int(value: int):
    """A whole number written into the SQL, so the same bucket expression in SELECT and GROUP BY matches."""
    return literal_column(str(int(value)))


def _bucket(size: int | None, offset: int):
    """The start (epoch) of the bucket of `size` seconds an event falls in, buckets starting where
    (epoch + offset) is a multiple of size: integer arithmetic PostgreSQL and SQLite do alike."""
    if not size:
        return _int(0)
    return ContactEvent.epoch - (ContactEvent.epoch + _int(offset)) % _int(size)


def _bin(value, edges: tuple[int, ...]):
    """The index of the bin a value falls in: 0 below edges[0], len(edges) at or above the last edge."""
    return case(*[(value < _int(edge), _int(index)) for index, edge in enumerate(edges)], else_=_int(len(edges)))


def _period(query, start: int, end: int, department: str | None, kinds):
    query = query.where(ContactEvent.kind.in_(kinds), ContactEvent.epoch >= start, ContactEvent.epoch < end)
    return query.where(ContactEvent.department == department) if department else query


def period_counts(session: Session, start: int, end: int, *, department: str | None = None,
                  bucket_seconds: int | None = None, bucket_offset: int = 0, targets: dict[str, float] | None = None,
                  default_target: float = 60, short_abandon_seconds: float = 5) -> list[dict]:
    """Per department and bucket, the counts and sums the report's figures are made of (the names of
    `domain.reports.COUNTS`): events of each kind, the waits of answered and abandoned calls (sum, longest,
    within the department's target, short, after the target), talk, wrap-up, first time right and survey scores.
    `bucket` is the bucket's start (epoch), 0 for the whole period (no `bucket_seconds`).

    One row per department and bucket, each figure a conditional aggregate (CASE on the kind), so a month by
    quarter hours comes back as departments x 2,880 rows whatever the number of events."""
    kind, seconds, figure = ContactEvent.kind, ContactEvent.seconds, ContactEvent.figure
    target = case(targets, value=ContactEvent.department, else_=default_target) if targets else \
        literal_column(repr(float(default_target)))
    short = short_abandon_seconds

    def count(name: str, *more):
        return func.count(case((and_(kind == name, *more), _int(1)))).label(f"n:{name}")

    def total(name: str, value, label: str):
        return func.sum(case((kind == name, value))).label(label)

    bucket = _bucket(bucket_seconds, bucket_offset).label("bucket")
    columns = [count(name) for name in KINDS] + [
        total("answered", seconds, "answered_wait"),
        func.max(case((kind == "answered", seconds))).label("answered_wait_max"),
        func.max(case((kind == "abandoned", seconds))).label("abandoned_wait_max"),
        func.count(case((and_(kind == "answered", seconds <= target), _int(1)))).label("answered_within_target"),
        func.count(case((and_(kind == "abandoned", seconds < short), _int(1)))).label("abandoned_short"),
        func.count(case((and_(kind == "abandoned", seconds > target, seconds >= short), _int(1))))
        .label("abandoned_after_target"),
        total("talk-ended", seconds, "talk"), total("wrap-up", seconds, "wrap_up"),
        total("contact-ended", figure, "first_time_right"), total("survey", figure, "survey_score"),
        func.count(case((kind == "survey", figure))).label("surveys"),
    ]
    query = select(ContactEvent.department, bucket, *columns)
    # The whole period is one bucket: grouped by department alone (GROUP BY 0 would name a column).
    query = query.group_by(ContactEvent.department, *([bucket] if bucket_seconds else []))
    query = _period(query, start, end, department, KINDS)
    if session.get_bind().dialect.name == "postgresql":  # a month by quarter hours hashes in memory
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL enable_sort = off"))
    result = session.connection().execute(query)  # Core: 22,000 rows without the ORM's handling of each
    names = [key.removeprefix("n:") for key in result.keys()]  # noqa: SIM118 - a Result, not a dict
    return [dict(zip(names, row, strict=True)) for row in result.all()]  # fetched at once, not row by row


def transfer_counts(session: Session, start: int, end: int, department: str | None = None) -> list[dict]:
    """Transfers in the period by the department they left and their detail (JSON: `to`, `warm`)."""
    query = select(ContactEvent.department, ContactEvent.detail, func.count().label("count")) \
        .group_by(ContactEvent.department, ContactEvent.detail)
    query = _period(query, start, end, department, ("transferred",))
    return [{"from": row.department, "count": row.count, **json.loads(row.detail or "{}")}
            for row in session.execute(query)]


def promise_errors(session: Session, start: int, end: int, department: str | None = None) -> list[dict]:
    """Settled promises by department, kind (kept, broken) and bin of error (`seconds` waited minus `figure`
    promised, bins at ERROR_BINS): how many, and the sums of promises, waits, errors and absolute errors."""
    error = ContactEvent.seconds - ContactEvent.figure
    error_bin = _bin(error, ERROR_BINS).label("bin")
    query = select(
        ContactEvent.department, ContactEvent.kind, error_bin, func.count().label("count"),
        func.sum(ContactEvent.figure).label("promised_sum"), func.sum(ContactEvent.seconds).label("waited_sum"),
        func.sum(error).label("error_sum"), func.sum(func.abs(error)).label("abs_error_sum"),
    ).where(ContactEvent.seconds.is_not(None), ContactEvent.figure.is_not(None)) \
        .group_by(ContactEvent.department, ContactEvent.kind, error_bin)
    query = _period(query, start, end, department, ("promise-kept", "promise-broken"))
    return [dict(row._mapping) for row in session.execute(query)]


def wait_bins(session: Session, start: int, end: int, department: str | None = None) -> list[dict]:
    """Answered and abandoned waits by department, kind and bin (upper edges at WAIT_BINS): how many."""
    wait_bin = _bin(ContactEvent.seconds, WAIT_BINS).label("bin")
    query = select(ContactEvent.department, ContactEvent.kind, wait_bin, func.count().label("count")) \
        .where(ContactEvent.seconds.is_not(None)).group_by(ContactEvent.department, ContactEvent.kind, wait_bin)
    query = _period(query, start, end, department, ("answered", "abandoned"))
    return [dict(row._mapping) for row in session.execute(query)]
