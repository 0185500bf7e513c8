"""Language found from a caller's first words (issue 24): Spanish and English spoken sets, per language.

    python bench/routing_eval.py --sets language [--split test|dev]

Part of `routing-eval` (`--sets language`). Measures `callflow.domain.steering.language.find_language` on
the first words of a call (no current language yet) on a line whose languages are `LINE` (English first:
a Spanish caller whose words do not decide is answered in English, and counts as wrong). `--split test`:
the Spanish set the project wrote (`data/spoken/acme_es_spoken.csv`) and an English sample of the same size
and the same share of out-of-scope requests from the committed spoken twins (`data/spoken/`, seeded);
the whole English spoken set is one more row. `--split dev`: the small Spanish dev set
(`bench/data/language_dev_es.csv`) and the spoken twin of the dev fifth, built in memory: tune there.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from callflow.domain.steering.language import find_language

LINE = ("en-US", "es-US")
SEED = 24


def spanish(data_dir: Path, split: str) -> list[tuple[str, bool]]:
    """(text, out of scope?) rows of the Spanish set of this split."""
    path = (
        data_dir / "spoken" / "acme_es_spoken.csv"
        if split == "test"
        else Path(__file__).parent / "data" / "language_dev_es.csv"
    )
    with open(path, newline="", encoding="utf-8") as handle:
        return [(r["text"], r["category"] == "oos") for r in csv.DictReader(handle)]


def english_sample(texts: list[str], oos: list[str], like: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """English rows as many as `like`'s, with as many out-of-scope ones (a seeded sample)."""
    rng = random.Random(SEED)
    n_oos = sum(o for _, o in like)
    return [(t, False) for t in rng.sample(texts, len(like) - n_oos)] + [(t, True) for t in rng.sample(oos, n_oos)]


def score(rows: list[tuple[str, bool]], expected: str, desc: str) -> dict[str, float]:
    """Share found right, decided, and decided wrong; per-utterance latency (one at a time)."""
    found, took = [], []
    for text, _ in tqdm(rows, desc=desc, unit="utt", leave=False):
        started = time.perf_counter()
        result = find_language(text, LINE)
        took.append((time.perf_counter() - started) * 1e6)
        found.append(result)
    right = np.array([f.language == expected for f in found])
    decided = np.array([f.decided for f in found])
    oos = np.array([o for _, o in rows])
    return {
        "n": len(rows),
        "right": right.mean(),
        "right_in": right[~oos].mean(),
        "right_oos": right[oos].mean() if oos.any() else float("nan"),
        "decided": decided.mean(),
        "wrong_decided": (decided & ~right).mean(),
        "p50_us": float(np.percentile(took, 50)),
        "p99_us": float(np.percentile(took, 99)),
        "misses": [(text, f.language) for (text, _), f in zip(rows, found, strict=True) if f.language != expected],
    }


def report(data_dir: Path, split: str, english_texts: list[str], english_oos: list[str]) -> str:
    """The summary table: Spanish, the English sample, both, and the whole English spoken set."""
    es = spanish(data_dir, split)
    en = english_sample(english_texts, english_oos, es)
    whole = [(t, False) for t in english_texts] + [(t, True) for t in english_oos]
    results = {
        "Spanish": score(es, "es-US", "language (Spanish)"),
        "English, sample": score(en, "en-US", "language (English)"),
        "English, whole spoken set": score(whole, "en-US", "language (English, whole)"),
    }
    both = [results["Spanish"], results["English, sample"]]
    overall = {
        key: sum(r[key] * r["n"] for r in both) / sum(r["n"] for r in both)
        for key in ("right", "right_in", "right_oos", "decided", "wrong_decided")
    }
    lines = [
        f"split={split}, language from the first words, line {' + '.join(LINE)} (a tie keeps {LINE[0]})",
        "",
        ("| set | utterances | language found right | in scope | out of scope | decided by the words "
         "| decided wrong | p50 µs | p99 µs |"),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = {**dict([*results.items()][:2]), "Spanish + English": {**overall, "n": sum(r["n"] for r in both)}}
    rows["English, whole spoken set"] = results["English, whole spoken set"]
    for name, r in rows.items():
        timing = f"{r['p50_us']:.0f} | {r['p99_us']:.0f}" if "p50_us" in r else "- | -"
        lines.append(
            f"| {name} | {r['n']} | {r['right']:.1%} | {r['right_in']:.1%} | {r['right_oos']:.1%} "
            f"| {r['decided']:.1%} | {r['wrong_decided']:.1%} | {timing} |"
        )
    for name in ("Spanish", "English, sample"):
        misses = results[name]["misses"]
        if misses:
            lines.append(f"\n{name}, found wrong ({len(misses)}):")
            lines += [f"  {language}: {text}" for text, language in misses]
    return "\n".join(lines)
