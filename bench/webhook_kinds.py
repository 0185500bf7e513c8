"""Each webhook's throughput on its own, against Flask's ceiling and the floor, in one run (issue 22's "each
other webhook's throughput >= 25% too").

bench/webhooks.py measures whole calls: a mix in which the cheap webhooks hide the dear ones. Here each kind
is measured alone. For a kind, enough calls are first played through the app, exactly as Twilio plays them
(bench/webhooks.py `call_script`), up to that kind's request, which is signed and kept but not sent:
the status callback of a call on hold, the hold question's answer of a call just asked, the menu's keypress
of a call just greeted, a waitUrl request of a caller on hold, or a new call's /voice/incoming. Then
`--calls` keep-alive callers send those requests as fast as the app answers (saturation), each request once
(a waitUrl request may be sent again: Twilio repeats it for as long as the caller holds), for `--seconds` or
until the prepared requests run out. Flask's ceiling and the floor (bench/bare_app.py, started with the
kind's mean answer size) are sent the same requests in the same run, one phase after the other; with
`--rounds N` the three take turns N times (fresh requests for ours each round), so a shared machine's drift
lands on all three alike, and the median of the rounds' ratios is given.

    .venv/bin/python bench/webhook_kinds.py --calls 50 --seconds 5 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import webhooks as wh
from bench.common import copy_customer_names, free_port, fresh_database, machine_speed, percentile

KINDS = ("incoming", "gather", "hold-choice", "waitUrl", "status")
REPEATABLE = {"waitUrl"}


async def prepare(kind: str, port: int, public_url: str, count: int, callers: int, bar) -> list[wh.Request]:
    """`count` requests of `kind`, each the next request of a call played up to it (sent nothing of it)."""
    prepared: list[wh.Request] = []
    phase = wh.Phase("preparing")

    async def caller(n: int) -> None:
        me = wh.Caller(n, port, public_url, phase, 0)
        while len(prepared) < count:
            play = wh.call_script(public_url, next(wh.CALLER_NUMBERS))
            request = next(play)
            try:
                while request.kind != kind:
                    request = play.send(await me.send(request))
            except StopIteration:
                continue
            prepared.append(request)
            bar.update(1)
        me.connection.close()

    await asyncio.gather(*(caller(n) for n in range(callers)))
    if phase.errors:
        raise SystemExit(f"{phase.errors} errors while preparing {kind} requests")
    return prepared[:count]


async def saturate(phase: wh.Phase, port: int, requests: list[wh.Request], callers: int, seconds: float,
                   repeat: bool) -> None:
    """`callers` connections sending `requests` (each once, or round and round when `repeat`) for `seconds`."""
    deadline = time.perf_counter() + seconds
    started, cpu = time.perf_counter(), time.process_time()
    turn = iter(range(10**9))

    async def caller(n: int) -> None:
        me = wh.Caller(n, port, "", phase, 0)
        while time.perf_counter() < deadline:
            k = next(turn)
            if k >= len(requests) and not repeat:
                break
            await me.send(requests[k % len(requests)])
        me.connection.close()

    await asyncio.gather(*(caller(n) for n in range(callers)))
    phase.seconds = time.perf_counter() - started
    phase.client_cpu = (time.process_time() - cpu) / phase.seconds


def rate(phase: wh.Phase) -> float:
    return phase.count() / phase.seconds if phase.seconds else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="concurrent keep-alive connections (callers)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each saturation phase")
    parser.add_argument("--prepare", type=int, default=4000,
                        help="requests prepared per kind (a phase ends early when they run out)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="ours, ceiling and floor in turn this many times per kind (the median ratio is given)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="the webhooks measured, comma-separated")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (callflow serve's default)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (as callflow serve)")
    args = parser.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    if unknown := set(kinds) - set(KINDS):
        raise SystemExit(f"--kinds: unknown {sorted(unknown)}; known: {', '.join(KINDS)}")

    import redis as redis_lib
    from tqdm import tqdm

    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11")
    fresh_database(database_url)
    redis_lib.Redis.from_url(redis_url).flushdb()
    speed = machine_speed()
    ours_port = free_port()
    public_url = f"http://127.0.0.1:{ours_port}"
    env = wh.app_environment(database_url, redis_url, public_url)
    copy_customer_names(env)  # as the worker does after a start
    ours = wh.gunicorn("webapp:create_app()", ours_port, env, args.workers, args.threads)
    results: list[tuple[str, wh.Phase, wh.Phase, wh.Phase, int]] = []
    try:
        asyncio.run(wh.run_phase(wh.Phase("warm-up"), ours_port, public_url, 8, 5, 0, None, None, lambda _: None))
        for kind in kinds:
            count = min(args.prepare, 400) if kind in REPEATABLE else args.prepare * args.rounds
            with tqdm(total=count, unit="req", desc=f"{kind}: preparing") as bar:
                requests = asyncio.run(prepare(kind, ours_port, public_url, count, args.calls, bar))
            bare: dict = {}
            try:
                rounds = []
                with tqdm(total=3 * args.rounds, unit="phase", desc=f"{kind}: saturation") as bar:
                    for r in range(args.rounds):
                        mine = requests if kind in REPEATABLE else requests[r * args.prepare:(r + 1) * args.prepare]
                        phases = [wh.Phase(f"{kind}, ours"), wh.Phase(f"{kind}, ceiling"), wh.Phase(f"{kind}, floor")]
                        asyncio.run(saturate(phases[0], ours_port, mine, args.calls, args.seconds,
                                             kind in REPEATABLE))
                        bar.update(1)
                        size = sum(phases[0].sizes) // max(1, len(phases[0].sizes))
                        for name, floor in (("ceiling", False), ("floor", True)):  # started once, answering as much
                            if name not in bare:
                                port = free_port()
                                extra = {"BENCH_TWIML_BYTES": str(size), **({"BENCH_FLOOR": "1"} if floor else {})}
                                bare[name] = (port, wh.gunicorn("bare_app:create_app()", port, dict(env, **extra),
                                                                args.workers, args.threads, chdir=ROOT / "bench"))
                        sent = mine[:phases[0].count()] if kind not in REPEATABLE else mine
                        for phase, name in ((phases[1], "ceiling"), (phases[2], "floor")):
                            asyncio.run(saturate(wh.Phase("warm-up"), bare[name][0], sent, 8, 1, True))
                            asyncio.run(saturate(phase, bare[name][0], sent, args.calls, args.seconds, True))
                            bar.update(1)
                        rounds.append(phases)
            finally:
                for _, process in bare.values():
                    process.terminate()
                    process.wait(timeout=30)
            results.append((kind, rounds))
    finally:
        ours.terminate()
        ours.wait(timeout=30)
    print(f"\nmachine speed {speed:.2f} s (bench/common.py machine_speed, lower is faster); {args.calls} "
          f"connections, gunicorn --workers {args.workers} --threads {args.threads}, {os.cpu_count()} cores\n")
    print("| webhook | round | requests | ours req/s | ceiling req/s | **ours / ceiling** | floor / ceiling "
          "| ours p50 / p99 ms | errors | answer bytes |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed, medians = False, []
    for kind, rounds in results:
        ratios = []
        for r, (ours_phase, ceiling, floor) in enumerate(rounds, 1):
            values = ours_phase.all()
            failed |= bool(ours_phase.errors)
            ratios.append(rate(ours_phase) / rate(ceiling))
            size = sum(ours_phase.sizes) // max(1, len(ours_phase.sizes))
            print(f"| {kind} | {r} | {ours_phase.count()} | {rate(ours_phase):.0f} | {rate(ceiling):.0f} | "
                  f"**{ratios[-1]:.0%}** | {rate(floor) / rate(ceiling):.0%} | "
                  f"{percentile(values, 50):.1f} / {percentile(values, 99):.1f} | {ours_phase.errors} | {size} |")
        medians.append((kind, statistics.median(ratios), min(ratios), max(ratios)))
    if args.rounds > 1:
        print("\n| webhook | **ours / ceiling, median of rounds** | range |")
        print("|---|---:|---|")
        for kind, median, low, high in medians:
            print(f"| {kind} | **{median:.0%}** | {low:.0%}-{high:.0%} |")
    print("\nissue 22's target: each webhook >= 25% of the ceiling")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
