"""Lua scripts queued on a pipeline of several stores' commands, without a round trip of their own.

redis-py asks Redis `SCRIPT EXISTS` before every pipeline that holds a script (one more round trip each time,
the very thing a pipeline is for). Here a script goes on the pipeline as a bare EVALSHA; if Redis has lost
its scripts (a restart, a `SCRIPT FLUSH`) the pipeline fails with NOSCRIPT before any script ran, and
`execute` loads them and runs the pipeline once more (its other commands must be safe to repeat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import redis
from redis.commands.core import Script


def queue(pipe, script: Script, keys: list, args: list) -> None:
    """Queue `script(keys, args)` on `pipe` as an EVALSHA."""
    pipe.evalsha(script.sha, len(keys), *keys, *args)


def execute(connection: redis.Redis, fill: Callable[[object], None], scripts: Iterable[Script]) -> list:
    """Run the commands `fill(pipe)` queues, in one round trip; once more after loading `scripts` if Redis had
    lost them."""
    for attempt in (1, 2):
        with connection.pipeline(transaction=False) as pipe:
            fill(pipe)
            try:
                return pipe.execute()
            except redis.exceptions.NoScriptError:
                if attempt == 2:
                    raise
        for script in scripts:
            script.sha = connection.script_load(script.script)
    raise AssertionError("unreachable")
