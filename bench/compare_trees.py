"""Two checkouts, the same benchmarks, side by side: is the newer one more than 5% slower anywhere?

Issue 20 (the redesign into layers) must leave the webhook, routing, hold and callback benchmarks no more
than 5% worse than before it began (commit 7a28189). The two trees' bench scripts differ in their imports
(`callflow.script` became `callflow.domain.script`, `webhooks:create_app()` became `webapp:create_app()`), so
each tree runs its OWN bench scripts with its OWN venv (`<tree>/.venv`, both installed from one lock so the
libraries match) and its own working directory. Each run's stdout is parsed for its headline figures.

The runs alternate, base then head, benchmark after benchmark, round after round (`--rounds`, default 3),
so the shared machine's drift lands on both trees alike; the summary gives each figure's median (and range)
per tree, head/base, and whether head is worse than base by more than 5% where that applies: throughput and
latency (5% either way), errors and duplicates (head may not have more than base), accuracy (routing is
deterministic: it must be identical). Every run's output is kept in the log folder, with the summary.

Sizes: the smallest at which each headline figure still means something. Measured 2026-12-07 on the 2-core
machine, one round of the two trees takes 8.6 minutes (10 with two failed callback runs, before PROMPT_STOP),
so the default three rounds take about 26 minutes and `--rounds 2` about 17. Half of it is hold.py, whose
start-up (the machine-speed reading, the database rebuilt, gunicorn, warm-up calls through the IVR) and the
IVR before the queue take about 100 s a run whatever its arguments; no size below shortens that.
- webhooks (`bench/webhooks.py --calls 100 --seconds 5 --think 1`, ~55 s, 30 of them starting servers and
  warming up): the five gunicorn phases of 5 s, 100 keep-alive callers, paced at a webhook a second each
  (~100 req/s, under the app's capacity, ~500 paced requests for a p99), as bench/redis_clients.py's gunicorn
  check ran it but shorter. Ours / ceiling is listed beside the raw rate: the ceiling is measured in the same
  run, so the ratio drifts less than req/s does.
- webhook cost (`bench/webhook_cost.py --held 100 --calls 100`, ~8 s): one webhook at a time in-process,
  no gunicorn or load generator; the steadiest latency figure, and the Redis round trips per webhook.
- routing (`bench/routing_eval.py --split test --seeds 1 --routers tfidf`, ~45 s): the written test set
  (3,080 Banking77 utterances, 1,000 out-of-scope), the default router (the embeddings extra is not in the
  lock); one seed, as accuracy does not move with rounds and the few-shot rows are means over seeds anyway.
  Most of its time is training the two full-history routers, which no argument shortens.
- hold (`bench/hold.py --callers 200 --hold 20 --ramp 20`, ~130 s): 200 callers on hold, placed and hung up
  20 a second, held 20 s, two thirds of a waitUrl round (~32 s at the clock's rate 2.45), so about two
  callers in three ask for the hold music again while all of them hold. Start-up, the warm-up calls and the
  IVR before the queue take the rest.
- callbacks (`bench/callback_drain.py --callbacks 100 --spread 10 --rate 100 --workers 4`, ~20 s): 100
  callbacks due over 10 s (the documented runs' 10 a second), 4 worker processes.
`--smoke` shrinks every one but routing to prove the comparison runs end to end (~7 minutes a round); its
figures mean nothing.

Databases: the benchmarks document PostgreSQL and Redis at 127.0.0.1, so both trees use those, each its own
PostgreSQL database (`cmp_base`, `cmp_head`, created if missing; the benchmarks drop and rebuild the schema)
and its own Redis database (14 and 15 unless told; the benchmarks flush it); ports are the benchmarks' own
free ones. Base and head never run at the same time.

    .venv/bin/python bench/compare_trees.py --base /work/base --head /work/main             # ~26 min
    .venv/bin/python bench/compare_trees.py --base /work/base --head /work/main --smoke --rounds 1
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from tqdm import tqdm

REGRESSION = 0.05


@dataclass
class Figure:
    label: str
    key: str
    better: str  # "higher", "lower", "fewer" (counts: head may not have more), "same" (equal), "info"


@dataclass
class Benchmark:
    name: str
    script: str
    full: list[str]
    smoke: list[str]
    figures: list[Figure]
    timeout: float  # seconds a run may take before it is killed
    parse: object = None  # stdout -> {key: value}


@dataclass
class Run:
    tree: str
    round: int
    seconds: float
    returncode: int
    figures: dict = field(default_factory=dict)
    error: str = ""


# -- reading each benchmark's output --------------------------------------------------------------------------


def table_rows(text: str) -> list[list[str]]:
    """Every Markdown table row of the output, its cells stripped (separator rows left out)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and line.endswith("|") and not set(line) <= set("|-: "):
            rows.append([cell.strip() for cell in line[1:-1].split("|")])
    return rows


