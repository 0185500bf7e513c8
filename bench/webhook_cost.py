"""What one webhook costs inside the app: time and Redis round trips per webhook, in-process and one at a time.

`bench/webhooks.py` measures the app under gunicorn, where threads, processes and the load generator share two
cores; this one takes all of that away to show what each webhook itself spends. The app is created in-process
(`app.test_client()`) against Redis and PostgreSQL, `--held` callers are first put on hold (so queues are as
long as in the gunicorn benchmark), then `--calls` calls are played one after the other exactly as
bench/webhooks.py plays them (incoming, the menu by keypad, the hold question answered 1, three waitUrl
requests, the status callback). A round trip is one request written to Redis: a command, a pipeline or a
Lua script. `--profile FILE` writes cProfile statistics of the measured calls (`--profile-only KIND`: of
that kind of webhook alone). The app is readied as a gunicorn web process is before its first request
(`webapp/warm.py`: scripts and routers loaded, no check for publications per call), and the customers' names
copied to Redis as a worker does; `--cold` skips both.

    .venv/bin/python bench/webhook_cost.py --held 200 --calls 200
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database, percentile
from bench.webhooks import ACCOUNT, KINDS, TOKEN, call_script

PUBLIC_URL = "http://localhost"


class RoundTrips:
    """Counts requests written to Redis by this process (redis-py sends one per command, pipeline or script)."""

    def __init__(self):
        import redis.connection

        self.count = 0
        original = redis.connection.AbstractConnection.send_packed_command

        def counted(connection, *args, **kwargs):
            self.count += 1
            return original(connection, *args, **kwargs)

        redis.connection.AbstractConnection.send_packed_command = counted


def play(client, trips: RoundTrips, number: int, costs: dict, hang_up: bool = True, profile=None,
         only: str | None = None) -> None:
    """One call through the app (`bench.webhooks.call_script`); each webhook's milliseconds and round trips.
    With `profile`, the webhooks of kind `only` (or all) are profiled."""
    script = call_script(PUBLIC_URL, number, hang_up)
    try:
        request = next(script)
        while True:
            profiled = profile is not None and (only is None or request.kind == only)
            if profiled:
                profile.enable()
            before, started = trips.count, time.perf_counter()
            response = client.post(request.path, data=request.body,
                                   content_type="application/x-www-form-urlencoded",
                                   headers={"X-Twilio-Signature": request.signature})
            costs.setdefault(request.kind, []).append(((time.perf_counter() - started) * 1000,
                                                       trips.count - before))
            if profiled:
                profile.disable()
            if response.status_code != 200:
                raise SystemExit(f"{request.path}: HTTP {response.status_code}")
            request = script.send(response.data)
    except StopIteration:
        pass


def summary(costs: dict) -> str:
    everything = [c for kind in costs.values() for c in kind]
    rows = ["| webhook | requests | mean ms | p50 ms | p99 ms | Redis round trips |", "|---|---:|---:|---:|---:|---:|"]
    for kind in [*(k for k in KINDS.values() if k in costs), *(k for k in costs if k not in KINDS.values())]:
        values = costs[kind]
        ms = [m for m, _ in values]
        rows.append(f"| {kind} | {len(values)} | {sum(ms) / len(ms):.2f} | {percentile(ms, 50):.2f} | "
                    f"{percentile(ms, 99):.2f} | {sum(t for _, t in values) / len(values):.1f} |")
    ms = [m for m, _ in everything]
    rows.append(f"| all | {len(everything)} | {sum(ms) / len(ms):.2f} | {percentile(ms, 50):.2f} | "
                f"{percentile(ms, 99):.2f} | {sum(t for _, t in everything) / len(everything):.1f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held", type=int, default=200, help="callers put on hold first (they stay in line)")
    parser.add_argument("--calls", type=int, default=200, help="calls measured, one after the other")
    parser.add_argument("--cold", action="store_true",
                        help="skip the warm-up and the names' copy (a process that checks for publications per call)")
    parser.add_argument("--profile", help="write cProfile statistics of the measured calls to this file")
    parser.add_argument("--profile-only", choices=sorted(set(KINDS.values())),
                        help="profile only this kind of webhook")
    args = parser.parse_args(argv)

    import logging

    import redis as redis_lib
    from tqdm import tqdm

    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_cost")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
    fresh_database(database_url)
    redis_lib.Redis.from_url(redis_url).flushdb()
    os.environ.update(DATABASE_URL=database_url, REDIS_URL=redis_url, TWILIO_ACCOUNT_SID=ACCOUNT,
                      TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_URL="http://127.0.0.1:9", PUBLIC_URL=PUBLIC_URL,
                      IVR_SCRIPTS=str(ROOT / "ivr_scripts"), SECRET_KEY="bench-secret",
                      CALLFLOW_INSTANCE=tempfile.mkdtemp(prefix="callflow-bench-"),
                      CALLFLOW_CLOCK_START="2026-11-24T10:00:00+00:00")  # a Tuesday morning: all open
    from webapp import create_app

    app = create_app()
    client = app.test_client()
    if not args.cold:  # as a web process serves once gunicorn's post_worker_init has run, a worker has copied names
        from callflow.services.ivr import copy_customer_names
        from webapp.warm import warm_up_app

        warm_up_app(app, keeper=False)
        copy_customer_names(app.extensions["callflow"])
    logging.getLogger("webhooks").setLevel(logging.WARNING)  # one INFO line per call is not what is measured
    trips, costs = RoundTrips(), {}
    for n in tqdm(range(args.held), desc="callers put on hold", unit="call"):
        play(client, trips, n, {}, hang_up=False)
    profile = None
    if args.profile:
        profile = cProfile.Profile()
    for n in tqdm(range(args.calls), desc="calls measured", unit="call"):
        play(client, trips, 1_000_000 + n, costs, profile=profile, only=args.profile_only)
    if profile:
        profile.dump_stats(args.profile)
    print(f"\n{args.calls} calls played one after the other in-process, {args.held} callers on hold, "
          f"Redis and {database_url.split('://')[0]}\n")
    print(summary(costs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
