"""Webhook cost: our IVR webhooks against Flask's ceiling, side by side, under the same gunicorn settings.

Each virtual caller holds one keep-alive connection, as Twilio does, and plays whole calls the way Twilio
would, following the TwiML it gets back: incoming, the menu by keypad (one or two gathers), the hold question
answered "1", three waitUrl requests while on hold (30 s apart in Twilio's QueueTime), then the status
callback. No agent is logged in, so every caller is asked to hold and holds; the status callback takes them
out of line, so the queues stay as long as the number of callers. Bodies are signed with the auth token.

The ceiling (bench/bare_app.py) is Flask on the same gunicorn settings answering every POST with a constant
TwiML greeting of the mean size of ours; it is sent exactly the requests recorded in our saturation phase.
So is the floor (bench/bare_app.py, BENCH_FLOOR=1): a webhook that only checks the signature, makes one Redis
round trip and builds its TwiML with VoiceResponse, the price of the project's rules without any call logic.
Five phases, one after the other in one run:
- saturation, ours, bare, then the floor: each caller sends its next webhook as soon as it has the answer
  (throughput);
- paced, ours then bare: each caller waits --think seconds (jittered +-50%) between webhooks, the callers
  starting spread over the first --think seconds (latency at that many calls).
With --incoming-only, every request is a new call's /voice/incoming and the call goes no further (the
throughput of new calls alone, as issue 22 measured it). The web app runs against Redis and PostgreSQL (created if missing, emptied at start), its RQ jobs (closing
each call) left queued: workers would share the same two cores.

    .venv/bin/python bench/webhooks.py --calls 200 --seconds 30 --think 1
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import copy_customer_names, free_port, fresh_database, machine_speed, percentile

ACCOUNT = "AC" + "3" * 32
TOKEN = "bench-auth-token"
LINE = "+442079460100"
# Keypad routes through acme_bank.yaml's menus: cards, card payments, payments, top-ups, fraud.
ROUTES = [["1", "1"], ["1", "2"], ["2", "1"], ["2", "2"], ["4"]]
WAITS_PER_CALL = 3
INCOMING_ONLY = False  # --incoming-only: every request a new call's /voice/incoming
CALLER_NUMBERS = itertools.count(1)  # every call of every phase from a number not heard today
KINDS = {"/voice/incoming": "incoming", "/voice/input": "gather", "/voice/hold-choice": "hold-choice",
         "/voice/hold": "waitUrl", "/voice/status": "status"}


@dataclass
class Request:
    kind: str
    path: str
    body: bytes
    signature: str


@dataclass
class Phase:
    name: str
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    sizes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0

    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)




class Connection:
    """One keep-alive HTTP/1.1 connection, as one of Twilio's webhook senders."""

    def __init__(self, port: int):
        self.port, self.reader, self.writer = port, None, None

    async def post(self, request: Request) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a connection the server closed between requests is opened again, once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(
                    f"POST {request.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(request.body)}\r\n"
                    f"X-Twilio-Signature: {request.signature}\r\n\r\n".encode() + request.body)
                head = await self.reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
                body = await self.reader.readexactly(int(headers.get("content-length", "0")))
                if headers.get("connection", "").lower() == "close":
                    self.close()
                return int(lines[0].split()[1]), body
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def sign(public_url: str, path: str, params: dict[str, str]) -> Request:
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(TOKEN).compute_signature(public_url + path, params)
    return Request(KINDS.get(path.split("?")[0], path), path, urlencode(params).encode(), signature)


def next_step(body: bytes) -> tuple[str, str] | None:
    """What Twilio does next with this TwiML: ('gather'|'enqueue'|'redirect', url), or None (the call ends)."""
    for element in ET.fromstring(body).iter():
        if element.tag == "Gather":
            return "gather", element.get("action", "")
        if element.tag == "Enqueue":
            return "enqueue", element.get("waitUrl", "")
        if element.tag == "Redirect":
            return "redirect", element.text or ""
        if element.tag in ("Dial", "Hangup"):
            return None
    return None


def call_script(public_url: str, number: int, hang_up: bool = True) -> Generator[Request, bytes, None]:
    """One call as Twilio plays it, following our TwiML: yields each signed request and is sent the body of its
    answer. Incoming, the menu by keypad, "1" to hold, WAITS_PER_CALL waitUrl requests, the status callback
    (unless `hang_up` is False: the caller stays in line)."""
    base = {"AccountSid": ACCOUNT, "CallSid": "CA" + uuid.uuid4().hex, "From": f"+1555{number:07d}",
            "To": LINE, "Direction": "inbound", "ApiVersion": "2010-04-01"}
    keys = list(ROUTES[number % len(ROUTES)]) + ["1"]  # the menu's keys, then "1": hold
    step, path = ("redirect", public_url + "/voice/incoming"), ""
    while step is not None:
        verb, url = step
        path = url[len(public_url):] if url.startswith(public_url) else urlsplit(url).path
        if verb == "enqueue":
            break
        params = dict(base, CallStatus="in-progress")
        if verb == "gather":
            params["Digits"] = keys.pop(0) if keys else "1"
        step = next_step((yield sign(public_url, path, params)))
    if step is not None:
        for k in range(1, WAITS_PER_CALL + 1):
            yield sign(public_url, path, dict(base, CallStatus="in-progress", QueueSid="QU" + "0" * 32,
                                              QueuePosition="1", QueueTime=str(30 * k), AvgQueueTime="60",
                                              CurrentQueueSize="1"))
    if hang_up:
        yield sign(public_url, "/voice/status", dict(base, CallStatus="completed", CallDuration="120"))


