"""The wallboard's refresh with 5,000 callers waiting: server time of `services.wallboard.board` and of the
`/wallboard/data` request (target <= 50 ms), the Redis round trips each refresh makes, and the worker's job that
reads today's figures for the whole centre.

Puts `--callers` callers in the departments' lines of both sample lines exactly as the app does
(`ACD.caller_waits`, a few transferred ahead with a priority, some callbacks holding places and booked in the
database), `--agents` agents in every presence, and `--today-calls` calls' events in today's event log, on
PostgreSQL and Redis of their own; then times, `--runs` times each, one after the other:
- `refresh_today(rt)`, the worker's job (job `refresh_wallboard_today`): today's figures read from the reports
  and stored in Redis for every wallboard (in service: once a second for the whole centre, while anyone watches);
- `board(rt)`, in-process, with today's figures as the job stored them;
- the JSON request through the Flask test client logged in as a supervisor (login check, board, words, JSON),
  with no worker running (the refresh alone), then as in service: a real `callflow worker` process beside it,
  on the same machine, answering the refreshes' asks for today's figures about every second.
Server time: the refresh's own, in this process.

    .venv/bin/python bench/wallboard_refresh.py --callers 5000 --runs 200
    (BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_wallboard, BENCH_REDIS_URL=redis://127.0.0.1:6379/14)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tqdm import tqdm

from bench.common import fresh_database, machine_speed, percentile

TARGET_MS = 50.0
PASSWORD = "bench-password-123"
NINE = "2026-11-24T14:00:00+00:00"  # a Tuesday afternoon: both lines open, a day's calls behind
STATES = ("available", "offered", "on-call", "wrap-up", "away")


class RoundTrips:
    """Requests written to Redis by this process (a command, a pipeline or a Lua script each)."""

    def __init__(self):
        import redis.connection

        self.count = 0
        original = redis.connection.AbstractConnection.send_packed_command

        def counted(connection, *args, **kwargs):
            self.count += 1
            return original(connection, *args, **kwargs)

        redis.connection.AbstractConnection.send_packed_command = counted


def departments_of(rt) -> list[tuple[str, str]]:
    """(line number, department) of every department of every line in service."""
    return [(script.numbers[0], dept) for script in rt.scripts.current.values() for dept in script.departments]


def fill(rt, args, rng: random.Random) -> None:
    """Callers, callbacks and agents, as the app puts them there."""
    from callflow.store.acd import CallerInfo
    from callflow.store.agents import add_agent
    from callflow.store.callbacks import request_callback
    from callflow.store.models import Agent
    from callflow.store.presence import Presence
    from callflow.store.queues import MemberKind

    now, places = rt.clock.timestamp(), departments_of(rt)
    for n in tqdm(range(args.callers), desc="callers put in line", unit="caller"):
        line, department = places[n % len(places)]
        info = CallerInfo(f"CA{n:032d}", f"+1555{n:07d}", line, department, name=None, said=("my card",),
                          path=("menu:main",), entered_at=now - rng.uniform(0, 1800))
        rt.acd.caller_waits(info, now)
        if n % 50 == 0:  # a transferred caller, ahead of those who came before
            rt.acd.queues.join(department, info.sid, entered_at=now - rng.uniform(0, 60), priority=1)
    with rt.sessions() as db:
        for n in tqdm(range(args.callbacks), desc="callbacks booked", unit="callback"):
            line, department = places[n % len(places)]
            sid = f"CB{n:032d}"
            entered = now - rng.uniform(0, 3600)
            request_callback(db, sid, f"+1556{n:07d}", line, department, datetime.fromtimestamp(now, UTC),
                             queued_at=datetime.fromtimestamp(entered, UTC))
            rt.acd.queues.join(department, sid, entered_at=entered, kind=MemberKind.CALLBACK)
        hashed = add_agent(db, "floor", "Floor Supervisor", PASSWORD, "+15550000000", [],
                           role="supervisor").password_hash
        for n in tqdm(range(args.agents), desc="agents at work", unit="agent"):
            served = sorted({places[(n + k * 7) % len(places)][1] for k in range(1 + n % 3)})
            db.add(Agent(login=f"agent{n:04d}", name=f"Agent {n}", password_hash=hashed, role="agent",
                         reach=f"+1557{n:07d}", departments=",".join(served)))  # one slow hash is enough
            db.commit()
            state = Presence(STATES[n % len(STATES)])
            rt.acd.set_presence(f"agent{n:04d}", state, served, now - 30,
                                call=f"CX{n:032d}" if state in (Presence.OFFERED, Presence.ON_CALL) else None)


def today_events(rt, args, rng: random.Random) -> None:
    """Today's calls so far in the event log, as the workers write them (queued, answered or abandoned, talk,
    wrap-up, the contact's end, some promises)."""
    from callflow.store import contact_events

    now, places = rt.clock.timestamp(), departments_of(rt)
    midnight = datetime.fromtimestamp(now, UTC).replace(hour=8, minute=0, second=0).timestamp()
    batch = []
    for n in tqdm(range(args.today_calls), desc="today's calls logged", unit="call"):
        line, department = places[n % len(places)]
        sid, at = f"CT{n:032d}", rng.uniform(midnight, now - 900)
        wait = rng.expovariate(1 / 45)
        kept = {"line": line, "department": department}
        batch.append({"key": f"{sid}:q", "call_sid": sid, "kind": "queued", "at": at, **kept})
        batch.append({"key": f"{sid}:p", "call_sid": sid, "kind": "promise-made", "at": at + 2, "figure": 60,
                      **kept})
        if rng.random() < 0.9:
            talk = rng.uniform(60, 400)
            batch += [{"key": f"{sid}:a", "call_sid": sid, "kind": "answered", "at": at + wait, "seconds": wait,
                       "agent": "agent0001", **kept},
                      {"key": f"{sid}:k", "call_sid": sid, "kind": "promise-kept" if wait <= 60 else
                       "promise-broken", "at": at + wait, "seconds": wait, "figure": 60, **kept},
                      {"key": f"{sid}:t", "call_sid": sid, "kind": "talk-ended", "at": at + wait + talk,
                       "seconds": talk, "agent": "agent0001", **kept},
                      {"key": f"{sid}:w", "call_sid": sid, "kind": "wrap-up", "at": at + wait + talk + 30,
                       "seconds": 30, "agent": "agent0001", **kept},
                      {"key": f"{sid}:e", "call_sid": sid, "kind": "contact-ended", "at": at + wait + talk,
                       "seconds": wait + talk, "figure": 1, **kept}]
        else:
            batch += [{"key": f"{sid}:x", "call_sid": sid, "kind": "abandoned", "at": at + wait, "seconds": wait,
                       **kept},
                      {"key": f"{sid}:e", "call_sid": sid, "kind": "contact-ended", "at": at + wait,
                       "seconds": wait, "figure": 0, **kept}]
        if len(batch) >= 5000 or n == args.today_calls - 1:
            with rt.sessions.begin() as db:
                contact_events.append(db, batch)
            batch = []


