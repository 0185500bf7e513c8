"""Today's figures for the wallboard, worked out once for the whole centre by a worker and shared through Redis.

The reports' queries behind them take longer than a refresh may (docs/benchmarks.md, "Wallboard refresh"); run
by each web process beside the refreshes it serves they set the refreshes' p99, and with many processes the
database would answer the same question once a second per process. So a worker answers it for everyone, and a
refresh only reads the answer, in the same Redis round trip as the floor now (`store/realtime.py`, whose
script also asks for the next answer through the marks below).

- `TODAY_KEY`: the figures by department, as JSON, with the shared clock's time they are of (`at`);
- `FRESH_KEY`: lives while those figures count as fresh (about a second of real time after they were read);
- `ASKED_KEY`: a worker was asked for new figures; the refreshes of every screen in every process ask at most
  once between them, and the mark expires by itself when the job was lost with its worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

TODAY_KEY = "callflow:wallboard:today"
FRESH_KEY = TODAY_KEY + ":fresh"
ASKED_KEY = TODAY_KEY + ":asked"
ASKED_SECONDS = 15  # real seconds a job asked for may take to be run before another is asked for


@dataclass(frozen=True)
class Today:
    """Today's figures by department (the report's, `services/reports.py`) and the clock time they are of."""

    departments: dict[str, dict]
    at: float


def decode(raw: bytes | None) -> Today | None:
    """The stored figures (None: none yet, or unreadable)."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
        return Today(dict(value["departments"]), float(value["at"]))
    except (ValueError, KeyError, TypeError):
        return None


def read(connection: redis.Redis) -> Today | None:
    """The figures stored last (a refresh reads them with the floor now instead: `store/realtime.py`)."""
    return decode(connection.get(TODAY_KEY))


def save(connection: redis.Redis, today: Today, fresh_seconds: float) -> None:
    """Store new figures, fresh for `fresh_seconds` (real), and let the next refresh after that ask again."""
    value = json.dumps({"departments": today.departments, "at": today.at}, default=str, separators=(",", ":"))
    with connection.pipeline(transaction=True) as pipe:
        pipe.set(TODAY_KEY, value)
        if fresh_seconds > 0:
            pipe.set(FRESH_KEY, b"1", px=max(1, int(fresh_seconds * 1000)))
        pipe.delete(ASKED_KEY)
        pipe.execute()


def unanswered(connection: redis.Redis) -> None:
    """The figures could not be read: the last ones stay, and the next refresh asks again."""
    connection.delete(ASKED_KEY)
