"""Time one `steer()` at a time for a router trained on a script alone, on the written and spoken test sets.

    python bench/steering_latency.py [--tree PATH] [--rounds 3]

`routing-eval` times steering in one pass among its other work; on a shared machine its p99 is mostly other
people's load. This times only steering, for several rounds, so that two trees (`--tree` another checkout,
e.g. a `git archive` of an older commit) can be compared round by round, alternating.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from tqdm import tqdm

REPO = Path(__file__).resolve().parents[1]
_ONE_ROUND = """
import csv, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from callflow.domain.steering.training import load_script, train_from_script
router = train_from_script(load_script(sys.argv[2]))
for path in sys.argv[3:]:
    texts = [row["text"] for row in csv.DictReader(open(path, newline="", encoding="utf-8"))]
    for text in texts[:50]:
        router.steer(text)
    samples = []
    for text in texts:
        start = time.perf_counter()
        router.steer(text)
        samples.append((time.perf_counter() - start) * 1000)
    print(np.percentile(samples, 50), np.percentile(samples, 99))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to time (default: this one)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    trees = args.tree or [REPO]
    sets = {"written": REPO / "data" / "banking77" / "test.csv",
            "spoken": REPO / "data" / "spoken" / "banking77_test_spoken.csv"}
    script = REPO / "ivr_scripts" / "acme_bank.yaml"
    rows = []
    for round_ in tqdm(range(args.rounds), desc="steering latency", unit="round"):
        for tree in trees:  # alternating, so that load from elsewhere falls on every tree alike
            out = subprocess.run([sys.executable, "-c", _ONE_ROUND, str(tree), str(script), *map(str, sets.values())],
                                 check=True, capture_output=True, text=True).stdout.split("\n")
            for name, line in zip(sets, out, strict=False):
                p50, p99 = map(float, line.split())
                rows.append((round_ + 1, str(tree), name, p50, p99))
    print("| round | tree | set | p50 ms | p99 ms |\n|---|---|---|---|---|")
    for row in rows:
        print("| {} | {} | {} | {:.2f} | {:.2f} |".format(*row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
