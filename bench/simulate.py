"""`callflow simulate`: every wait estimator against the simulated contact centre, scored, tabled and plotted.

    .venv/bin/python bench/simulate.py --plot docs/wait-estimates.svg          # the suite, in-process queues
    .venv/bin/python bench/simulate.py --backend redis --callers 2000 --replications 1 --scenarios "steady 0.95"
    .venv/bin/python bench/simulate.py --check-backends                         # Redis and memory agree?

The in-process backend runs the same Queues/PresenceBoard/Distributor interface as the Redis code; the
backends check shows both give identical callers' fates and estimates for the same seed, and how long each takes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callflow.sim.backend import memory_backend, redis_backend
from callflow.sim.engine import Simulation
from callflow.sim.scores import METHODS, PROMISING, Outcome, score
from callflow.sim.workload import steady, suite

STEADY = ("steady 0.8", "steady 0.95", "steady 1.1")


def redis_connection(url: str | None):
    """REDIS_URL's server (db 14, flushed per replication), or an embedded one in a temporary folder."""
    if url:
        import redis

        return redis.Redis.from_url(url)
    from callflow.store.connections import embedded_redis

    return embedded_redis(os.path.join(tempfile.mkdtemp(prefix="callflow-sim-"), "redis.db"))


def run(scenario, replications: int, backend: str, connection=None, bar=None) -> list[Simulation]:
    """Replications 1..n of one scenario, seeds 1..n."""
    sims = []
    for seed in range(1, replications + 1):
        store = redis_backend(connection) if backend == "redis" else memory_backend()
        sims.append(Simulation(scenario, store, seed).run())
        if bar is not None:
            bar.update(1)
    return sims


def table(name: str, outcome: Outcome, seconds: float) -> str:
    """One scenario's Markdown table."""
    lines = [f"### {name}", "",
             (f"{outcome.scores['ours'].callers} scored callers waited and were served (share who waited "
             f"{outcome.waited_share:.0%}, mean actual wait {outcome.mean_wait:.0f} s); "
             f"{outcome.abandoned} abandoned; {seconds:.0f} s to run."), "",
             "| estimator | MAE s | RMSE s | bias s | promise kept | tightness |", "|---|---|---|---|---|---|"]
    for method in METHODS:
        if method not in outcome.scores:
            continue
        s = outcome.scores[method]
        mark = "" if method in PROMISING else " (point)"
        lines.append(f"| {method} | {s.mae:.1f} | {s.rmse:.1f} | {s.bias:+.1f} | {s.kept:.1%}{mark} | "
                     f"{s.tightness:.2f} |")
    lines.append(f"| ours, as heard: first promises | | | | {outcome.heard_kept:.1%} | "
                 f"{outcome.heard_tightness:.2f} |")
    if outcome.fresh_made:
        lines.append(f"| ours, as heard: {outcome.fresh_made} after a broken one | | | | {outcome.fresh_kept:.1%} | "
                     f"{outcome.fresh_tightness:.2f} |")
    else:
        lines.append("| ours, as heard: after a broken one | | | | none made | |")
    lines.append("")
    return "\n".join(lines)


def targets(outcomes: dict[str, Outcome]) -> str:
    """Issue 6's targets, scenario by scenario; where the oracle exists, what the best possible estimator gets."""
    lines = [("| scenario | ours RMSE | vs QLm | vs Asterisk | kept | tightness | targets | oracle: vs Asterisk, "
             "kept, tightness |"), "|---|---|---|---|---|---|---|---|"]
    for name, o in outcomes.items():
        ours, qlm, ast = (o.scores[m] for m in ("ours", "QLm", "asterisk"))
        need = 1.0 if name in STEADY else 0.85
        checks = [ours.rmse <= need * qlm.rmse, ours.rmse <= 0.6 * ast.rmse, ours.kept >= 0.9, ours.tightness <= 1.5]
        verdict = ", ".join(f"{label} {'met' if ok else 'NOT met'}" for label, ok in
                            zip(("QLm", "0.6 Asterisk", "kept", "tightness"), checks, strict=True))
        best = o.scores.get("oracle")
        oracle = f"{best.rmse / ast.rmse:.2f}, {best.kept:.2%}, {best.tightness:.2f}" if best else "n/a"
        lines.append(f"| {name} | {ours.rmse:.1f} | {ours.rmse / qlm.rmse:.2f} | {ours.rmse / ast.rmse:.2f} | "
                     f"{ours.kept:.2%} | {ours.tightness:.2f} | {verdict} | {oracle} |")
    return "\n".join(lines)


