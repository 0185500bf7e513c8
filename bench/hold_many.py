"""10,000 callers on hold at once, each asking for the hold music every 30 s, from a light load generator.

bench/hold.py plays every call through the local carrier, a thread per call that interprets the TwiML: the
whole product, but at 10,000 calls the carrier itself (10,000 threads, one lock, transcripts of millions of
objects) is the bottleneck on two cores and reports its own stalls as latency. Twilio's side of a hold is
simple (a waitUrl request every time the music ends), so here one asyncio process plays it: `--callers`
calls are put through the IVR exactly as Twilio would play them (bench/webhooks.py `call_script`: incoming,
the menu by keypad, "1" to hold), `--ramp` a second, then each caller on hold sends its signed waitUrl
request every `--every` seconds (the first at a random moment within the first period, QueueTime counting
up) for `--hold` seconds, over a pool of `--connections` keep-alive connections (Twilio's senders). No agent
is at work, so every caller stays on hold, with estimates and promises live.

The app runs as in production: gunicorn `--workers 2 --threads 16` with `webapp/gunicorn_config.py` (the
warm-up), against Redis and PostgreSQL. Reported: waitUrl latency while all hold (p50, p99, max), errors
(non-200 or not TwiML), the rate asked and delivered, the load generator's CPU and the web processes' CPU
(cores), and Redis memory per waiting call (INFO used_memory once all hold, less before the first call).

    .venv/bin/python bench/hold_many.py --callers 10000 --hold 180 --every 30 --ramp 100
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import webhooks as wh
from bench.common import copy_customer_names, free_port, fresh_database, machine_speed, percentile


class Pool:
    """Keep-alive connections shared by all callers, as Twilio's webhook senders are."""

    def __init__(self, port: int, size: int):
        self.free: asyncio.Queue[wh.Connection] = asyncio.Queue()
        for _ in range(size):
            self.free.put_nowait(wh.Connection(port))

    async def post(self, request: wh.Request) -> tuple[int, bytes, float]:
        """Status, body and milliseconds on the wire (time waiting for a free connection not counted)."""
        connection = await self.free.get()
        try:
            started = time.perf_counter()
            status, body = await connection.post(request)
            return status, body, (time.perf_counter() - started) * 1000
        finally:
            self.free.put_nowait(connection)


def valid(status: int, body: bytes) -> bool:
    return status == 200 and body.lstrip().startswith(b"<?xml") and b"<Response" in body


async def to_hold(pool: Pool, public_url: str, number: int) -> wh.Request | None:
    """Play one call up to its first waitUrl request (not sent); None if the app answered something else."""
    play = wh.call_script(public_url, number)
    request = next(play)
    try:
        while request.kind != "waitUrl":
            status, body, _ = await pool.post(request)
            if not valid(status, body):
                return None
            request = play.send(body)
    except StopIteration:
        return None
    return request


class GcPauses:
    """The load generator's longest garbage-collector pause (ms), so its own stalls can be told from the app's."""

    def __init__(self):
        self.longest, self._started = 0.0, 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest = max(self.longest, (time.perf_counter() - self._started) * 1000)

    def stop(self) -> None:
        gc.callbacks.remove(self._note)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds of these processes so far (Linux /proc)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