def number(cell: str) -> float:
    """The first number in a cell; NaN for a "-" (nothing measured: no webhook while all held, say)."""
    if cell.strip() == "-":
        return float("nan")
    match = re.search(r"-?[\d,]*\.?\d+", cell)
    if not match:
        raise ValueError(f"no number in {cell!r}")
    return float(match.group().replace(",", ""))


def row(rows: list[list[str]], first: str) -> list[str]:
    found = [r for r in rows if r[0] == first]
    if not found:
        raise ValueError(f"no row {first!r} in the output")
    return found[0]


def parse_webhooks(text: str) -> dict:
    rows = table_rows(text)
    sat, bare = row(rows, "ours, saturation"), row(rows, "bare Flask, saturation")
    paced = next(r for r in rows if r[0].startswith("ours, paced"))
    phases = [r for r in rows if len(r) == 8 and r[0] != "phase"]
    return {"rate": number(sat[2]), "of_ceiling": number(sat[2]) / number(bare[2]) * 100,
            "p50": number(paced[3]), "p99": number(paced[4]), "errors": sum(number(r[6]) for r in phases)}


def parse_webhook_cost(text: str) -> dict:
    everything = row(table_rows(text), "all")
    return {"mean": number(everything[2]), "p50": number(everything[3]), "p99": number(everything[4]),
            "trips": number(everything[5])}


ROUTING_ROWS = {"full": "(b) script + full history [tfidf]", "script": "(a) script phrases only [tfidf]"}
ROUTING_ACCURACY = ["strict acc", "lenient", "macro F1", "confirm", "wrong, unconfirmed", "ask again",
                    "right after <=1 question", "OOS ask again", "OOS routed"]


def parse_routing(text: str) -> dict:
    rows = table_rows(text)
    header = row(rows, "configuration")
    column = {name: k for k, name in enumerate(header)}
    full, script = row(rows, ROUTING_ROWS["full"]), row(rows, ROUTING_ROWS["script"])
    # Every row's accuracy and policy columns, as one string: equal in both trees or not.
    accuracy = "; ".join(f"{r[0]}: " + " ".join(r[column[c]] for c in ROUTING_ACCURACY)
                         for r in rows if r[0] != "configuration")
    return {"strict_full": number(full[column["strict acc"]]), "strict_script": number(script[column["strict acc"]]),
            "every_row": accuracy, "p50": number(full[column["p50 ms"]]), "p99": number(full[column["p99 ms"]]),
            "train": number(full[column["train s"]])}


def parse_hold(text: str) -> dict:
    rows = table_rows(text)
    outcome = next(r for r in rows if len(r) == 7 and r[0] != "callers")
    everything = row(rows, "all")
    held = [number(v) for v in everything[6].split(",")]  # n, p50, p99 while all held
    speed = re.search(r"machine speed ([\d.]+) s", text)
    return {"p50": number(everything[2]), "p99": number(everything[3]), "held_p99": held[2],
            "app_p99": number(everything[7].split("/")[1]), "errors": number(outcome[3]),
            "non200": number(outcome[4]), "exceptions": sum(number(v) for v in outcome[6].split(",")),
            "speed": float(speed.group(1)) if speed else float("nan")}


def parse_callbacks(text: str) -> dict:
    drain = next(r for r in table_rows(text) if len(r) == 9 and r[0] != "callbacks")
    return {"p50": number(drain[5]), "p99": number(drain[7]), "duplicates": number(drain[4]),
            "undialled": number(drain[0]) - number(drain[3])}


