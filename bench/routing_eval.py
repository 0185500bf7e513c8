"""Benchmark call steering on Banking77 (8 departments) and CLINC150's out-of-scope requests.

    python bench/routing_eval.py [--split test|dev] [--seeds 5] [--routers tfidf,embeddings]
                                 [--script ivr_scripts/acme_bank.yaml] [--sets written,spoken,language,per-language]
                                 [--only TEXT]

`--split dev` holds out a fifth of the Banking77 train split and uses CLINC150 oos_val: the only split to
tune on. `--split test` trains on the whole train split and measures on test.csv and oos_test: measure,
never tune. Every configuration is listed beside the plain TF-IDF + LinearSVC baseline from RESEARCH.md,
measured in the same run. `--routers` picks the shipped routers to measure: the default TF-IDF one and the
optional sentence-embedding one (skipped, with a note, when its extra is not installed). `--sets` picks
what to measure on: the written requests, their spoken twins (`data/spoken/`, built by `bench/spoken_set.py`
from the test split; with `--split dev`, built by the same rules from the dev fifth), or both, one table each;
`language` adds which language callers were found to speak (`bench/language_eval.py`, issue 24), and
`per-language` Spanish and English steered from the script alone by the routers the product builds for a
two-language line (`bench/language_steering.py`, issue 24).
`--only` keeps the configurations whose name contains the text (e.g. "script phrases only").
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC
from tqdm import tqdm

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))  # spoken_set, also when `callflow routing-eval` loads this file

from callflow.domain.steering import evaluate
from callflow.domain.steering.router import Router
from callflow.domain.steering.training import load_script, steering_examples

# The script's department ids -> the Banking77 department names in departments.json. Script departments
# missing here (Acme's "general") stay in the router, and every call they take counts as wrong.
SCRIPT_TO_BANKING77 = {
    "cards": "Cards",
    "card_payments": "Card Payments & Disputes",
    "payments": "Payments & Transfers",
    "top_ups": "Top-ups",
    "cash_atm": "Cash & ATM",
    "fees": "Fees & Exchange",
    "account": "Account & Identity",
    "fraud": "Fraud & Security",
}


@dataclass
class Data:
    history: dict[str, list[str]]  # department -> labelled history to train on
    fine: dict[str, list[str]]  # "department/intent" -> the same history with Banking77's intents
    texts: list[str]  # utterances to measure on
    truth: list[str]
    acceptable: list[frozenset[str]]
    oos: list[str]


def load_data(data_dir: Path, split: str, spoken: bool = False) -> Data:
    """Read Banking77 and CLINC150's out-of-scope queries (the repository's data/, see its README).

    `spoken`: measure on the spoken-style twins of the same requests instead (`bench/spoken_set.py`).
    """
    banking = data_dir / "banking77"
    if not (banking / "train.csv").exists():
        raise SystemExit(f"Banking77 not found under {banking}: pass --data pointing at the repository's data/")
    department = json.loads((banking / "departments.json").read_text())
    lenient = json.loads((banking / "departments_acceptable.json").read_text())
    clinc = json.loads((data_dir / "clinc150" / "oos.json").read_text())  # oos_val and oos_test only

    def rows(name: str) -> list[tuple[str, str]]:
        with open(banking / name, newline="", encoding="utf-8") as handle:
            return [(r["text"], r["category"]) for r in csv.DictReader(handle)]

    train = rows("train.csv")
    if split == "dev":
        train, measure = train_test_split(
            train, test_size=0.2, random_state=0, stratify=[c for _, c in train]
        )
        oos = [t for t, _ in clinc["oos_val"]]
    else:
        measure = rows("test.csv")
        oos = [t for t, _ in clinc["oos_test"]]
    if spoken and split == "dev":
        from spoken_set import build

        measure = [(t, c) for t, c, _ in build(measure, department)]
        oos = [t for t, _, _ in build([(t, "oos") for t in oos], None)]
    elif spoken:
        def spoken_rows(name: str) -> list[tuple[str, str]]:
            with open(data_dir / "spoken" / name, newline="", encoding="utf-8") as handle:
                return [(r["text"], r["category"]) for r in csv.DictReader(handle)]

        measure = spoken_rows("banking77_test_spoken.csv")
        oos = [t for t, _ in spoken_rows("clinc150_oos_test_spoken.csv")]
    history: dict[str, list[str]] = defaultdict(list)
    fine: dict[str, list[str]] = defaultdict(list)
    for text, category in train:
        history[department[category]].append(text)
        fine[f"{department[category]}/{category}"].append(text)
    return Data(
        history=dict(sorted(history.items())),
        fine=dict(sorted(fine.items())),
        texts=[t for t, _ in measure],
        truth=[department[c] for _, c in measure],
        acceptable=[frozenset(lenient[c]) for _, c in measure],
        oos=oos,
    )


def sample(history: dict[str, list[str]], per_department: int | None, seed: int) -> dict[str, list[str]]:
    """`per_department` random phrases of each department (all of them when None)."""
    rng = random.Random(seed)
    return {
        d: list(p) if per_department is None else rng.sample(p, per_department) for d, p in history.items()
    }


def combine(*sources: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = defaultdict(list)
    for source in sources:
        for department, phrases in source.items():
            merged[department] += phrases
    return dict(merged)


class BaselineSVM:
    """RESEARCH.md's anchor: TF-IDF word 1-2 + char_wb 2-5 grams, LinearSVC, no out-of-scope class."""

    def __init__(self, examples: dict[str, list[str]]) -> None:
        texts = [t for phrases in examples.values() for t in phrases]
        labels = [d for d, phrases in examples.items() for _ in phrases]
        self.features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        )
        self.model = LinearSVC(random_state=0).fit(self.features.fit_transform(texts), labels)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return list(self.model.predict(self.features.transform(texts)))