async def run(args, port: int, public_url: str, web_pids, redis) -> dict:
    from tqdm import tqdm

    pool = Pool(port, args.connections)
    memory_before = redis.info("memory")["used_memory"]
    held: list[wh.Request] = []
    failed = 0
    started = time.perf_counter()
    with tqdm(total=args.callers, unit="caller", desc="to hold") as bar:
        async def one(n: int) -> None:
            nonlocal failed
            await asyncio.sleep(n / args.ramp)
            request = await to_hold(pool, public_url, 2_000_000 + n)
            if request is None:
                failed += 1
            else:
                held.append(request)
            bar.update(1)

        await asyncio.gather(*(one(n) for n in range(args.callers)))
    ramp_seconds = time.perf_counter() - started
    memory_held = redis.info("memory")["used_memory"]
    # The load generator's own full collections would walk 10,000 callers' coroutines and requests with the event
    # loop stopped, and be counted as the app's latency: what exists now is frozen (never walked again), and
    # what the hold adds is frozen once a second, as bench/hold.py does for the carrier.
    gc.collect()
    gc.freeze()
    pauses = GcPauses()

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + args.hold
    cpu_client, cpu_web, wall = time.process_time(), cpu_seconds(web_pids()), time.perf_counter()
    per_process = {pid: cpu_seconds([pid]) for pid in web_pids()}

    async def holder(request: wh.Request) -> None:
        nonlocal errors
        await asyncio.sleep(random.uniform(0, args.every))
        k = 1
        while time.perf_counter() < deadline:
            again = wh.sign(public_url, request.path, dict(_params(request), QueueTime=str(round(args.every * k))))
            status, body, ms = await pool.post(again)
            latencies.append(ms)
            errors += not valid(status, body)
            k += 1
            await asyncio.sleep(args.every)

    async def progress(bar) -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(1)
            bar.update(1)
            bar.set_postfix_str(f"{len(latencies)} waitUrl, {errors} errors")
            gc.freeze()

    with tqdm(total=int(args.hold), unit="s", desc="holding") as bar:
        await asyncio.gather(progress(bar), *(holder(r) for r in held))
    elapsed = time.perf_counter() - wall
    pauses.stop()
    return {"held": len(held), "failed": failed, "ramp": ramp_seconds, "latencies": latencies, "errors": errors,
            "seconds": elapsed, "client_cores": (time.process_time() - cpu_client) / elapsed,
            "web_cores": (cpu_seconds(web_pids()) - cpu_web) / elapsed,
            "per_process": [round((cpu_seconds([pid]) - before) / elapsed, 2) for pid, before in per_process.items()],
            "bytes_per_call": (memory_held - memory_before) / max(1, len(held)), "gc_longest_ms": pauses.longest}


def _params(request: wh.Request) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.body.decode()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=10_000)
    parser.add_argument("--hold", type=float, default=180.0, help="seconds measured once all are on hold")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between a caller's waitUrl requests")
    parser.add_argument("--ramp", type=float, default=100.0, help="new calls a second while putting callers on hold")
    parser.add_argument("--connections", type=int, default=400, help="keep-alive connections (Twilio's senders)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args(argv)

    import redis as redis_lib

    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_hold")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
    fresh_database(database_url)
    redis = redis_lib.Redis.from_url(redis_url)
    redis.flushdb()
    speed = machine_speed()
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    env = wh.app_environment(database_url, redis_url, public_url)
    copy_customer_names(env)  # as the worker does after a start
    web = wh.gunicorn("webapp:create_app()", port, env, args.workers, args.threads)
    try:
        result = asyncio.run(run(args, port, public_url, lambda: [web.pid, *children(web.pid)], redis))
    finally:
        web.terminate()
        web.wait(timeout=30)
    latencies = result["latencies"]
    asked = result["held"] / args.every
    print(f"\nmachine speed {speed:.2f} s; gunicorn --workers {args.workers} --threads {args.threads}, "
          f"{os.cpu_count()} cores; {args.connections} keep-alive connections\n")
    print("| callers on hold | reached hold in | waitUrl asked / delivered per s | p50 ms | **p99 ms** | max ms "
          "| errors | load generator cores | web cores | Redis bytes per waiting call |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {result['held']:,} ({result['failed']} not) | {result['ramp']:.0f} s | {asked:.0f} / "
          f"{len(latencies) / result['seconds']:.0f} | {percentile(latencies, 50):.1f} | "
          f"**{percentile(latencies, 99):.1f}** | {max(latencies, default=float('nan')):.1f} | {result['errors']} | "
          f"{result['client_cores']:.2f} | {result['web_cores']:.2f} | {result['bytes_per_call']:,.0f} |")
    print(f"\nweb cores per process (master first): {result['per_process']}; the load generator's longest "
          f"garbage-collector pause while all held: {result['gc_longest_ms']:.1f} ms")
    print("issue 22's target: p99 <= 100 ms, 0 errors")
    return 0 if result["errors"] == 0 and result["failed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
