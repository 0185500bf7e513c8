"""Callers on hold: thousands of callers held at once by the local carrier; webhook latency, errors, Redis memory.

Callers ring Acme Bank's line (ivr_scripts/acme_bank.yaml, +442079460100) on a Tuesday at 10:00 London time,
so every department is open. Each goes through the IVR by keypad (nine routes, one per department, dealt in
turn: "1","1" cards, "1","2" card payments, ... "4" fraud, "5","3" general), is asked permission to hold and
presses 1, and waits in the department's queue. No agent is at work, so nobody is answered: every caller
stays on hold, hearing the hold manager's waitUrl (webhooks/hold.py, callflow/services/waiting.py): a Gather
holding an update and the hold music (four plays of the 16 s tune, timed by the carrier from the file, fetched once); on silence the
document ends and the carrier requests the waitUrl again. One cycle is about 78 virtual seconds (update
words at 0.4 s, 64 s of music, the Gather's 1 s timeout; 74 s with the 60 s Pause of the runs in
docs/benchmarks.md), so the shared clock runs at --rate 2.45 (CALLFLOW_CLOCK_RATE, given to every process and
the carrier alike) to bring the waitUrl round to every ~30 real seconds (~32 with the music). Callers are placed at --ramp per second up to --callers; once all
of them are on hold they stay --hold real seconds and are hung up at the same pace.

The web app runs as in production: gunicorn (webapp/gunicorn_config.py) as a subprocess against REDIS_URL (flushed at start)
and DATABASE_URL (created if missing, schema dropped and upgraded), with one `callflow worker`. The carrier
runs in this process, a thread per call. Latency is as the carrier sees it: from sending a webhook request
to having its answer (`elapsed` of the transcripts' request entries); the app's own time per request is read
from gunicorn's access log. Redis memory per waiting call: INFO used_memory before the ramp (after warm-up
calls) and once every caller is on hold, divided by the callers on hold; what a waiting call owns is listed
from `redis-cli --scan` on a sample. The garbage-collector pauses of the carrier and of every gunicorn worker
are tabled too, and the machine's speed is printed first (the project machines drift: compare runs of a like
reading). Results and their discussion: docs/benchmarks.md, "Callers on hold".

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_hold REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python bench/hold.py --callers 5000 --hold 120 --ramp 20
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, fresh_database, machine_speed, percentile

ACCOUNT = "AC" + "4" * 32
TOKEN = "bench-auth-token"
LINE = "+442079460100"
CLOCK_START = "2026-11-24T10:00:00+00:00"  # a Tuesday, 10:00 in London (GMT): every department is open
# Keypad routes through acme_bank.yaml's menus, one per department.
ROUTES = [["1", "1"], ["1", "2"], ["1", "3"], ["2", "1"], ["2", "2"], ["3", "1"], ["3", "2"], ["4"], ["5", "3"]]
KINDS = [("incoming", "/voice/incoming"), ("gather", "/voice/input"), ("hold-choice", "/voice/hold-choice"),
         ("waitUrl", "/voice/hold"), ("hold gather", "/voice/hold-choice?purpose=holding"),
         ("queue-result", "/voice/queue-result"), ("status", "/voice/status")]


def kind_of(url: str) -> str:
    """The webhook kind of a request URL (the hold music's Gather action is told apart from the question)."""
    parts = urlsplit(url)
    if parts.path == "/voice/hold-choice" and "purpose=holding" in parts.query:
        return "hold gather"
    return next((kind for kind, path in KINDS if path == parts.path), parts.path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=5000, help="callers on hold at once")
    parser.add_argument("--hold", type=float, default=120.0, help="real seconds every caller stays on hold")
    parser.add_argument("--ramp", type=float, default=20.0, help="callers placed (and later hung up) per second")
    parser.add_argument("--rate", type=float, default=2.45,
                        help="clock rate (CALLFLOW_CLOCK_RATE): 2.45 makes one waitUrl cycle ~30 real seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads per worker")
    parser.add_argument("--stack-kib", type=int, default=512, help="stack size of the carrier's call threads")
    parser.add_argument("--gc-freeze", type=float, default=1.0, metavar="SECONDS",
                        help="freeze the carrier's heap this often, so its full collections stay short (0: never)")
    parser.add_argument("--no-app-freeze", action="store_true",
                        help="leave out the gunicorn workers' heap freeze (webapp/gunicorn_config.py), to compare")
    parser.add_argument("--profile", metavar="DIR", help="cProfile every gunicorn worker's requests into DIR")
    args = parser.parse_args(argv)

    import redis as redis_lib
    from tqdm import tqdm

    from callflow.carrier import Caller, Carrier, hang_up, press
    from callflow.domain.clock import Clock

    speed = machine_speed()  # before anything of the benchmark runs
    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_hold")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
    fresh_database(database_url)
    redis = redis_lib.Redis.from_url(redis_url)
    redis.flushdb()
    start = datetime.fromisoformat(CLOCK_START)
    clock = Clock.shared(redis, args.rate, start)  # the anchor every process reads from Redis

    # 5,000 threads at the default 8 MiB of stack each reserve 40 GiB of address space; the carrier's call
    # threads need far less (requests, XML parsing, no deep recursion).
    threading.stack_size(args.stack_kib * 1024)
    gc_pauses = GcPauses(args.gc_freeze)
    carrier = Carrier(account_sid=ACCOUNT, auth_token=TOKEN, rate=args.rate, clock=clock).start()
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    carrier.add_number(LINE, voice_url=f"{public_url}/voice/incoming", status_callback=f"{public_url}/voice/status")
    logs = Path(tempfile.mkdtemp(prefix="callflow-hold-"))
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url, TWILIO_ACCOUNT_SID=ACCOUNT,
               TWILIO_AUTH_TOKEN=TOKEN, TWILIO_API_URL=carrier.url, PUBLIC_URL=public_url,
               IVR_SCRIPTS=str(ROOT / "ivr_scripts"), SECRET_KEY="bench-secret", CALLFLOW_INSTANCE=str(logs),
               CALLFLOW_CLOCK_RATE=repr(args.rate), CALLFLOW_CLOCK_START=CLOCK_START)
    web = gunicorn(port, env, args.workers, args.threads, logs, args.profile, not args.no_app_freeze)
    with open(logs / "worker.log", "w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "callflow.cli", "worker"], env=env, cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT)
    print(f"logs in {logs}", file=sys.stderr)

    carrier_profiles = profile_carrier() if args.profile else None

    def on_hold() -> int:
        with carrier.cond:
            return sum(queue.size for queue in carrier.queues)

    calls, peak, phases = [], 0, {}
    try:
        wait_until(lambda: healthy(public_url), 60, "gunicorn to answer")
        # Warm-up: each worker loads the scripts and the steering router (trained once, kept in Redis)
        warm = [carrier.place_call(f"+4477009{k:05d}", LINE, Caller([press("4"), hang_up(expect="hold")]))
                for k in range(2 * args.workers)]
        for call in warm:
            call.wait(timeout=120)
        wait_until(lambda: redis.llen("rq:queue:callflow") == 0, 60, "the worker to close the warm-up calls")
        time.sleep(1)
        memory_before = int(redis.info("memory")["used_memory"])
        cpu_before = cpu_seconds(redis, web.pid, worker.pid)
        if args.profile:
            (Path(args.profile) / "on").touch()
        warm_requests = len((logs / "access.log").read_text().splitlines())  # left out of the app's times

        n = args.callers
        phases["ramp"] = time.time()
        with tqdm(total=n, unit="caller", desc="on hold", mininterval=5) as bar:
            placed, shown = 0, 0
            while True:
                due = min(n, int((time.time() - phases["ramp"]) * args.ramp) + 1)
                while placed < due:
                    route = ROUTES[placed % len(ROUTES)]
                    phone = Caller([press(key) for key in route] + [press("1", expect="hold")])
                    calls.append(carrier.place_call(f"+4477{placed:08d}", LINE, phone))
                    placed += 1
                holding = on_hold()
                peak = max(peak, holding)
                bar.update(holding - shown)
                shown = holding
                bar.set_postfix(placed=placed, ended=sum(c.is_final for c in calls))
                if holding >= n or (placed == n and all(c.is_final or in_queue(c) for c in calls)):
                    break
                if placed == n and time.time() - phases["ramp"] > n / args.ramp + 600:
                    print("\ngave up waiting for every caller to be on hold", file=sys.stderr)
                    break
                time.sleep(0.5)
        phases["full"] = time.time()
        cpu_full = cpu_seconds(redis, web.pid, worker.pid)
        memory_full = int(redis.info("memory")["used_memory"])
        on_hold_at_full = on_hold()

        with tqdm(total=int(args.hold), unit="s", desc="holding", mininterval=5) as bar:
            while time.time() - phases["full"] < args.hold:
                time.sleep(1)
                peak = max(peak, on_hold())
                bar.update(1)
                bar.set_postfix(on_hold=on_hold())
        held_cpu = {k: v - cpu_full[k] for k, v in cpu_seconds(redis, web.pid, worker.pid).items()}
        memory_end = int(redis.info("memory")["used_memory"])
        on_hold_at_end = on_hold()
        keys = key_census(redis_url, [c.sid for c in calls if in_queue(c)][:3], redis)

        phases["hangup"] = time.time()
        with tqdm(total=len(calls), unit="caller", desc="hanging up", mininterval=5) as bar:
            ended = 0
            while ended < len(calls):  # those due every 0.1 s at once: a sleep per call starves under the GIL
                due = min(len(calls), int((time.time() - phases["hangup"]) * args.ramp) + 1)
                for call in calls[ended:due]:
                    carrier.end_call(call)
                bar.update(due - ended)
                ended = due
                time.sleep(0.1)
        for call in calls:
            call.done.wait(timeout=120)
        phases["end"] = time.time()
        wait_until(lambda: redis.llen("rq:queue:callflow") == 0, 300, "the worker to close every call")
        memory_after = int(redis.info("memory")["used_memory"])
        cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(redis, web.pid, worker.pid).items()}
    finally:
        carrier.stop()
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()

    if carrier_profiles:
        merged = pstats.Stats(carrier_profiles[0])
        for profile in carrier_profiles[1:]:
            merged.add(profile)
        merged.dump_stats(Path(args.profile) / "carrier.prof")

    # -- what the carrier saw ----------------------------------------------------------------------
    latencies: dict[str, list[float]] = defaultdict(list)
    held_latencies: dict[str, list[float]] = defaultdict(list)  # requests sent while everyone held
    non_200, failures = Counter(), Counter()
    intervals = []
    for call in calls:
        waits = []
        for entry in call.entries("request"):
            kind = kind_of(entry.text)
            elapsed = entry.data.get("elapsed", float("nan"))
            latencies[kind].append(elapsed)
            sent = clock.real_instant(call.created_at + entry.at) - elapsed
            if phases["full"] <= sent < phases["hangup"]:
                held_latencies[kind].append(elapsed)
            if entry.data.get("status") != 200:
                non_200[kind] += 1
            if kind == "waitUrl":
                waits.append(call.created_at + entry.at)
        intervals += [(b - a) / args.rate for a, b in pairwise(waits)]
        for bad in ("application-error", "carrier-error", "script-error"):
            failures[bad] += len(call.entries(bad))
    app_times, app_held = access_log_times(logs / "access.log", warm_requests, (phases["full"], phases["hangup"]))
    exceptions = len(re.findall(r"^Traceback", (logs / "web.log").read_text(), flags=re.MULTILINE))
    worker_exceptions = len(re.findall(r"^Traceback", (logs / "worker.log").read_text(), flags=re.MULTILINE))

    ramp_s, hangup_s = phases["full"] - phases["ramp"], phases["end"] - phases["hangup"]
    print(f"\n{n} callers, clock rate {args.rate:g}, ramp {args.ramp:g}/s ({ramp_s:.0f} s until all on hold), "
          f"hold {args.hold:g} s, hang-ups {hangup_s:.0f} s; gunicorn --workers {args.workers} --worker-class "
          f"gthread --threads {args.threads} (heap frozen after loading: {not args.no_app_freeze}), 1 RQ worker, "
          f"carrier in-process (heap frozen every {args.gc_freeze:g} s; 0: never); {os.cpu_count()} cores, "
          f"machine speed {speed:.2f} s (bench.common.machine_speed: lower is faster)\n")
    print("| callers | on hold at once (max) | waitUrl interval p50 (min-max) | application errors | non-200 "
          "| carrier/script errors | app exceptions logged (web, worker) |")
    print("|---|---|---|---|---|---|---|")
    interval = (f"{statistics.median(intervals):.1f} s ({min(intervals):.1f}-{max(intervals):.1f})"
                if intervals else "-")
    print(f"| {n} | {peak} | {interval} | {failures['application-error']} | {sum(non_200.values())} | "
          f"{failures['carrier-error'] + failures['script-error']} | {exceptions}, {worker_exceptions} |")

    print("\n| webhook | requests | p50 ms | p99 ms | max ms | non-200 | while all held: n, p50, p99 ms "
          "| app time p50 / p99 ms | app time while all held p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    everything = [x for values in latencies.values() for x in values]
    held_everything = [x for values in held_latencies.values() for x in values]
    app_everything = [x for values in app_times.values() for x in values]
    app_held_everything = [x for values in app_held.values() for x in values]
    for kind in [k for k, _ in KINDS] + sorted(set(latencies) - {k for k, _ in KINDS}) + ["all"]:
        values = everything if kind == "all" else latencies.get(kind, [])
        held = held_everything if kind == "all" else held_latencies.get(kind, [])
        app = app_everything if kind == "all" else app_times.get(kind, [])
        app_h = app_held_everything if kind == "all" else app_held.get(kind, [])
        if not values:
            continue
        bad = sum(non_200.values()) if kind == "all" else non_200[kind]
        print(f"| {kind} | {len(values)} | {ms(values, 50)} | {ms(values, 99)} | {ms(values, 100)} | {bad} | "
              f"{len(held)}, {ms(held, 50)}, {ms(held, 99)} | {ms(app, 50)} / {ms(app, 99)} | "
              f"{ms(app_h, 50)} / {ms(app_h, 99)} |")

    requests_made = len(everything)
    print(f"\nCPU seconds from the ramp to the last call closed ({phases['end'] - phases['ramp']:.0f} s), "
          f"{requests_made} webhooks (per webhook in brackets): " + ", ".join(
              f"{name} {cpu[key]:.1f} s ({cpu[key] / requests_made * 1000:.2f} ms)" for name, key in
              (("carrier (this process)", "carrier"), ("gunicorn", "web"), ("RQ worker", "worker"),
               ("Redis", "redis"))))
    held_for = phases["hangup"] - phases["full"]
    print(f"While all held ({held_for:.0f} s, {len(held_everything)} webhooks), cores busy: " + ", ".join(
        f"{key} {held_cpu[key] / held_for:.2f}" for key in ("carrier", "web", "worker", "redis")))
    for label, used, seconds in (("ramp to last call closed", cpu, phases["end"] - phases["ramp"]),
                                 ("while all held", held_cpu, held_for)):
        ours = sum(used[key] for key in ("carrier", "web", "worker", "redis"))
        print(f"Machine, {label} ({os.cpu_count()} cores): busy {used['machine'] / seconds:.2f} cores "
              f"(the four above {ours / seconds:.2f}, the rest PostgreSQL and the system), stolen by the "
              f"hypervisor {used['stolen'] / seconds:.2f} cores")
    mib = 1024 * 1024
    print("\n| Redis used_memory | MiB |\n|---|---|")
    print(f"| before the ramp | {memory_before / mib:.1f} |\n| all on hold ({on_hold_at_full}) | "
          f"{memory_full / mib:.1f} |\n| end of hold ({on_hold_at_end}) | {memory_end / mib:.1f} |\n"
          f"| after hang-ups, calls closed | {memory_after / mib:.1f} |")
    per_call = (memory_full - memory_before) / max(on_hold_at_full, 1)
    per_call_end = (memory_end - memory_before) / max(on_hold_at_end, 1)
    print(f"\nRedis memory per waiting call: {per_call:.0f} bytes when all were on hold, {per_call_end:.0f} bytes "
          f"at the end of the hold\n")
    print(keys)
    print("\n" + gc_table("carrier", gc_pauses.pauses, phases["full"], phases["hangup"]))
    app_pauses = [p for path in logs.glob("gc-*.json") for p in json.loads(path.read_text())]
    print("\n" + gc_table("gunicorn workers'", app_pauses, phases["full"], phases["hangup"]))
    target = (not failures["application-error"] and latencies
              and percentile(everything, 99) <= 0.100)
    print(f"\ntarget (webhook p99 <= 100 ms, zero application errors): {'met' if target else 'NOT met'}")
    return 0 if target else 1


# -- helpers ------------------------------------------------------------------------------------------



GUNICORN_HOOKS = '''
import cProfile, json, os, threading, time
from webapp.gunicorn_config import *  # the app's own settings, then this benchmark's hooks
from webapp.gunicorn_config import post_worker_init as freeze_heap
from bench.hold import GcPauses
_profiles, _gc = {}, None
def post_worker_init(worker):
    global _gc
    if FREEZE:
        freeze_heap(worker)
    _gc = GcPauses(freeze_every=0)  # the worker's pauses, recorded as the carrier's are
def pre_request(worker, req):  # CPU time per thread, from the ramp on (not the warm-up)
    if PROFILE_DIR and os.path.exists(os.path.join(PROFILE_DIR, "on")):
        profile = _profiles.setdefault(threading.get_ident(), cProfile.Profile(time.thread_time))
        profile.enable()
def post_request(worker, req, environ, resp):
    if threading.get_ident() in _profiles:
        _profiles[threading.get_ident()].disable()
def worker_exit(server, worker):
    with open(os.path.join(LOG_DIR, f"gc-{os.getpid()}.json"), "w") as out:
        json.dump(_gc.pauses if _gc else [], out)
    for ident, profile in _profiles.items():
        profile.dump_stats(os.path.join(PROFILE_DIR, f"worker-{os.getpid()}-{ident}.prof"))
'''


def gc_table(who: str, pauses: list, since: float, until: float) -> str:
    """Garbage-collector pauses by generation: how many, how many while all held, their total and longest."""
    lines = [f"| {who} GC, generation | collections | while all held | total s | max ms |", "|---|---|---|---|---|"]
    for generation in (0, 1, 2):
        mine = [p for p in pauses if p[1] == generation]
        held = [p for p in mine if since <= p[0] < until]
        lines.append(f"| {generation} | {len(mine)} | {len(held)} | {sum(p[2] for p in mine):.2f} | "
                     f"{max((p[2] for p in mine), default=0) * 1000:.1f} |")
    return "\n".join(lines)


class GcPauses:
    """A process's garbage-collector pauses (the carrier's, and each gunicorn worker's through GUNICORN_HOOKS):
    while one runs, every thread of the process waits.

    The carrier keeps every call's transcript, millions of objects at 5,000 callers, and CPython's full
    collections walk them all: measured, up to 7.7 s with every call thread stopped, which the carrier then
    reported as webhook latency. The load generator's pauses are not the app's, so unless told otherwise
    (`--gc-freeze 0`) the heap is frozen once every `freeze_every` seconds (gc.freeze: what exists by then is
    never walked again, and the cycles among it are never freed, which a 15-minute run can afford).
    """

    def __init__(self, freeze_every: float):
        import gc

        self.pauses: list[tuple[float, int, float]] = []  # (wall-clock start, generation, seconds)
        self._started = 0.0
        gc.callbacks.append(self._on_gc)
        if freeze_every > 0:
            def freeze():
                while True:
                    time.sleep(freeze_every)
                    gc.freeze()
            threading.Thread(target=freeze, name="gc-freeze", daemon=True).start()

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            seconds = time.perf_counter() - self._started
            self.pauses.append((time.time() - seconds, info["generation"], seconds))


def profile_carrier() -> list:
    """Profile every call thread of the carrier (CPU time), from its first webhook to its end."""
    import cProfile

    from callflow.carrier.twiml import Session

    profiles, run = [], Session.run

    def profiled(session, start):
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.runcall(run, session, start)

    Session.run = profiled
    return profiles


def gunicorn(port: int, env: dict, workers: int, threads: int, logs: Path, profile: str | None, freeze: bool):
    """The web app as `callflow serve` runs it (webapp/gunicorn_config.py, whose heap freeze `freeze` can turn
    off), with an access log of each request's time and each worker's garbage-collector pauses."""
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), "--log-level", "warning",
               "--access-logfile", str(logs / "access.log"), "--access-logformat", "%(t)s %(U)s?%(q)s %(s)s %(D)s"]
    if profile:
        Path(profile).mkdir(parents=True, exist_ok=True)
    config = logs / "gunicorn_hooks.py"
    config.write_text(f"LOG_DIR = {str(logs)!r}\nPROFILE_DIR = {str(Path(profile).resolve()) if profile else None!r}\n"
                      f"FREEZE = {freeze!r}\n" + GUNICORN_HOOKS)
    command += ["--config", str(config)]
    with open(logs / "web.log", "w") as log:
        return subprocess.Popen(command + ["webapp:create_app()"], env=env, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)