class Caller:
    """A virtual caller placing call after call on one connection."""

    def __init__(self, n: int, port: int, public_url: str, phase: Phase, think: float):
        self.n, self.public_url, self.phase, self.think = n, public_url, phase, think
        self.connection = Connection(port)

    async def send(self, request: Request) -> bytes:
        started = time.perf_counter()
        status, body = await self.connection.post(request)
        self.phase.latencies.setdefault(request.kind, []).append((time.perf_counter() - started) * 1000)
        self.phase.sizes.append(len(body))
        try:
            valid = status == 200 and ET.fromstring(body).tag == "Response"
        except ET.ParseError:
            valid = False
        self.phase.errors += not valid
        if self.think:  # jittered, so that callers who started together do not stay in step
            await asyncio.sleep(self.think * random.uniform(0.5, 1.5))
        return body

    async def call(self, record: list[list[Request]] | None) -> None:
        """Play one call against our app, following its TwiML; append its requests to `record`."""
        sent = []
        play = call_script(self.public_url, next(CALLER_NUMBERS))  # a new caller each call (see CALLER_NUMBERS)
        try:
            request = next(play)
            while True:
                sent.append(request)
                answer = await self.send(request)
                if INCOMING_ONLY:  # a new call on every request, as issue 22's wrk run: nothing follows
                    break
                request = play.send(answer)
        except StopIteration:
            pass
        if record is not None:
            record.append(sent)

    async def replay(self, calls: list[Request]) -> None:
        for request in calls:
            await self.send(request)


async def run_phase(phase: Phase, port: int, public_url: str, callers: int, seconds: float, think: float,
                    record: list | None, replay: list | None, tick) -> None:
    """`callers` virtual callers, each playing calls (or replaying recorded ones) for `seconds`."""
    deadline = time.perf_counter() + seconds
    started, cpu = time.perf_counter(), time.process_time()

    async def caller(n: int) -> None:
        me = Caller(n, port, public_url, phase, think)
        k = n
        if think:  # calls arrive spread over time, not all in the same second
            await asyncio.sleep(random.uniform(0, think))
        while time.perf_counter() < deadline:
            if replay is not None:
                await me.replay(replay[k % len(replay)])
                k += callers
            else:
                await me.call(record)
        me.connection.close()

    async def progress() -> None:
        while time.perf_counter() < deadline:
            await asyncio.sleep(1)
            tick(phase)

    await asyncio.gather(progress(), *(caller(n) for n in range(callers)))
    phase.seconds = time.perf_counter() - started
    phase.client_cpu = (time.process_time() - cpu) / phase.seconds




def app_environment(database_url: str, redis_url: str, public_url: str, instance: str | None = None) -> dict:
    """The environment the benchmarks' web processes run in: this Redis and database, the signing account, no
    reachable Twilio, Acme's scripts, on a Tuesday morning's clock so every department is open."""
    return dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, TWILIO_ACCOUNT_SID=ACCOUNT,
                TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_URL="http://127.0.0.1:9", PUBLIC_URL=public_url,
                IVR_SCRIPTS=str(ROOT / "ivr_scripts"), SECRET_KEY="bench-secret",
                CALLFLOW_INSTANCE=instance or tempfile.mkdtemp(prefix="callflow-bench-"),
                CALLFLOW_CLOCK_START="2026-11-24T10:00:00+00:00")