@dataclass
class Config:
    name: str
    build: Callable[[int], dict[str, list[str]]]  # seed -> training examples
    seeds: int
    baseline: bool = False
    kind: str = "tfidf"


def configurations(
    data: Data, script: dict[str, list[str]], seeds: int, kinds: Sequence[str] = ("tfidf",)
) -> list[Config]:
    """The configurations the issue asks for, each shipped router beside the baseline where it applies.

    History is trained on departments (what agents' transfers give), except the rows marked "intents",
    which train on Banking77's 77 intents ("department/intent" keys) and add them up per department.
    """

    def each(name: str, build: Callable[[int], dict[str, list[str]]], n_seeds: int) -> list[Config]:
        return [Config(f"{name} [{kind}]", build, n_seeds, kind=kind) for kind in kinds]

    configs = [
        *each("(a) script phrases only", lambda s: script, 1),
        *each("(b) script + full history", lambda s: combine(script, data.history), 1),
        *each("(b) script + full history, intents", lambda s: combine(script, data.fine), 1),
        Config("    baseline SVM, full history", lambda s: data.history, 1, baseline=True),
    ]
    for n in (20, 50):
        configs += [
            *each(
                f"(c) script + {n}/dept history",
                lambda s, n=n: combine(script, sample(data.history, n, s)),
                seeds,
            ),
            *each(f"    {n}/dept history, no script", lambda s, n=n: sample(data.history, n, s), seeds),
            Config(
                f"    baseline SVM, {n}/dept", lambda s, n=n: sample(data.history, n, s), seeds, baseline=True
            ),
        ]
    return configs


