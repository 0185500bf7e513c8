"""Every job a service leaves for a worker names an RQ entry point that exists and takes those arguments.

Services name their jobs (`queued.enqueue(rt, "distribute", departments)`) instead of importing
`callflow.jobs`, which imports them. A misspelt name or a changed signature would only show in a worker, as
a failed job and a callback never retried; these tests say so at once, naming the file and line.
"""

from __future__ import annotations

import ast
import inspect

import pytest

from callflow import jobs
from callflow.services import queued
from tests.conftest import ROOT

SERVICES = ROOT / "callflow" / "services"
ARGS_BEFORE_NAME = {"enqueue": 1, "schedule": 2}  # (rt,) or (rt, virtual_seconds) come before the job's name


def queued_jobs() -> list[tuple[str, str, int]]:
    """(where, job name, positional arguments passed) of every `queued.enqueue`/`queued.schedule` call."""
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "queued" \
                    and node.func.attr in ARGS_BEFORE_NAME:
                name = node.args[ARGS_BEFORE_NAME[node.func.attr]]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert isinstance(name, ast.Constant), f"{where}: a job is named by a string literal"
                found.append((where, name.value, len(node.args) - ARGS_BEFORE_NAME[node.func.attr] - 1))
    return found


def test_the_services_leave_work_for_workers():
    assert {name for _, name, _ in queued_jobs()} >= {"distribute", "retry_callback", "give_up_callback",
                                                      "sweep_callbacks", "retrain_router", "callback_due"}


@pytest.mark.parametrize(("where", "name", "passed"), queued_jobs())
def test_a_queued_job_is_an_entry_point_taking_its_arguments(where, name, passed):
    entry = getattr(jobs, name, None)
    assert callable(entry), f"{where}: callflow.jobs has no job {name!r}"
    try:
        inspect.signature(entry).bind(*range(passed))
    except TypeError as error:
        pytest.fail(f"{where}: callflow.jobs.{name} does not take {passed} arguments: {error}")
    assert f"{queued.JOBS_MODULE}{name}" == f"{entry.__module__}.{entry.__name__}"  # the name RQ stores