def gunicorn(app: str, port: int, env: dict, workers: int, threads: int, chdir: Path | None = None):
    """The web server, started the way `callflow serve` starts it; returns once it accepts connections."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_config",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
               "--log-level", "warning"]
    if chdir:
        command += ["--chdir", str(chdir)]
    process = subprocess.Popen(command + [app], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{app} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start listening on {port} within 60 s")




def summary(phases: list[Phase], callers: int, think: float) -> str:
    kinds = list(KINDS.values())
    rows = ["| phase | requests | req/s | p50 ms | p99 ms | max ms | errors | client CPU |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for phase in phases:
        values = phase.all()
        rows.append(f"| {phase.name} | {phase.count()} | {phase.count() / phase.seconds:.0f} | "
                    f"{percentile(values, 50):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} | "
                    f"{phase.errors} | {phase.client_cpu:.0%} |")
    rows += ["", "| ours, per webhook | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for phase in phases:
        if phase.name.startswith("ours"):
            for p in (50, 99):
                rows.append(f"| {phase.name} p{p} ms | "
                            + " | ".join(f"{percentile(phase.latencies.get(k, []), p):.1f}" for k in kinds) + " |")
    sat_ours, sat_bare, paced_ours, sat_floor = phases[0], phases[1], phases[2], phases[4]

    def rate(phase: Phase) -> float:
        return phase.count() / phase.seconds

    ratio = rate(sat_ours) / rate(sat_bare)
    p99 = percentile(paced_ours.all(), 99)
    rows += ["", f"throughput, ours / ceiling: {ratio:.0%} (issue 22's target >= 25%)",
             (f"throughput, floor / ceiling: {rate(sat_floor) / rate(sat_bare):.0%}; ours / floor: "
              f"{rate(sat_ours) / rate(sat_floor):.0%}"),
             f"p99 at {callers} concurrent calls, {think:g} s between webhooks: {p99:.1f} ms (target <= 15 ms)"]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="concurrent calls (virtual callers)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a call's webhooks, paced phases")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (callflow serve's default)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker (as callflow serve)")
    parser.add_argument("--incoming-only", action="store_true",
                        help="every request a new call's /voice/incoming (the calls go no further)")
    args = parser.parse_args(argv)
    global INCOMING_ONLY
    INCOMING_ONLY = args.incoming_only

    import redis as redis_lib
    from tqdm import tqdm

    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11")
    fresh_database(database_url)
    redis_lib.Redis.from_url(redis_url).flushdb()
    speed = machine_speed()

    ours_port, bare_port, floor_port = free_port(), free_port(), free_port()
    public_url = f"http://127.0.0.1:{ours_port}"
    instance = tempfile.mkdtemp(prefix="callflow-bench-")
    env = app_environment(database_url, redis_url, public_url, instance)
    copy_customer_names(env)  # as the worker does after a start (or every new call reads the database)
    ours = gunicorn("webapp:create_app()", ours_port, env, args.workers, args.threads)
    bare = floor = None
    phases = [Phase("ours, saturation"), Phase("bare Flask, saturation"), Phase(f"ours, paced {args.think:g} s"),
              Phase(f"bare Flask, paced {args.think:g} s"), Phase("floor, saturation")]
    bar = tqdm(total=int(len(phases) * args.seconds), unit="s", desc="phases")

    def tick(phase: Phase) -> None:
        bar.update(1)
        bar.set_postfix_str(f"{phase.name}: {phase.count()} requests, {phase.errors} errors")

    try:
        warm = Phase("warm-up")  # loads the scripts and the steering model in every worker
        asyncio.run(run_phase(warm, ours_port, public_url, 8, 5, 0, None, None, lambda _: None))
        recorded: list[list[Request]] = []
        asyncio.run(run_phase(phases[0], ours_port, public_url, args.calls, args.seconds, 0, recorded, None, tick))
        size = sum(phases[0].sizes) // len(phases[0].sizes)
        bare = gunicorn("bare_app:create_app()", bare_port, dict(env, BENCH_TWIML_BYTES=str(size)), args.workers,
                        args.threads, chdir=ROOT / "bench")
        asyncio.run(run_phase(Phase("warm-up"), bare_port, public_url, 8, 2, 0, None, recorded, lambda _: None))
        asyncio.run(run_phase(phases[1], bare_port, public_url, args.calls, args.seconds, 0, None, recorded, tick))
        asyncio.run(run_phase(phases[2], ours_port, public_url, args.calls, args.seconds, args.think, None, None,
                              tick))
        asyncio.run(run_phase(phases[3], bare_port, public_url, args.calls, args.seconds, args.think, None,
                              recorded, tick))
        bare.terminate()
        bare.wait(timeout=30)
        floor = gunicorn("bare_app:create_app()", floor_port, dict(env, BENCH_TWIML_BYTES=str(size), BENCH_FLOOR="1"),
                         args.workers, args.threads, chdir=ROOT / "bench")
        asyncio.run(run_phase(Phase("warm-up"), floor_port, public_url, 8, 2, 0, None, recorded, lambda _: None))
        asyncio.run(run_phase(phases[4], floor_port, public_url, args.calls, args.seconds, 0, None, recorded, tick))
    finally:
        bar.close()
        for process in (ours, bare, floor):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    print(f"\nmachine speed {speed:.2f} s (bench/common.py machine_speed, lower is faster)")
    print(f"{args.calls} concurrent calls, gunicorn --workers {args.workers} --worker-class gthread "
          f"--threads {args.threads}, {os.cpu_count()} cores; mean TwiML {size} bytes; "
          f"{len(recorded)} calls recorded and replayed to the ceiling\n")
    print(summary(phases, args.calls, args.think))
    return 0 if all(phase.errors == 0 for phase in phases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