def resident_mb(blob_path: Path) -> tuple[float, float]:
    """Memory a web process gains by importing the router, loading this model and steering once, and the
    seconds that takes (for the embeddings router: importing torch and loading the encoder included)."""
    code = (
        "import resource,sys,time;sys.path.insert(0,sys.argv[2]);"
        "r=lambda: int(open('/proc/self/statm').read().split()[1])*resource.getpagesize()/2**20;b=r();"
        "t=time.perf_counter();from callflow.domain.steering.router import Router;"
        "m=Router.from_bytes(open(sys.argv[1],'rb').read());m.steer('my card was declined');"
        "print(r()-b, time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(blob_path), str(REPO)], check=False, capture_output=True, text=True
    )
    fields = out.stdout.split()
    return (float(fields[0]), float(fields[1])) if len(fields) == 2 else (float("nan"), float("nan"))


def _one_thread_uncached(kind: str):
    """Latency as a worker sees it: no memo of vectors, and torch on one thread (the machine is shared)."""
    import contextlib

    if kind != "embeddings":
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def scope():
        import torch

        from callflow.domain.steering.embeddings import shared_encoder

        encoder, threads = shared_encoder(), torch.get_num_threads()
        memo, encoder.memo = encoder.memo, None
        torch.set_num_threads(1)
        try:
            yield
        finally:
            encoder.memo = memo
            torch.set_num_threads(threads)

    return scope()


def measure(config: Config, seed: int, data: Data, tmp: Path) -> dict[str, float]:
    """Train one configuration with one seed and measure it."""
    examples = config.build(seed)
    started = time.perf_counter()
    if config.baseline:
        baseline = BaselineSVM(examples)
        train_s = time.perf_counter() - started
        best = baseline.predict(data.texts)
        hits = np.array(best) == np.array(data.truth)
        lenient = [b in ok for b, ok in zip(best, data.acceptable, strict=True)]
        # No out-of-scope class and no thresholds: every call is routed, every stranger included.
        return {
            "strict": hits.mean(),
            "lenient": np.mean(lenient),
            "wrong": 1 - hits.mean(),
            "confirm": 0.0,
            "oos_unknown": 0.0,
            "oos_routed": 1.0,
            "train_s": train_s,
        }
    router = Router.train(examples, kind=config.kind)
    train_s = time.perf_counter() - started
    blob = router.to_bytes()
    started = time.perf_counter()
    router = Router.from_bytes(blob)
    load_s = time.perf_counter() - started
    scores = evaluate.in_scope(router, data.texts, data.truth, data.acceptable)
    oos = evaluate.out_of_scope(router, data.oos)
    row = {
        "strict": scores.strict_accuracy,
        "lenient": scores.lenient_accuracy,
        "macro_f1": scores.macro_f1,
        "confirm": scores.confirmed,
        "wrong": scores.routed_wrong,
        "unknown": scores.unknown,
        "reached": scores.routed_right + scores.confirmed_right,
        "oos_unknown": oos.unknown,
        "oos_routed": oos.routed,
        "train_s": train_s,
        "load_s": load_s,
        "size_kb": len(blob) / 1024,
    }
    if seed == 0:
        with _one_thread_uncached(config.kind):
            row["p50_ms"], row["p99_ms"] = evaluate.latency_ms(router.steer, data.texts[::3])
        (tmp / "router.bin").write_bytes(blob)
        row["rss_mb"], row["cold_s"] = resident_mb(tmp / "router.bin")
    return row


COLUMNS = [  # (key, heading, format)
    ("strict", "strict acc", "{:.1%}"),
    ("lenient", "lenient", "{:.1%}"),
    ("macro_f1", "macro F1", "{:.3f}"),
    ("confirm", "confirm", "{:.1%}"),
    ("wrong", "wrong, unconfirmed", "{:.1%}"),
    ("unknown", "ask again", "{:.1%}"),
    ("reached", "right after <=1 question", "{:.1%}"),
    ("oos_unknown", "OOS ask again", "{:.1%}"),
    ("oos_routed", "OOS routed", "{:.1%}"),
    ("p50_ms", "p50 ms", "{:.2f}"),
    ("p99_ms", "p99 ms", "{:.2f}"),
    ("train_s", "train s", "{:.2f}"),
    ("load_s", "load s", "{:.3f}"),
    ("cold_s", "cold start s", "{:.2f}"),
    ("size_kb", "model KiB", "{:.0f}"),
    ("rss_mb", "+RSS MiB", "{:.0f}"),
]