def access_log_times(path: Path, skip: int, held: tuple[float, float]) -> tuple[dict, dict]:
    """Seconds the app spent on each request, by webhook kind, from gunicorn's access log (%(D)s, in us): all
    of them, and those logged while every caller held (`held`, wall-clock seconds)."""
    times: dict[str, list[float]] = defaultdict(list)
    held_times: dict[str, list[float]] = defaultdict(list)
    if path.exists():
        for line in path.read_text().splitlines()[skip:]:
            stamp, _, rest = line[1:].partition("] ")
            url, _, micros = rest.rsplit(" ", 2)
            if url.startswith("/voice/"):
                times[kind_of(url)].append(int(micros) / 1e6)
                second = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").timestamp()  # whole seconds
                if held[0] <= second and second + 1 <= held[1]:
                    held_times[kind_of(url)].append(int(micros) / 1e6)
    return times, held_times


def key_census(redis_url: str, sample: list[str], redis) -> str:
    """What a waiting call owns in Redis (redis-cli --scan on a sample of calls), and every key by prefix."""
    parts = urlsplit(redis_url)
    cli = ["redis-cli", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379),
           "-n", parts.path.lstrip("/") or "0"]
    lines = ["| key of one waiting call (sample) | type | bytes (MEMORY USAGE) | TTL s |", "|---|---|---|---|"]
    for sid in sample:
        found = subprocess.run(cli + ["--scan", "--pattern", f"*{sid}*"], capture_output=True, text=True,
                               check=True).stdout
        total = 0
        for key in sorted(found.split()):
            total += redis.memory_usage(key)
            lines.append(f"| {key.replace(sid, '<CallSid>')} | {redis.type(key).decode()} | "
                         f"{redis.memory_usage(key)} | {redis.ttl(key)} |")
        lines.append(f"| all keys of {sid} | | {total} | |")
    everything = subprocess.run(cli + ["--scan"], capture_output=True, text=True, check=True).stdout.split()
    sizes: dict[str, int] = {}
    for chunk in range(0, len(everything), 1000):
        with redis.pipeline(transaction=False) as pipe:
            for key in everything[chunk:chunk + 1000]:
                pipe.memory_usage(key)
            sizes.update(zip(everything[chunk:chunk + 1000], pipe.execute(), strict=True))
    count, size = Counter(), Counter()
    for key, used in sizes.items():
        pattern = re.sub(r"CA[0-9a-f]{32}", "<CallSid>", key)
        pattern = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}", "<id>", pattern)
        pattern = re.sub(r"\+\d{6,15}", "<phone>", pattern)  # callflow:recent-department:<phone>, one per caller
        count[pattern] += 1
        size[pattern] += used or 0
    database = parts.path.lstrip("/") or "0"
    lines += ["", f"| keys of database {database} at the end of the hold, by pattern | count | bytes (MEMORY USAGE) |",
              "|---|---|---|"]
    lines += [f"| {pattern} | {n} | {size[pattern]} |" for pattern, n in count.most_common()]
    lines.append(f"| all | {len(sizes)} | {sum(size.values())} |")
    return "\n".join(lines)


def cpu_seconds(redis, web: int, worker: int) -> dict[str, float]:
    """CPU used so far by this process (the carrier), gunicorn's processes, the RQ worker's and Redis."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    info = redis.info("cpu")
    busy, stolen = machine_cpu()
    return {"carrier": own.ru_utime + own.ru_stime, "web": tree_cpu(web), "worker": tree_cpu(worker),
            "redis": info["used_cpu_sys"] + info["used_cpu_user"], "machine": busy, "stolen": stolen}


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy (every process: PostgreSQL too) and those the hypervisor
    gave to other machines while this one wanted them (steal), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def tree_cpu(pid: int) -> float:
    """CPU seconds of a live process and its live descendants (/proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(tree_cpu(c) for c in children)


def in_queue(call) -> bool:
    return bool(call.entries("enqueued")) and not call.is_final




def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.1f}" if values else "-"




def healthy(url: str) -> bool:
    import requests

    try:
        return requests.get(url + "/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_until(test, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
