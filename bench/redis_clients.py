"""Which Redis client the lock should pin: bench/webhook_cost.py under several redis-py versions, side by side.

Every webhook makes 2-10 Redis round trips, so the client library's cost per command shows in every call. For
each `--client` (pip requirements: a redis-py version, with or without the `hiredis` parser) this builds a
throwaway venv under `--venvs` from requirements.lock's pins with only the client replaced, then plays
bench/webhook_cost.py in every venv in turn, round after round (the order rotating each round, so the
machine's drift falls on every client alike), against the same Redis and database. The table gives the median
over rounds of each run's mean milliseconds per webhook, and the whole process's wall seconds.

    .venv/bin/python bench/redis_clients.py --rounds 3 --held 200 --calls 200   # ~3 min (+1 min a venv, once)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ["redis==8.2.0", "redis==8.2.0 hiredis==3.5.0", "redis==5.2.1", "redis==5.2.1 hiredis==3.5.0"]
REPLACED = {"redis", "hiredis"}
ROW = re.compile(r"^\| (\S[^|]*?) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$")


def locked_pins(replaced: set[str]) -> list[str]:
    """requirements.lock's `name==version` lines, without the packages a client replaces (hashes dropped)."""
    pins = []
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match and match[1].lower() not in replaced:
            pins.append(f"{match[1]}=={match[2]}")
    return pins


def venv_for(client: str, venvs: Path) -> Path:
    """The venv of one client, built on first use: the locked pins, then the client's requirements."""
    home = venvs / re.sub(r"[^A-Za-z0-9.]+", "-", client)
    python = home / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pins:
            pins.write("\n".join(locked_pins(REPLACED)) + "\n")
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", pins.name, *client.split()], check=True)
        os.unlink(pins.name)
    return python


def describe(python: Path) -> str:
    """What the venv really runs: redis-py's version and whether it parses replies with hiredis."""
    code = "import redis, redis.utils as u; print(redis.__version__, 'hiredis' if u.HIREDIS_AVAILABLE else 'pure Python')"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def play(python: Path, held: int, calls: int) -> tuple[dict[str, tuple[float, float]], float]:
    """One run of bench/webhook_cost.py: each webhook's mean ms and round trips, and the run's wall seconds."""
    started = time.perf_counter()
    result = subprocess.run([str(python), str(ROOT / "bench" / "webhook_cost.py"), "--held", str(held),
                             "--calls", str(calls)], capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"{python}: bench/webhook_cost.py failed:\n{result.stderr[-2000:]}")
    rows = {m[1]: (float(m[3]), float(m[6])) for m in map(ROW.match, result.stdout.splitlines()) if m}
    return rows, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", action="append", help="pip requirements of one client (repeatable); "
                        f"default: {', '.join(repr(c) for c in CLIENTS)}")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each client, in rotation")
    parser.add_argument("--held", type=int, default=200, help="callers put on hold first (webhook_cost.py)")
    parser.add_argument("--calls", type=int, default=200, help="calls measured per run (webhook_cost.py)")
    parser.add_argument("--venvs", default=str(Path(tempfile.gettempdir()) / "callflow-redis-clients"),
                        help="where the throwaway venvs are built and kept for the next run")
    args = parser.parse_args(argv)

    from tqdm import tqdm

    clients = args.client or CLIENTS
    pythons = {client: venv_for(client, Path(args.venvs)) for client in tqdm(clients, desc="venvs", unit="venv")}
    runs: dict[str, list[tuple[dict, float]]] = {client: [] for client in clients}
    with tqdm(total=args.rounds * len(clients), desc="webhook_cost.py runs", unit="run") as bar:
        for round_ in range(args.rounds):
            for client in clients[round_ % len(clients):] + clients[:round_ % len(clients)]:
                runs[client].append(play(pythons[client], args.held, args.calls))
                bar.update()

    kinds = [kind for kind in runs[clients[0]][0][0] if kind != "all"]
    first = statistics.median(rows["all"][0] for rows, _ in runs[clients[0]])
    print(f"\n{args.rounds} rounds, {args.calls} calls each after {args.held} put on hold; "
          f"median over rounds of each run's mean ms per webhook (min-max of the all column)\n")
    print("| client | runs | " + " | ".join(kinds) + " | all webhooks | min-max | vs first | round trips "
          "| run wall s |")
    print("|---|---|" + "---:|" * (len(kinds) + 5))
    for client in clients:
        alls = [rows["all"][0] for rows, _ in runs[client]]
        per_kind = [statistics.median(rows[kind][0] for rows, _ in runs[client]) for kind in kinds]
        print(f"| {client} ({describe(pythons[client])}) | {len(alls)} | "
              + " | ".join(f"{ms:.2f}" for ms in per_kind)
              + f" | **{statistics.median(alls):.2f}** | {min(alls):.2f}-{max(alls):.2f} | "
              f"{statistics.median(alls) / first:.2f} | {runs[client][0][0]['all'][1]:.1f} | "
              f"{statistics.median(wall for _, wall in runs[client]):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