def timed(runs: int, what: str, refresh) -> tuple[list[float], list[int], object]:
    """Milliseconds and Redis round trips of each of `runs` refreshes, one after the other."""
    trips = ROUND_TRIPS
    millis, counts, answer = [], [], None
    for _ in tqdm(range(runs), desc=what, unit="refresh"):
        before, started = trips.count, time.perf_counter()
        answer = refresh()
        millis.append((time.perf_counter() - started) * 1000)
        counts.append(trips.count - before)
    return millis, counts, answer


ROUND_TRIPS: RoundTrips


def get(client):
    return client.get("/wallboard/data", headers={"Accept": "application/json"})


def start_worker(rt) -> subprocess.Popen:
    """A real `callflow worker` on the bench's Redis and database (the environment set in `main`), ready."""
    from rq import Worker

    log = open(Path(os.environ["CALLFLOW_INSTANCE"]) / "worker.log", "w")  # noqa: SIM115 (the worker's)
    process = subprocess.Popen([sys.executable, "-m", "callflow.cli", "worker"], stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while not Worker.all(connection=rt.redis):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start: see {log.name}")
        time.sleep(0.1)
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: list[str] | None = None) -> int:
    global ROUND_TRIPS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=5000, help="callers waiting, across every department")
    parser.add_argument("--callbacks", type=int, default=200, help="callbacks holding places in line")
    parser.add_argument("--agents", type=int, default=300, help="agents, in every presence")
    parser.add_argument("--today-calls", type=int, default=3000, help="calls already in today's event log")
    parser.add_argument("--runs", type=int, default=200, help="refreshes measured, each way")
    args = parser.parse_args(argv)

    import logging

    import redis as redis_lib

    database_url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_wallboard")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    fresh_database(database_url)
    redis_lib.Redis.from_url(redis_url).flushdb()
    os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url, TWILIO_ACCOUNT_SID="AC" + "1" * 32,
                      TWILIO_AUTH_TOKEN="bench-token", TWILIO_API_URL="http://127.0.0.1:9",
                      PUBLIC_URL="http://localhost", IVR_SCRIPTS=str(ROOT / "ivr_scripts"),
                      SECRET_KEY="bench-secret", CALLFLOW_INSTANCE=tempfile.mkdtemp(prefix="callflow-bench-"),
                      CALLFLOW_CLOCK_START=NINE)
    from callflow.services import wallboard
    from webapp import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app()
    rt = app.extensions["callflow"]
    rng = random.Random(21)
    fill(rt, args, rng)
    today_events(rt, args, rng)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"login": "floor", "password": PASSWORD, "csrf_token": token}).status_code \
        == 303
    ROUND_TRIPS = RoundTrips()

    speed = machine_speed()
    job, job_trips, stored = timed(args.runs, "refresh_today(rt), the worker's job",
                                   lambda: wallboard.refresh_today(rt))
    assert stored is True
    board_ms, board_trips, board = timed(args.runs, "board(rt), today as stored", lambda: wallboard.board(rt))
    alone, alone_trips, _ = timed(args.runs, "GET /wallboard/data, no worker", lambda: get(client))
    worker = start_worker(rt)
    try:
        before = board["today_at"]  # warmed up once the worker has answered an ask (its first job loads the scripts)
        deadline = time.monotonic() + 60
        while get(client).get_json()["board"]["today_at"] == before and time.monotonic() < deadline:
            time.sleep(0.2)
        seen: set = set()

        def refresh():
            response = get(client)
            seen.add(response.get_json()["board"]["today_at"])
            return response

        started = time.monotonic()
        data, data_trips, response = timed(args.runs, "GET /wallboard/data, worker beside it", refresh)
        span = time.monotonic() - started
    finally:
        stop_worker(worker)
    assert response.status_code == 200

    waiting = board["total"]["now"]["waiting"]
    offered = board["total"]["today"]["offered"]
    print(f"\n{waiting} callers waiting (+{args.callbacks} callbacks in line) in "
          f"{sum(len(line['departments']) for line in board['lines'])} departments of {len(board['lines'])} lines, "
          f"{args.agents} agents, {offered} calls offered today ({args.today_calls} logged); Redis and "
          f"{database_url.split('://')[0]}; {args.runs} runs each, one after the other, in-process; "
          f"machine speed {speed:.2f} s\n")
    print(f"| what | mean ms | p50 ms | p99 ms | max ms | Redis round trips | <= {TARGET_MS:.0f} ms (p99) |")
    print("|---|---|---|---|---|---|---|")
    for name, millis, trips in (("refresh_today(rt): the worker's job, once a second for the centre", job, job_trips),
                                ("board(rt), today's figures as the job stored them", board_ms, board_trips),
                                ("GET /wallboard/data, no worker running", alone, alone_trips),
                                ("GET /wallboard/data, as in service (a worker beside it)", data, data_trips)):
        verdict = "(a worker's)" if millis is job else "yes" if percentile(millis, 99) <= TARGET_MS else "NO"
        print(f"| {name} | {statistics.fmean(millis):.1f} | {percentile(millis, 50):.1f} | "
              f"{percentile(millis, 99):.1f} | {max(millis):.1f} | {statistics.fmean(trips):.1f} | {verdict} |")
    print(f"\nAs in service, today's figures were renewed {len(seen - {None})} times in {span:.1f} s of refreshes "
          f"(the worker's job, asked by a refresh once they were a second old).")
    rt.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