BENCHMARKS = [
    Benchmark("webhooks", "bench/webhooks.py", ["--calls", "100", "--seconds", "5", "--think", "1"],
              ["--calls", "10", "--seconds", "2", "--think", "1"],
              [Figure("saturation, ours req/s", "rate", "higher"),
               Figure("saturation, ours / ceiling %", "of_ceiling", "higher"),
               Figure("paced p50 ms", "p50", "lower"), Figure("paced p99 ms", "p99", "lower"),
               Figure("errors (all phases)", "errors", "fewer")], 600, parse_webhooks),
    Benchmark("webhook cost", "bench/webhook_cost.py", ["--held", "100", "--calls", "100"],
              ["--held", "5", "--calls", "10"],
              [Figure("in-process mean ms", "mean", "lower"), Figure("in-process p50 ms", "p50", "lower"),
               Figure("in-process p99 ms", "p99", "lower"),
               Figure("Redis round trips a webhook", "trips", "lower")], 600, parse_webhook_cost),
    Benchmark("routing", "bench/routing_eval.py", ["--split", "test", "--seeds", "1", "--routers", "tfidf"],
              ["--split", "test", "--seeds", "1", "--routers", "tfidf"],
              [Figure("strict acc %, script + full history", "strict_full", "same"),
               Figure("strict acc %, script phrases only", "strict_script", "same"),
               Figure("accuracy and policy, every row", "every_row", "same"),
               Figure("steer() p50 ms, full history", "p50", "lower"),
               Figure("steer() p99 ms, full history", "p99", "lower"),
               Figure("train s, full history", "train", "lower")], 900, parse_routing),
    Benchmark("hold", "bench/hold.py", ["--callers", "200", "--hold", "20", "--ramp", "20"],
              ["--callers", "20", "--hold", "5", "--ramp", "10"],
              [Figure("webhook p50 ms (carrier)", "p50", "lower"), Figure("webhook p99 ms (carrier)", "p99", "lower"),
               Figure("p99 ms while all held", "held_p99", "lower"), Figure("app time p99 ms", "app_p99", "lower"),
               Figure("application errors", "errors", "fewer"), Figure("non-200", "non200", "fewer"),
               Figure("exceptions logged", "exceptions", "fewer"),
               Figure("machine speed s (lower: faster)", "speed", "info")], 900, parse_hold),
    Benchmark("callbacks", "bench/callback_drain.py",
              ["--callbacks", "100", "--spread", "10", "--rate", "100", "--workers", "4"],
              ["--callbacks", "20", "--spread", "2", "--rate", "100", "--workers", "2"],
              [Figure("lag p50 s", "p50", "lower"), Figure("drain lag p99 s", "p99", "lower"),
               Figure("duplicates", "duplicates", "fewer"), Figure("not dialled", "undialled", "fewer")],
              600, parse_callbacks),
]


# -- running ---------------------------------------------------------------------------------------------------


def create_database(server: str, name: str) -> None:
    """The tree's PostgreSQL database, created if missing (callback_drain.py does not create its own)."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


# Loaded by every Python process of every run, in both trees alike (PYTHONPATH): see run_with_retries. Only a
# stopping worker's teardown changes; nothing a benchmark measures runs it.
PROMPT_STOP = """
import redis.client

_stop = redis.client.PubSubWorkerThread.stop


def stop(self, timeout=None):  # rq's worker teardown joins its pubsub thread: 1 s, not up to 60
    return _stop(self, 1.0 if timeout is None else timeout)


redis.client.PubSubWorkerThread.stop = stop
"""


def tree_env(tree: Path, database_url: str, redis_url: str, site: Path | None) -> dict:
    """The environment of one tree's run: its venv first on PATH, its own databases, nothing of the caller's
    venv or callflow settings; `site` (a folder with PROMPT_STOP as sitecustomize.py) on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not k.startswith("CALLFLOW_")}
    env.update(PATH=f"{tree / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(tree / ".venv"),
               DATABASE_URL=database_url, REDIS_URL=redis_url, PYTHONUNBUFFERED="1")
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return env