def table(results: dict[str, list[dict[str, float]]]) -> str:
    """A Markdown table: means over seeds, with the spread of strict accuracy when there are several."""
    lines = [
        "| configuration | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for name, rows in results.items():
        cells = []
        for key, _, fmt in COLUMNS:
            values = [r[key] for r in rows if key in r]
            cell = fmt.format(float(np.mean(values))) if values else "-"
            if key == "strict" and len(values) > 1:
                cell += f" ±{np.std(values):.1%}"
            cells.append(cell)
        lines.append(f"| {name.strip()} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def available(kinds: Sequence[str]) -> tuple[list[str], list[str]]:
    """The router kinds that can run here, and a note for each one that cannot."""
    usable, notes = [], []
    for kind in kinds:
        if kind == "embeddings":
            try:
                from callflow.domain.steering.embeddings import shared_encoder

                # Each text is embedded once per run: configurations share the vectors (not when timing).
                shared_encoder().memo = {}
            except (ImportError, RuntimeError) as error:
                notes.append(f"embeddings router skipped: {error}")
                continue
        usable.append(kind)
    return usable, notes


def run(
    data_dir: Path,
    script_path: Path,
    split: str = "test",
    seeds: int = 5,
    kinds: Sequence[str] = ("tfidf", "embeddings"),
    sets: Sequence[str] = ("written", "spoken", "language", "per-language"),
    only: str = "",
) -> str:
    """Run every configuration with a progress bar and return a summary table per evaluation set."""
    import tempfile

    script = {
        SCRIPT_TO_BANKING77.get(d, d): p for d, p in steering_examples(load_script(script_path)).items()
    }
    kinds, notes = available(kinds) if set(sets) - {"language"} else (list(kinds), [])  # no encoder to load
    out = []
    for which in sets:
        data = load_data(data_dir, split, spoken=which != "written")
        if which == "language":  # which language the caller speaks (issue 24): no router involved
            from language_eval import report

            out.append(report(data_dir, split, data.texts, data.oos))
            continue
        if which == "per-language":  # the product's router per language of a two-language line (issue 24)
            from language_steering import report as per_language

            out.append(per_language(data_dir, script_path, split, data, kinds))
            continue
        configs = [c for c in configurations(data, script, seeds, kinds) if only in c.name]
        jobs = [(c, s) for c in configs for s in range(c.seeds)]
        results: dict[str, list[dict[str, float]]] = defaultdict(list)
        with tempfile.TemporaryDirectory() as tmp:
            for config, seed in tqdm(jobs, desc=f"routing-eval ({split}, {which})", unit="model"):
                results[config.name].append(measure(config, seed, data, Path(tmp)))
        header = (
            f"split={split}, {which}: {len(data.texts)} in-scope utterances, {len(data.oos)} out-of-scope, "
            f"seeds={seeds}, routers={','.join(kinds)}"
        )
        out.append("\n".join([header, *notes]) + "\n\n" + table(results))
    return "\n\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (`callflow routing-eval` wraps this)."""
    parser = argparse.ArgumentParser(prog="routing-eval", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--script", type=Path, default=REPO / "ivr_scripts" / "acme_bank.yaml")
    parser.add_argument("--split", choices=["test", "dev"], default="test")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--routers", default="tfidf,embeddings", help="comma-separated: tfidf (default router), embeddings"
    )
    parser.add_argument(
        "--sets",
        default="written,spoken,language,per-language",
        help="comma-separated: written, spoken, language, per-language",
    )
    parser.add_argument("--only", default="", help="only configurations whose name contains this")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.routers.split(",") if k.strip()]
    sets = [k.strip() for k in args.sets.split(",") if k.strip()]
    print(run(args.data, args.script, args.split, args.seeds, kinds, sets, args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
