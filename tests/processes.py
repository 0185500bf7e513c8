"""Processes the tests start (workers, servers) end with the test run, however it ends.

A worker left running by a run that was killed keeps taking jobs from the next run's queue on the same Redis
database, with the old run's settings: the next run's calls then fail in ways no test explains. Linux ends a
child whose parent dies when asked to (prctl PR_SET_DEATHSIG); elsewhere this is a plain Popen.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not glibc: the test's own teardown stops the process
        pass


def start(args: list[str], **kwargs) -> subprocess.Popen:
    """`subprocess.Popen(args, **kwargs)`, ended by SIGTERM if the test run dies first (Linux)."""
    if sys.platform.startswith("linux"):
        kwargs.setdefault("preexec_fn", _die_with_parent)
    return subprocess.Popen(args, **kwargs)
