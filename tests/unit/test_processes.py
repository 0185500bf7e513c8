"""A worker the tests start ends when the test run dies, instead of taking the next run's jobs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.waiting import wait_for

PARENT = """
import subprocess, sys
from tests import processes
child = processes.start([sys.executable, "-c", "import time; time.sleep(120)"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
print(child.pid, flush=True)
"""  # then the parent exits without stopping its child, as a killed test run does


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie awaiting its reaper is gone for our purpose
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_started_process_ends_when_the_run_that_started_it_dies():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parent = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, cwd=root, timeout=30,
                            check=True)
    child = int(parent.stdout.split()[0])
    wait_for(lambda: not alive(child), timeout=10, what="the orphaned child to end")
