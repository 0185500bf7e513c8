"""How gunicorn serves the app, shared by `callflow serve`, the image, docker-compose and the benchmarks.

    gunicorn -c python:webhooks.gunicorn_config --bind 0.0.0.0:8000 --workers 4 'webhooks:create_app()'

Threads (gthread) because a webhook mostly waits on Redis and the database. Each worker loads the lines'
scripts and their routers and opens its connections before it takes a request (`webhooks.warm_up`), so the
first caller after a deploy does not wait seconds for them in silence. The worker then freezes its heap: a
web worker holds about 200,000 long-lived objects (Flask, SQLAlchemy, twilio, the scripts, scikit-learn),
and each of CPython's full garbage collections walks them all, 130 ms with the worker's every thread
stopped, which callers would hear as a webhook's tail latency. Frozen, they are never walked again (0.02 ms
in-process; under load a worker's longest pause fell from 362 ms to 230-242, though full collections came
twice as often: docs/benchmarks.md, Callers on hold, runs 5-7); what the requests create is collected as
before.
"""

from __future__ import annotations

import gc

worker_class = "gthread"
threads = 8


def post_worker_init(worker) -> None:
    """Load what the first caller would wait for, then freeze the heap (it holds the routers too)."""
    from webhooks import warm_up

    warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()
