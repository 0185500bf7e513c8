"""Benchmark the answers callers give to the confirmation question ("Is this about X, or about Y?").

    python bench/confirmations.py [--router tfidf|embeddings]

Each data file under bench/data/ holds answers written as callers give them (yes, no, ordinals, a
department's name or topic, a fresh reason, a person, neither) with the outcome a person listening would
choose. The engine answers each in the confirmation state with the line's own router, and the table reports
how often the caller was put where they meant, by kind of answer. `confirmation_answers.csv` (Acme Bank)
was written with the code; `confirmation_answers_clinic.csv` (Riverside Clinic) after it, and was run once.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from callflow.domain.script.loader import load_script
from callflow.domain.script.preview import confirmation_outcome, expected_outcome
from callflow.domain.steering.training import router_for_script

SETS = (("acme_bank.yaml", "confirmation_answers.csv"), ("riverside_clinic.yaml", "confirmation_answers_clinic.csv"))
# A weekday afternoon, when both lines' departments are open (the outcome is the department chosen anyway).
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


def rows(path: Path) -> list[dict[str, str]]:
    """The labelled answers of one data file."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def measure(script_file: str, data_file: str, router_kind: str) -> list[tuple[dict[str, str], str, str]]:
    """Each answer with where it should lead and where it led."""
    script = load_script(REPO / "ivr_scripts" / script_file)
    router = router_for_script(script, kind=router_kind)
    results = []
    answers = rows(REPO / "bench" / "data" / data_file)
    for row in tqdm(answers, desc=f"confirmations ({script.company})", unit="answer"):
        want = expected_outcome(script, row["first"], row["second"], row["expected"])
        got = confirmation_outcome(script, row["first"], row["second"], row["answer"], router.steer, NOW)
        results.append((row, want, got))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="confirmations", description=__doc__.splitlines()[0])
    parser.add_argument("--router", default="tfidf", choices=("tfidf", "embeddings"))
    args = parser.parse_args(argv)
    table: list[tuple[str, str, int, int]] = []
    misses = []
    for script_file, data_file in SETS:
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for row, want, got in measure(script_file, data_file, args.router):
            by_kind[row["kind"]].append(want == got)
            if want != got:
                misses.append(f"  {data_file}: '{row['answer']}' ({row['first']} or {row['second']}): "
                              f"wanted {want}, got {got}")
        for kind, right in by_kind.items():
            table.append((data_file, kind, sum(right), len(right)))
        everything = [r for rights in by_kind.values() for r in rights]
        table.append((data_file, "all", sum(everything), len(everything)))
    print(f"\n{'data':<36} {'answers':<9} {'right':>9} {'accuracy':>9}")
    for data_file, kind, right, total in table:
        print(f"{data_file:<36} {kind:<9} {f'{right}/{total}':>9} {right / total:>9.1%}")
    if misses:
        print("\nmisses:\n" + "\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