def run_one(bench: Benchmark, tree: Path, env: dict, args: list[str], log: Path, round_: int, name: str) -> Run:
    """One benchmark in one tree, in a process group of its own: killed whole if it outlives its timeout, and
    whatever it leaves running (a worker still stopping) killed when it ends, before the next run starts."""
    command = [str(tree / ".venv" / "bin" / "python"), bench.script, *args]
    started = time.monotonic()
    with open(log, "w") as out:
        out.write(f"$ cd {tree} && {' '.join(command)}\n\n")
        out.flush()
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=out, text=True,
                                   start_new_session=True)
        try:
            stdout, _ = process.communicate(timeout=bench.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, _ = process.communicate()
            out.write(f"\nkilled after {bench.timeout:g} s\n")
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the group is this run's alone (start_new_session)
        except ProcessLookupError:
            pass
        out.write("\n--- stdout ---\n" + stdout)
    result = Run(name, round_, time.monotonic() - started, process.returncode)
    try:
        result.figures = bench.parse(stdout)
    except (ValueError, IndexError, StopIteration) as error:
        result.error = f"exit {process.returncode}, output not understood ({error}); see {log}"
    return result


def run_with_retries(bench: Benchmark, tree: Path, env: dict, args: list[str], logs: Path, round_: int, name: str,
                     retries: int) -> Run:
    """A run whose figures cannot be read is run again, up to `retries` times; every attempt's log is kept.

    callback_drain.py in both trees prints nothing when one of its workers takes over 30 s to stop after
    SIGTERM, which it did about one run in two here: rq 3.0's Worker.unsubscribe() calls redis-py 8.2's
    PubSubWorkerThread.stop(), which now joins the thread without a timeout, and a thread that read its
    unsubscribe reply before being told to stop waits out its 60 s get_message() on the unsubscribed pubsub
    (hold.py waits for it too, up to 60 s a run). Unless --no-prompt-stop, every run's processes bound that
    join to 1 s (PROMPT_STOP; the thread is a daemon), and a run that still fails is run again."""
    stem = f"{bench.name.replace(' ', '_')}-{name}-{round_}"
    for attempt in range(retries + 1):
        log = logs / (f"{stem}.log" if attempt == 0 else f"{stem}-retry{attempt}.log")
        result = run_one(bench, tree, env, args, log, round_, name)
        if not result.error:
            break
        tqdm.write(f"{bench.name}, {name}, round {round_}: {result.error}"
                   + (", running it again" if attempt < retries else ""), file=sys.stderr)
    return result


# -- the summary -----------------------------------------------------------------------------------------------


def fmt(value) -> str:
    if isinstance(value, str):
        return value if len(value) <= 24 else f"{len(value.split('; '))} rows"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def verdict(figure: Figure, base: list, head: list) -> tuple[str, str]:
    """(head/base, regression?) for one figure, from each tree's values over the rounds."""
    if figure.better == "same":
        return "-", "YES (differs)" if set(head) != set(base) or len(set(base)) > 1 else "no (identical)"
    b, h = statistics.median(base), statistics.median(head)
    ratio = h / b if b else (1.0 if h == b else float("inf"))
    shown = f"{ratio:.2f}" if ratio != float("inf") else "inf"
    if figure.better == "info":
        return shown, "-"
    if figure.better == "fewer":
        return shown, "YES" if max(head) > max(base) else "no"
    worse = ratio < 1 - REGRESSION if figure.better == "higher" else ratio > 1 + REGRESSION
    return shown, "YES" if worse else "no"


def summary(runs: dict[str, list[Run]], benches: list[Benchmark]) -> str:
    lines = ["| benchmark | figure | base median (min-max) | head median (min-max) | head/base | regression > 5%? |",
             "|---|---|---:|---:|---:|---|"]
    failures = []
    for bench in benches:
        done = runs.get(bench.name, [])
        failures += [f"- {bench.name}, {r.tree}, round {r.round}: {r.error}" for r in done if r.error]
        for figure in bench.figures:
            values = {tree: [r.figures[figure.key] for r in done if r.tree == tree and figure.key in r.figures
                             and not (isinstance(r.figures[figure.key], float) and math.isnan(r.figures[figure.key]))]
                      for tree in ("base", "head")}
            if not values["base"] or not values["head"]:
                lines.append(f"| {bench.name} | {figure.label} | - | - | - | nothing to compare |")
                continue
            cells = []
            for tree in ("base", "head"):
                vs = values[tree]
                if isinstance(vs[0], str):
                    cells.append(fmt(vs[0]) + ("" if len(set(vs)) == 1 else " (varies)"))
                else:
                    cells.append(f"{fmt(statistics.median(vs))} ({fmt(min(vs))}-{fmt(max(vs))})")
            ratio, regression = verdict(figure, values["base"], values["head"])
            lines.append(f"| {bench.name} | {figure.label} | {cells[0]} | {cells[1]} | {ratio} | {regression} |")
    seconds = {b.name: [r.seconds for r in runs.get(b.name, [])] for b in benches}
    lines += ["", "Seconds a run took (median): " + ", ".join(
        f"{name} {statistics.median(s):.0f}" for name, s in seconds.items() if s)]
    if failures:
        lines += ["", "Runs whose figures could not be read:", *failures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the checkout before (with its own .venv)")
    parser.add_argument("--head", type=Path, required=True, help="the checkout after (with its own .venv)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each benchmark in each tree")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves it runs, measures nothing")
    parser.add_argument("--only", help="comma-separated benchmarks: " + ", ".join(b.name for b in BENCHMARKS))
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server; each tree gets database cmp_base or cmp_head on it")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server")
    parser.add_argument("--redis-dbs", default="14,15", help="Redis databases of base and head (flushed)")
    parser.add_argument("--retries", type=int, default=2, help="runs again a run whose figures cannot be read")
    parser.add_argument("--no-prompt-stop", action="store_true",
                        help="leave RQ workers' up-to-60 s stop as it is (see run_with_retries)")
    parser.add_argument("--logs", type=Path, help="folder for every run's output (default: a new one in /tmp)")
    args = parser.parse_args(argv)

    benches = BENCHMARKS
    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        unknown = set(wanted) - {b.name for b in BENCHMARKS}
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        benches = [b for b in BENCHMARKS if b.name in wanted]
    trees = {"base": args.base.resolve(), "head": args.head.resolve()}
    for name, tree in trees.items():
        for bench in benches:
            if not (tree / bench.script).exists():
                parser.error(f"{name} tree {tree} has no {bench.script}")
        if not (tree / ".venv" / "bin" / "python").exists():
            parser.error(f"{name} tree {tree} has no .venv (see bench/compare_trees.py's docstring)")
    redis_dbs = dict(zip(("base", "head"), args.redis_dbs.split(","), strict=True))
    logs = args.logs or Path(f"/tmp/compare-trees-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    site = None if args.no_prompt_stop else logs / "site"
    if site is not None:
        site.mkdir(parents=True, exist_ok=True)
        (site / "sitecustomize.py").write_text(PROMPT_STOP)
    envs = {}
    for name, tree in trees.items():
        create_database(args.postgres, f"cmp_{name}")
        envs[name] = tree_env(tree, f"{args.postgres}/cmp_{name}", f"{args.redis}/{redis_dbs[name]}", site)
    logs.mkdir(parents=True, exist_ok=True)
    print(f"base {trees['base']}, head {trees['head']}; {args.rounds} round(s), "
          f"{'smoke' if args.smoke else 'full'} sizes; every run's output in {logs}", file=sys.stderr)

    runs: dict[str, list[Run]] = {}
    started = time.monotonic()
    plan = [(r, bench, name) for r in range(1, args.rounds + 1) for bench in benches for name in ("base", "head")]
    with tqdm(plan, unit="run", desc="compare") as bar:
        for round_, bench, name in bar:
            bar.set_postfix_str(f"round {round_}, {bench.name}, {name}")
            result = run_with_retries(bench, trees[name], envs[name], bench.smoke if args.smoke else bench.full,
                                      logs, round_, name, args.retries)
            runs.setdefault(bench.name, []).append(result)
    sizes = "\n".join(f"- {b.name}: {b.script} {' '.join(b.smoke if args.smoke else b.full)}" for b in benches)
    report = (f"base {trees['base']}, head {trees['head']}; {args.rounds} round(s), alternating base/head; "
              f"{os.cpu_count()} cores; {(time.monotonic() - started) / 60:.1f} min in all\n{sizes}\n\n"
              f"{summary(runs, benches)}")
    (logs / "summary.md").write_text(report + "\n")
    print("\n" + report)
    return 1 if any(r.error for rs in runs.values() for r in rs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
