"""Drain 1,000 due callbacks with 4 real RQ workers against the local carrier: lag from due time to dial,
and duplicates (must be 0).

Each callback is booked for a time (spread over `--spread` seconds) and scheduled through the RQ scheduler;
at its time a worker puts it in line, it meets a free agent and is dialled under a claim. Lag = when the
carrier received the call - the callback's due time (real clock, rate 1). Customers' phones are busy, so
each dial is one short call and the retry lies beyond the run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/callback_drain.py --callbacks 1000 --workers 4 --rate 100
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCOUNT = "AC" + "2" * 32
TOKEN = "bench-auth-token"
LINE = "+15005550006"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1.0, help="outbound calls per second (the account's)")
    parser.add_argument("--spread", type=float, default=100.0, help="seconds over which due times are spread")
    parser.add_argument("--fork", action="store_true", help="workers fork a work-horse per job (RQ's default)")
    args = parser.parse_args(argv)

    import redis as redis_lib
    from rq import Worker
    from sqlalchemy import insert, text, update
    from tqdm import tqdm
    from werkzeug.serving import make_server

    from callflow.carrier import Caller, Carrier
    from callflow.runtime import Runtime
    from callflow.settings import Settings
    from callflow.store import db
    from callflow.store.acd import CallerInfo
    from callflow.store.callback_timer import CallbackTimer
    from callflow.store.models import Agent, Base, Callback
    from callflow.store.presence import Presence
    from webapp import create_app

    database_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    url = Settings(database_url=database_url).effective_database_url()
    engine = db.make_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.upgrade(url)
    redis_lib.Redis.from_url(redis_url).flushdb()

    server = make_server("127.0.0.1", 0, None, threaded=True)
    public_url = f"http://127.0.0.1:{server.server_port}"
    carrier = Carrier(account_sid=ACCOUNT, auth_token=TOKEN, rate=1.0).start()
    carrier.add_number(LINE, voice_url=f"{public_url}/voice/incoming", status_callback=f"{public_url}/voice/status")
    settings = Settings(database_url=database_url, redis_url=redis_url, twilio_account_sid=ACCOUNT,
                        twilio_auth_token=TOKEN, twilio_api_url=carrier.url, public_url=public_url,
                        ivr_scripts=ROOT / "ivr_scripts", outbound_calls_per_second=args.rate)
    app = create_app(settings)
    server.app = app
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rt: Runtime = app.extensions["callflow"]

    n = args.callbacks
    later = rt.clock.now() + timedelta(days=1)  # the due times are set once the workers are up
    phones = [f"+1555{k:07d}" for k in range(n)]
    with rt.sessions() as session:
        session.execute(insert(Agent), [{"login": f"a{k}", "name": f"A{k}", "password_hash": "-", "role": "agent",
                                         "reach": f"+1555900{k:04d}", "departments": "fraud"} for k in range(n)])
        session.execute(insert(Callback), [
            {"call_sid": f"CA{k:032x}", "phone": phones[k], "line": LINE, "department": "fraud",
             "state": "scheduled", "attempts": 0, "created_at": rt.clock.now(), "updated_at": rt.clock.now(),
             "queued_at": rt.clock.now(), "due_at": later} for k in range(n)])
        session.commit()
        ids = dict(session.execute(text("SELECT call_sid, id FROM callbacks")).all())
    for k in range(n):
        carrier.add_phone(phones[k], Caller(pickup="busy"))
        rt.acd.set_presence(f"a{k}", Presence.AVAILABLE, ["fraud"], rt.clock.timestamp())
        rt.redis.hset("callflow:call-info:" + f"CA{k:032x}", mapping={
            **CallerInfo(f"CA{k:032x}", phones[k], LINE, "fraud").to_redis(), "callback": "1"})
    env = dict(os.environ, TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_URL=carrier.url,
               PUBLIC_URL=public_url, IVR_SCRIPTS=str(ROOT / "ivr_scripts"), CALLFLOW_OUTBOUND_RATE=str(args.rate))
    command = [sys.executable, "-m", "callflow.cli", "worker"] + (["--fork"] if args.fork else [])
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(args.workers)]
    # Measure the drain, not the workers' start-up: due times begin 2 s after every worker is listening.
    ready = time.monotonic() + 120
    while len(Worker.all(connection=rt.redis)) < args.workers and time.monotonic() < ready:
        time.sleep(0.1)
    start = rt.clock.now() + timedelta(seconds=2)
    due = [start + timedelta(seconds=args.spread * k / n) for k in range(n)]
    with rt.sessions() as session:
        session.execute(update(Callback), [{"id": ids[f"CA{k:032x}"], "due_at": due[k]} for k in range(n)])
        session.commit()
    timer = CallbackTimer(rt.redis, rt.clock)
    for k in range(n):  # booked as the product books a callback for a chosen time
        timer.book(ids[f"CA{k:032x}"], due[k])

    wanted = set(phones)
    try:
        with tqdm(total=n, unit="dial") as bar:
            seen = 0
            deadline = time.monotonic() + args.spread + 60 + n / args.rate
            while seen < n and time.monotonic() < deadline:
                now_seen = len({c.to for c in list(carrier.calls.values()) if c.to in wanted})
                bar.update(now_seen - seen)
                seen = now_seen
                time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    calls = [c for c in list(carrier.calls.values()) if c.to in wanted]
    first = {}
    for call in calls:
        first.setdefault(call.to, call.created_at)
    lags = sorted(first[phones[k]] - due[k].timestamp() for k in range(n) if phones[k] in first)
    duplicates = len(calls) - len(first)

    def pct(p: float) -> float:
        return lags[min(len(lags) - 1, int(p / 100 * len(lags)))] if lags else float("nan")

    print("\n| callbacks | workers | outbound rate | dialled | duplicates | lag p50 | lag p95 | lag p99 | max |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {n} | {args.workers} | {args.rate:g}/s | {len(first)} | {duplicates} | {pct(50):.2f} s | "
          f"{pct(95):.2f} s | {pct(99):.2f} s | {max(lags) if lags else float('nan'):.2f} s |")
    carrier.stop()
    server.shutdown()
    return 0 if duplicates == 0 and len(first) == n else 1


if __name__ == "__main__":
    sys.exit(main())
