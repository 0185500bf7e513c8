"""Seconds to train the call-steering router on Acme Bank's script phrases and Banking77's full history.

Run with each checkout's own venv on that checkout (its own modules: the layout before issue 20 named them
`callflow.steering`, after it `callflow.domain.steering`), alternating, to compare two trees' training time:

    for i in 1 2 3 4 5; do for t in /work/head /work/base; do $t/.venv/bin/python \
        /work/main/bench/router_training.py $t --runs 2; done; done
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="the checkout whose code is timed")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    import bench.routing_eval as evaluation  # the tree's own, with its own imports

    try:
        from callflow.domain.steering.router import Router
    except ImportError:  # a checkout from before the layers
        from callflow.steering.router import Router
    data = evaluation.load_data(args.tree / "data", "test")
    script = evaluation.examples_from_script(evaluation.load_script(args.tree / "ivr_scripts" / "acme_bank.yaml"))
    examples = evaluation.combine({evaluation.SCRIPT_TO_BANKING77.get(d, d): p for d, p in script.items()},
                                  data.history)
    for _ in range(args.runs):
        started = time.perf_counter()
        Router.train(examples, kind="tfidf")
        print(f"{args.tree.name} train {time.perf_counter() - started:.2f} s", flush=True)


if __name__ == "__main__":
    main()
