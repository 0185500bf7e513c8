"""What logging a call's events costs the worker that writes its summary (issue 21).

The event log is written by workers, with the summary, in one transaction: no webhook writes it, so a caller
never waits for it (the webhooks' own time, before and after, is `bench/compare_trees.py --only "webhook cost"`).
This measures what it adds where it is written: for `--calls` calls with a hold log of a held, answered and
wrapped-up call (15 entries, as `tests/unit/test_contact_events.py` builds), the time to save the summary
alone against the time to build the events, add them and save the summary, on one database, alternating call by
call so the machine's drift lands on both; then the same call written again (a disposition filed later: its
events are all logged already, only the check runs).

    .venv/bin/python bench/event_log_cost.py --calls 500 --database postgresql://postgres@127.0.0.1:5432/bench_events
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tqdm import tqdm

from bench.common import fresh_database, percentile

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC).timestamp()


def hold_log(t0: float) -> list[dict]:
    return [
        {"event": "routed", "at": t0 + 10, "department": "cards"},
        {"event": "permission-asked", "at": t0 + 10, "estimate": 120, "expected": 90},
        {"event": "hold-accepted", "at": t0 + 14},
        {"event": "promise", "at": t0 + 14, "seconds": 150, "figure": 120, "words": "about 2 minutes"},
        {"event": "promise-broken", "at": t0 + 170},
        {"event": "promise", "at": t0 + 170, "seconds": 90, "figure": 60, "words": "about a minute"},
        {"event": "agent-offered", "at": t0 + 200, "agent": "ann"},
        {"event": "promise-kept", "at": t0 + 210},
        {"event": "agent-answered", "at": t0 + 210, "agent": "ann", "waited": 200},
        {"event": "transfer", "at": t0 + 300, "agent": "ann", "warm": False, "from": "cards", "to": "fraud"},
        {"event": "routed", "at": t0 + 300, "department": "fraud"},
        {"event": "agent-left", "at": t0 + 301, "agent": "ann", "duration": 91},
        {"event": "agent-answered", "at": t0 + 320, "agent": "bob", "waited": 310},
        {"event": "agent-left", "at": t0 + 390, "agent": "bob", "duration": 70},
        {"event": "wrap-up-ended", "at": t0 + 420, "agent": "bob", "seconds": 30},
    ]


def inputs(n: int) -> dict:
    sid, t0 = f"CA{n:032d}", T0 + 60 * n
    call = {"sid": sid, "caller": "+15551230002", "called": "+15005550006", "direction": "inbound",
            "status": "completed", "started_at": datetime.fromtimestamp(t0, UTC).isoformat(),
            "ended_at": datetime.fromtimestamp(t0 + 400, UTC).isoformat(), "duration_seconds": 400,
            "department": "fraud", "script_version": "v1"}
    return {"call": call, "ivr": {"path": ["menu:main", "steer:route:cards:0.91"], "said": ["I lost my card"],
                                  "pressed": []}, "timeline": hold_log(t0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/bench_events")
    args = parser.parse_args()

    from callflow.domain.contact_events import events_of
    from callflow.domain.summary import build_summary
    from callflow.store import contact_events, db, summaries

    fresh_database(args.database)
    sessions = db.session_factory(db.make_engine(args.database))
    now = datetime.now(UTC)

    def summary_only(found: dict) -> None:
        events = events_of(found["call"], found["ivr"], found["timeline"], [])
        with sessions() as session:
            summaries.save_summary(session, build_summary(found["call"], found["ivr"], [], None, None,
                                                          events=events), now)

    def with_events(found: dict) -> None:
        events = events_of(found["call"], found["ivr"], found["timeline"], [])
        with sessions() as session:
            contact_events.append(session, events)
            summaries.save_summary(session, build_summary(found["call"], found["ivr"], [], None, None,
                                                          events=events), now)

    times: dict[str, list[float]] = {"summary alone": [], "summary + events": [], "written again": []}
    for n in range(20):  # warm up connections and statement caches
        with_events(inputs(1_000_000 + n))
    for n in tqdm(range(args.calls), desc="calls", unit="call"):
        first, second = inputs(2 * n), inputs(2 * n + 1)
        pairs = [("summary alone", summary_only, first), ("summary + events", with_events, second)]
        for name, write, found in (pairs if n % 2 == 0 else pairs[::-1]):
            start = time.perf_counter()
            write(found)
            times[name].append(1000 * (time.perf_counter() - start))
        start = time.perf_counter()
        with_events(second)
        times["written again"].append(1000 * (time.perf_counter() - start))
    with sessions() as session:
        rows = session.query(contact_events.ContactEvent).count()

    print(f"\n{args.calls} calls of each kind, {rows} events logged, database {args.database.split('@')[-1]}")
    print(f"{'write':<20}{'mean ms':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, values in times.items():
        print(f"{name:<20}{statistics.mean(values):>10.2f}{percentile(values, 50):>10.2f}"
              f"{percentile(values, 99):>10.2f}")
    added = statistics.mean(times["summary + events"]) - statistics.mean(times["summary alone"])
    print(f"events add {added:.2f} ms to the worker's write of a call (mean); webhooks: none")


if __name__ == "__main__":
    main()
