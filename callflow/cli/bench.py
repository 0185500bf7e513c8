"""`callflow routing-eval` and `callflow simulate`: the benchmarks of bench/, run from a checkout."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import click


@click.command("routing-eval", add_help_option=False,
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def routing_eval(ctx: click.Context) -> None:
    """Measure call steering on Banking77 and CLINC150 (bench/routing_eval.py; --help for its options)."""
    sys.exit(_bench("routing_eval").main(ctx.args))


@click.command("simulate", add_help_option=False,
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def simulate(ctx: click.Context) -> None:
    """Score every wait estimator in a simulated contact centre (bench/simulate.py; --help for its options)."""
    sys.exit(_bench("simulate").main(ctx.args))


def _bench(name: str):
    """A benchmark module from the repository's bench/ folder (benchmarks ship with the source, not the wheel)."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        path = root / "bench" / f"{name}.py"
        if path.exists():
            spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # dataclasses look their module up there while it executes
            sys.path.insert(0, str(root))
            spec.loader.exec_module(module)
            return module
    raise click.UsageError(f"bench/{name}.py not found: run from a checkout of the callflow repository")
