"""How gunicorn serves the app, shared by `callflow serve`, the image, docker-compose and the benchmarks.

    gunicorn -c python:webhooks.gunicorn_config --bind 0.0.0.0:8000 --workers 4 'webhooks:create_app()'

Threads (gthread) because a webhook mostly waits on Redis and the database. The worker freezes its heap once
the app is loaded: a web worker holds about 200,000 long-lived objects (Flask, SQLAlchemy, twilio, the
scripts, scikit-learn), and each of CPython's full garbage collections walks them all, 130 ms with the
worker's every thread stopped, which callers would hear as a webhook's tail latency. Frozen, they are never
walked again (0.02 ms in-process; under load a worker's longest pause fell from 362 ms to 230-242, though
full collections came twice as often: docs/benchmarks.md, Callers on hold, runs 5-7); what the requests
create is collected as before.
"""

from __future__ import annotations

import gc

worker_class = "gthread"
threads = 8


def post_worker_init(worker) -> None:
    gc.collect()
    gc.freeze()
