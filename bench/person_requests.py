"""Benchmark telling a request for a person ("can I speak to someone") from a reason that names one ("someone stole
my card").

    python bench/person_requests.py [--router tfidf|embeddings]

Two sets. Every Banking77 query (train and test: 13,083 customers' messages about a banking matter, none of them
a request for a person; data/banking77) whose words name a person (someone, somebody, an agent, ...), and the
requests for a person in bench/data/person_requests.csv (written with the code, as callers ask). Each phrase is
said at Acme Bank's first menu on a Sunday at 23:00, when only the fraud line is open, through the engine with
the line's own router, once with the rule before issue 25 (five words or fewer holding a person's word) and
once with the rule now (a person's word among request words only). The table counts where the callers went.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from callflow.domain.events import CallStarted, Speech
from callflow.domain.script import engine, utterances
from callflow.domain.script.loader import load_script
from callflow.domain.steering.training import router_for_script

NIGHT = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Sunday, 11 pm in London: only Fraud and Security is open
BANKING77_NAMES = {"Account & Identity": "account", "Card Payments & Disputes": "card_payments", "Cards": "cards",
                   "Cash & ATM": "cash_atm", "Fees & Exchange": "fees", "Fraud & Security": "fraud",
                   "Payments & Transfers": "payments", "Top-ups": "top_ups"}
PERSON_WORDS = {"agent", "operator", "person", "human", "representative", "adviser", "advisor", "someone",
                "somebody", "anyone", "anybody", "staff"}
BEFORE_MAX_WORDS = 5
BEFORE_WORDS = PERSON_WORDS - {"anyone", "anybody", "staff"}


def before(text: str) -> bool:
    """The rule before issue 25: any sentence of five words or fewer holding a person's word."""
    words = utterances.normalise(text).split()
    return len(words) <= BEFORE_MAX_WORDS and any(w in BEFORE_WORDS for w in words)


RULES: dict[str, Callable[[str], bool]] = {"before": before, "now": utterances.asks_for_person}


def banking77_naming_a_person() -> list[tuple[str, str]]:
    """Banking77's queries that name a person, with the Acme department their category belongs to."""
    data = REPO / "data" / "banking77"
    department = json.loads((data / "departments.json").read_text())
    found = []
    for name in ("train.csv", "test.csv"):
        with open(data / name, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if PERSON_WORDS & set(utterances.normalise(row["text"]).split()):
                    found.append((row["text"], BANKING77_NAMES[department[row["category"]]]))
    return found


def requests_for_a_person() -> list[tuple[str, str]]:
    with open(REPO / "bench" / "data" / "person_requests.csv", newline="", encoding="utf-8") as handle:
        return [(row["text"], "operator") for row in csv.DictReader(handle)]


def outcome(script, steer, text: str, want: str) -> str:
    """Where the phrase took the caller at the first menu: the department they meant, the operator, another
    department, or a question (confirm or say it again)."""
    first = engine.start(script, CallStarted("+15551230002", script.numbers[0]), NIGHT, steer)
    step = engine.handle(script, first.state, Speech(text, 0.9), NIGHT, steer)
    reached = step.state.department
    if reached is None:
        return "asked"
    if want == "operator":
        return "right" if reached == script.operator else "elsewhere"
    if "operator" in step.state.path:  # taken for a request for a person
        return "operator"
    return "right" if reached == want else "elsewhere"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="person_requests", description=__doc__.splitlines()[0])
    parser.add_argument("--router", default="tfidf", choices=("tfidf", "embeddings"))
    args = parser.parse_args(argv)
    script = load_script(REPO / "ivr_scripts" / "acme_bank.yaml")
    steer = router_for_script(script, kind=args.router).steer
    sets = {"Banking77 queries naming a person": banking77_naming_a_person(),
            "requests for a person": requests_for_a_person()}
    counts: dict[tuple[str, str], Counter] = {}
    misses = []
    real = utterances.asks_for_person
    try:
        for rule, judge in RULES.items():
            utterances.asks_for_person = judge  # the engine reads the rule through the module
            for name, phrases in sets.items():
                tally = counts[(name, rule)] = Counter()
                for text, want in tqdm(phrases, desc=f"{name} ({rule})", unit="phrase"):
                    got = outcome(script, steer, text, want)
                    tally[got] += 1
                    if rule == "now" and got != "right":
                        misses.append(f"  '{text}': meant {want}, {got}")
    finally:
        utterances.asks_for_person = real
    print(f"\n{'set':<36} {'rule':<7} {'phrases':>8} {'right':>7} {'operator':>9} {'elsewhere':>10} {'asked':>6}")
    for (name, rule), tally in counts.items():
        total = sum(tally.values())
        print(f"{name:<36} {rule:<7} {total:>8} {tally['right'] / total:>7.1%} {tally['operator']:>9} "
              f"{tally['elsewhere']:>10} {tally['asked']:>6}")
    if misses:
        print("\nnot where they meant, now:\n" + "\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
