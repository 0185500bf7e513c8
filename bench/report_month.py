"""A month's report over 1,000,000 events on PostgreSQL: how long `services.reports.report` takes (target <= 2 s).

Generates a month of a busy line's events (Acme Bank's departments; each call its IVR, queue, hold question,
promise, answer or abandon, talk, wrap-up, sometimes a transfer, a callback or a survey), loads them with COPY
into a database of its own (created, then dropped at the end unless --keep), lets PostgreSQL analyse the table
as autovacuum would, and times the month's report by day and by quarter hour, for the whole line and for one
department, several runs each.

    .venv/bin/python bench/report_month.py --events 1000000 --runs 5
    (BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/callflow_bench_reports, REDIS_URL as the tests')
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tqdm import tqdm

from bench.common import fresh_database, machine_speed

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/callflow_bench_reports"
LINE = "+442079460100"
DEPARTMENTS = ["cards", "card_payments", "payments", "top_ups", "cash_atm", "fees", "account", "fraud", "general"]
MONTH = datetime(2026, 11, 1, tzinfo=UTC)
COLUMNS = ("key", "call_sid", "at", "epoch", "kind", "line", "department", "agent", "seconds", "figure", "detail")


def call_events(rng: random.Random, n: int, start: float) -> list[tuple]:
    """One call's events, as rows for COPY."""
    sid = f"CA{n:032x}"
    rows: list[tuple] = []
    clock = start

    def log(kind, department=None, agent=None, seconds=None, figure=None, detail=None, after=0.0):
        nonlocal clock
        clock += after
        rows.append((f"{sid}:{len(rows)}", sid, datetime.fromtimestamp(clock, UTC), int(clock), kind, LINE,
                     department, agent, seconds, figure, json.dumps(detail or {}, sort_keys=True)))

    first = department = rng.choice(DEPARTMENTS)
    log("entered-line", detail={"direction": "inbound"})
    log("ivr-choice", detail={"step": "main"}, after=8)
    log("steering", department, figure=round(rng.random(), 2), detail={"decision": "routed"}, after=4)
    transfers = 0
    for leg in range(2):
        log("queued", department, after=1)
        estimate = rng.choice((30, 60, 90, 120, 180))
        log("hold-asked", department, figure=estimate, after=1)
        if rng.random() < 0.05:
            log("hold-answer", department, detail={"answer": "callback"}, after=3)
            log("callback-requested", department, detail={"due": None})
            log("contact-ended", first, seconds=clock - start, figure=0, detail={"outcome": "callback"}, after=1)
            return rows
        log("hold-answer", department, detail={"answer": "hold"}, after=3)
        promised = rng.random() < 0.7
        if promised:
            log("promise-made", department, figure=estimate, detail={"heard": f"about {estimate // 60} min"})
        wait = rng.expovariate(1 / 50)
        agent = f"agent{rng.randrange(60)}"
        if rng.random() < 0.12:
            log("abandoned", department, seconds=round(wait, 1), after=wait)
            if promised:
                log("promise-broken" if wait > estimate else "promise-kept", department, seconds=round(wait, 1),
                    figure=estimate)
            log("contact-ended", first, seconds=clock - start, figure=0, detail={"outcome": "abandoned"})
            return rows
        log("agent-offered", department, agent, after=wait)
        log("answered", department, agent, seconds=round(wait, 1), after=3)
        if promised:
            log("promise-kept" if wait <= estimate else "promise-broken", department, seconds=round(wait, 1),
                figure=estimate)
        talk = rng.expovariate(1 / 240)
        if leg == 0 and rng.random() < 0.08:
            to = rng.choice([d for d in DEPARTMENTS if d != department])
            log("transferred", department, agent, detail={"to": to, "warm": rng.random() < 0.5}, after=talk / 2)
            log("talk-ended", department, agent, seconds=round(talk / 2, 1))
            log("wrap-up", department, agent, seconds=20.0, after=20)
            department, transfers = to, 1
            continue
        log("talk-ended", department, agent, seconds=round(talk, 1), after=talk)
        log("disposition", department, agent, detail={"outcome": "resolved"})
        log("wrap-up", department, agent, seconds=30.0, after=30)
        break
    log("contact-ended", first, seconds=clock - start, figure=0 if transfers else 1,
        detail={"outcome": "resolved", "transfers": transfers})
    if rng.random() < 0.3:
        log("survey", department, figure=rng.randint(1, 5), after=20)
    return rows


def generate(url: str, events: int, seed: int) -> int:
    """COPY about `events` events, calls spread over the month with a working day's shape."""
    import psycopg

    rng = random.Random(seed)
    days = 30
    weights = [1 if h < 7 or h > 20 else 6 if 9 <= h <= 17 else 3 for h in range(24)]
    written = n = 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection, \
            connection.cursor() as cursor, tqdm(total=events, unit="event", desc="COPY") as bar:
        with cursor.copy(f"COPY contact_events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            while written < events:
                day = rng.randrange(days)
                hour = rng.choices(range(24), weights)[0]
                start = (MONTH + timedelta(days=day, hours=hour, seconds=rng.random() * 3600)).timestamp()
                for row in call_events(rng, n, start):
                    copy.write_row(row)
                    written += 1
                bar.update(written - bar.n)
                n += 1
        connection.commit()
        connection.autocommit = True
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE contact_events")
        print(f"{n} calls, {written} events; VACUUM ANALYZE took {time.perf_counter() - started:.1f} s")
    return written


def runtime_on(url: str):
    from callflow.runtime import Runtime
    from callflow.settings import Settings

    return Runtime(Settings(database_url=url, redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                            ivr_scripts=ROOT / "ivr_scripts"))


def time_reports(url: str, runs: int) -> list[dict]:
    from callflow.services.reports import report

    rt = runtime_on(url)
    rt.scripts  # noqa: B018 - the scripts are loaded once per process, not per report
    end = MONTH + timedelta(days=30)
    cases = [("day", None), ("day", "cards"), ("15m", None), ("15m", "cards"), (None, None)]
    results = []
    with tqdm(total=len(cases) * runs, desc="reports") as bar:
        for interval, department in cases:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                result = report(rt, MONTH, end, department=department, interval=interval)
                times.append(time.perf_counter() - started)
                bar.update(1)
            results.append({"interval": interval or "period", "department": department or "whole line",
                            "rows": len(result["rows"]) or len(result["departments"]),
                            "offered": result["totals"]["offered"], "median": statistics.median(times),
                            "max": max(times)})
    rt.close()
    return results


def drop(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's database (and reuse it)")
    parser.add_argument("--reuse", action="store_true", help="time the reports on a database kept before")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    speed = machine_speed()
    try:
        if not args.reuse:
            fresh_database(url)
            generate(url, args.events, args.seed)
        results = time_reports(url, args.runs)
    finally:
        if not args.keep:
            drop(url)
    print(f"\nmachine: {speed:.2f} s for 10M additions; {args.runs} runs per report; target <= 2 s")
    print(f"{'interval':8} {'department':11} {'rows':>6} {'offered':>8} {'median s':>9} {'max s':>7}")
    for r in results:
        print(f"{r['interval']:8} {r['department']:11} {r['rows']:6} {r['offered']:8} {r['median']:9.3f} "
              f"{r['max']:7.3f}")
    worst = max(r["max"] for r in results)
    print(f"worst: {worst:.3f} s ({'within' if worst <= 2 else 'OVER'} the 2 s target)")
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