def svg(outcomes: dict[str, Outcome], path: str, replications: int = 5) -> None:
    """RMSE of each estimator per scenario as grouped bars (hand-written SVG; no plotting dependency)."""
    shown = [m for m in METHODS if m not in ("twilio", "erlang C")]  # off the scale; in the tables
    colours = ["#999", "#bbb", "#8ab", "#9b8", "#cb8", "#58a", "#fc9", "#c33", "#333"]  # ours red, oracle black
    width, height, left, top, bottom = 900, 380, 60, 40, 60
    group = (width - left - 20) / len(outcomes)
    bar = group * 0.8 / len(shown)
    peak = max(o.scores[m].rmse for o in outcomes.values() for m in shown if m in o.scores)
    scale = (height - top - bottom) / peak
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             'font-size="11">'), (f'<text x="{left}" y="20" font-size="14">Wait estimates: RMSE (s) of callers who '
             f'waited and were served; {replications} replications</text>')]
    for gi, (name, o) in enumerate(outcomes.items()):
        x0 = left + gi * group + group * 0.1
        for mi, method in enumerate(shown):
            if method not in o.scores:
                continue
            h = o.scores[method].rmse * scale
            x, y = x0 + mi * bar, height - bottom - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                         f'fill="{colours[mi]}"><title>{method}: {o.scores[method].rmse:.1f} s</title></rect>')
        parts.append(f'<text x="{x0 + group * 0.4:.1f}" y="{height - bottom + 15}" text-anchor="middle">{name}</text>')
    for mi, method in enumerate(shown):
        x = left + mi * (width - left) / len(shown)
        parts.append(f'<rect x="{x}" y="{height - 25}" width="10" height="10" fill="{colours[mi]}"/>'
                     f'<text x="{x + 14}" y="{height - 16}">{method}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 20}" y2="{height - bottom}" stroke="#333"/>')
    Path(path).write_text("\n".join(parts + ["</svg>"]) + "\n")


def check_backends(callers: int, url: str | None) -> str:
    """Run one scenario on Redis and in memory with the same seed: identical fates and estimates?"""
    scenario = steady(0.95, callers)
    timings, runs = {}, {}
    for backend in ("memory", "redis"):
        start = time.perf_counter()
        runs[backend] = run(scenario, 1, backend, redis_connection(url) if backend == "redis" else None)[0]
        timings[backend] = time.perf_counter() - start
    fate = {b: [(c.sid, c.state, c.served_at, c.agent, c.predictions) for c in sim.callers.values()]
            for b, sim in runs.items()}
    same = fate["memory"] == fate["redis"]
    n = len(runs["memory"].callers)
    return (f"{scenario.name}, {n} callers, seed 1: memory {timings['memory']:.1f} s, redis {timings['redis']:.1f} s "
            f"({timings['redis'] / timings['memory']:.0f}x); every caller's fate and every estimate "
            f"{'identical' if same else 'DIFFERENT'}")


def main(argv: list[str] | None = None) -> int:
    """Run the suite (or part of it), print Markdown tables, write the plot."""
    parser = argparse.ArgumentParser(prog="callflow simulate", description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="*", help="names as in the tables (default: all)")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--callers", type=int, default=20_000, help="scored callers per steady replication")
    parser.add_argument("--backend", choices=("memory", "redis"), default="memory")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--plot", help="write an SVG of RMSE per estimator here")
    parser.add_argument("--check-backends", type=int, nargs="?", const=2000, metavar="CALLERS")
    args = parser.parse_args(argv)
    if args.check_backends:
        print(check_backends(args.check_backends, args.redis_url))
        return 0
    scenarios = [s for s in suite(args.callers) if not args.scenarios or s.name in args.scenarios]
    connection = redis_connection(args.redis_url) if args.backend == "redis" else None
    outcomes, started = {}, time.perf_counter()
    with tqdm(total=len(scenarios) * args.replications, desc="simulating", unit="replication") as bar:
        for scenario in scenarios:
            start = time.perf_counter()
            outcome = score(run(scenario, args.replications, args.backend, connection, bar))
            outcomes[scenario.name] = outcome
            tqdm.write(table(scenario.name, outcome, time.perf_counter() - start))
    print(f"## Targets ({args.backend} backend, {args.replications} replications, "
          f"{time.perf_counter() - started:.0f} s in all)\n\n{targets(outcomes)}")
    if args.plot:
        svg(outcomes, args.plot, args.replications)
        print(f"\nplot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
