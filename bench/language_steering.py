"""Steering per language from the script alone (issue 24): the routers the product builds for a two-language line.

    python bench/routing_eval.py --sets per-language [--split test|dev] [--routers tfidf]

Part of `routing-eval` (`--sets per-language`). The script (Acme's by default) is read by the product's own
loader (`parse_script`) and its routers built by the product's own training path (`router_for_script`, no
history): one router per language, each trained on that language's phrases of the script model (Spanish from
its `translations:` block). Measured, with the columns of "script phrases only":

- `es-US router`: the Spanish router alone, on the Spanish set (the call already known to be in Spanish);
- `es-US, line's routers`: the same utterances through the line's routers, which pick the router by the words'
  language (`LanguageRouters`, what a caller whose language is not known yet gets);
- `en router`: the line's own language's router on the English spoken set, for comparison (the same router as
  "script phrases only": a second language never changes how the first is steered).

`--split test`: the Spanish set the project wrote (`data/spoken/acme_es_spoken.csv`) and the committed English
spoken twins of Banking77's test split and CLINC150's oos_test. `--split dev`: the Spanish dev sets
(`bench/data/language_dev_es.csv` and `bench/data/steering_dev_es.csv`) and the spoken twin of the dev fifth:
tune there. The Spanish set's `category` is a Banking77 intent (or `oos`), mapped to Acme's departments through
`data/banking77/departments.json` as the English sets are.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from callflow.domain.script.loader import parse_script
from callflow.domain.steering import evaluate
from callflow.domain.steering.per_language import LanguageRouters
from callflow.domain.steering.training import router_for_script

SPANISH = "es-US"
DEV_SETS = ("language_dev_es.csv", "steering_dev_es.csv")


def spanish_rows(data_dir: Path, split: str) -> list[tuple[str, str]]:
    """(text, Banking77 intent or "oos") rows of the Spanish set of this split."""
    if split == "test":
        paths = [data_dir / "spoken" / "acme_es_spoken.csv"]
    else:
        paths = [Path(__file__).parent / "data" / name for name in DEV_SETS]
    rows = []
    for path in paths:
        if path.exists():
            with open(path, newline="", encoding="utf-8") as handle:
                rows += [(r["text"], r["category"]) for r in csv.DictReader(handle)]
    return rows


def line_routers(script_path: Path, kind: str) -> LanguageRouters:
    """The routers the product builds for the script (no history), by its own loader and training path."""
    script, problems = parse_script(script_path.read_text(encoding="utf-8"), str(script_path))
    if script is None:
        raise SystemExit(f"{script_path}: {problems[0] if problems else 'unreadable'}")
    routers = router_for_script(script, kind=kind)
    if not isinstance(routers, LanguageRouters) or SPANISH not in routers.routers:
        raise SystemExit(f"{script_path}: no {SPANISH} router (does the line speak {SPANISH} with phrases?)")
    return routers


def scores(router, texts: Sequence[str], truth: Sequence[str], acceptable, oos: Sequence[str]) -> dict:
    """The "script phrases only" columns for one router on one set."""
    found = evaluate.in_scope(router, texts, truth, acceptable)
    strangers = evaluate.out_of_scope(router, oos)
    row = {
        "n": len(texts),
        "n_oos": len(oos),
        "strict": found.strict_accuracy,
        "lenient": found.lenient_accuracy,
        "confirm": found.confirmed,
        "wrong": found.routed_wrong,
        "unknown": found.unknown,
        "reached": found.routed_right + found.confirmed_right,
        "oos_unknown": strangers.unknown,
        "oos_routed": strangers.routed,
    }
    row["p50_ms"], row["p99_ms"] = evaluate.latency_ms(router.steer, list(texts[::3]) + list(oos[::3]))
    return row


COLUMNS = [
    ("strict", "strict acc"), ("lenient", "lenient"), ("confirm", "confirm"), ("wrong", "wrong, unconfirmed"),
    ("unknown", "ask again"), ("reached", "right after <=1 question"), ("oos_unknown", "OOS ask again"),
    ("oos_routed", "OOS routed"),
]


def report(
    data_dir: Path, script_path: Path, split: str, english, kinds: Sequence[str] = ("tfidf",)
) -> str:
    """One table: per router kind, the Spanish router, the line's routers on Spanish, the English router.

    `english`: routing_eval's `Data` for the spoken English set of this split (department names of
    departments.json; the script's ids are mapped to them here)."""
    from routing_eval import SCRIPT_TO_BANKING77

    to_script = {name: dept for dept, name in SCRIPT_TO_BANKING77.items()}
    department = json.loads((data_dir / "banking77" / "departments.json").read_text())
    lenient = json.loads((data_dir / "banking77" / "departments_acceptable.json").read_text())
    es = spanish_rows(data_dir, split)
    es_in = [(t, c) for t, c in es if c != "oos"]
    es_truth = [to_script[department[c]] for _, c in es_in]
    es_ok = [frozenset(to_script[d] for d in lenient[c]) for _, c in es_in]
    es_oos = [t for t, c in es if c == "oos"]
    en_truth = [to_script[d] for d in english.truth]
    en_ok = [frozenset(to_script[d] for d in ok) for ok in english.acceptable]
    results = {}
    jobs = [(kind, which) for kind in kinds for which in ("es-US router", "es-US, line's routers", "en router")]
    routers = {}
    for kind, which in tqdm(jobs, desc=f"routing-eval ({split}, per-language)", unit="row"):
        if kind not in routers:
            routers[kind] = line_routers(script_path, kind)
        line = routers[kind]
        if which == "es-US router":
            row = scores(line.routers[SPANISH], [t for t, _ in es_in], es_truth, es_ok, es_oos)
        elif which == "es-US, line's routers":
            row = scores(line, [t for t, _ in es_in], es_truth, es_ok, es_oos)
        else:
            row = scores(line.routers[line.languages[0]], english.texts, en_truth, en_ok, english.oos)
            which = f"{line.languages[0]} router"
        results[(kind, which)] = row
    lines = [
        (f"split={split}, steering per language from the script alone ({script_path.name}, the product's "
         f"routers, no history): Spanish {len(es_in)} in scope + {len(es_oos)} out of scope; English spoken "
         f"{len(english.texts)} + {len(english.oos)}"),
        "",
        "| set | router | in scope | OOS | " + " | ".join(h for _, h in COLUMNS) + " | p50 ms | p99 ms |",
        "|---" * (len(COLUMNS) + 6) + "|",
    ]
    for (kind, which), r in results.items():
        cells = " | ".join(f"{r[k]:.1%}" for k, _ in COLUMNS)
        language = "Spanish" if which.startswith("es-US") else "English spoken"
        lines.append(
            f"| {language} | {which} [{kind}] | {r['n']} | {r['n_oos']} | {cells} "
            f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |"
        )
    return "\n".join(lines)
