"""How gunicorn serves the app, shared by `callflow serve`, the image, docker-compose and the benchmarks.

    gunicorn -c python:webapp.gunicorn_config --bind 0.0.0.0:8000 --workers 4 'webapp:create_app()'

Threads (gthread) because a webhook mostly waits on Redis and the database. The worker freezes its heap once
the app is loaded: a web worker holds about 200,000 long-lived objects (Flask, SQLAlchemy, twilio, the
scripts, scikit-learn), and each of CPython's full garbage collections walks them all, 130 ms with the
worker's every thread stopped, which callers would hear as a webhook's tail latency. Frozen, they are never
walked again (0.02 ms in-process; under load a worker's longest pause fell from 362 ms to 230-242, though
full collections came twice as often: docs/benchmarks.md, Callers on hold, runs 5-7); what the requests
create is collected as before.

Before the freeze each worker loads its scripts and every live version's steering router (`webapp/warm.py`,
`callflow/services/warm_up.py`), so no caller waits for a parse or a training, and what it loaded is frozen
with the rest (issue 22). An earlier warm-up here (taken out in 8f696c9) coincided with a worse 5,000-on-hold
tail, cause not found; this one, measured against the same tree without it, does not worsen the tail and keeps
the router out of the workers' full collections: docs/benchmarks.md, Callers on hold, "The warm-up and the
hold tail (issue 22)".

Every worker counts into one folder of metrics (prometheus_client's multiprocess mode, docs/metrics.md): the
master names it before the workers fork (PROMETHEUS_MULTIPROC_DIR, or `metrics/` in the instance folder) and
forgets the files of processes gone since the last start.

A keep-alive connection is closed after KEEPALIVE_REQUESTS requests (nginx's `keepalive_requests`): a
connection stays with the worker that accepted it, and Twilio's senders keep theirs open for as long as calls
come, so without it one worker could serve nearly every webhook while the other idled (measured: 0.53 cores
against 0.03 with 3,000 on hold, and with 10,000 one worker saturated while the other was idle,
docs/benchmarks.md "10,000 callers on hold"). A reconnection is accepted by whichever worker is free to, so
the load spreads; the price is one TCP handshake per hundred requests.

A request whose body is too long for the app to drain after refusing it (`webapp/oversize.py`) is answered
with `Connection: close` and the connection closed, rather than kept alive and then dropped.
"""

from __future__ import annotations

import gc

from callflow.services import metrics
from callflow.settings import Settings
from webapp import oversize, warm

worker_class = "gthread"
threads = 8
KEEPALIVE_REQUESTS = 100


def on_starting(server) -> None:
    directory = metrics.share_across_processes(Settings.from_env().instance_path)
    metrics.forget_dead(directory)


def child_exit(server, worker) -> None:
    metrics.process_exited(worker.pid)


def post_worker_init(worker) -> None:
    warm.warm_up_app(worker.wsgi)  # scripts and routers loaded before the first caller, and frozen with the rest
    gc.collect()
    gc.freeze()


def pre_request(worker, req) -> None:
    worker.log.debug("%s %s", req.method, req.path)
    headers = {name.upper(): value for name, value in req.headers}
    try:
        length = int(headers.get("CONTENT-LENGTH", ""))
    except ValueError:
        length = None
    if oversize.must_close(length, "chunked" in headers.get("TRANSFER-ENCODING", "").lower()):
        req.must_close = True  # gunicorn then says `Connection: close` and closes after the answer
    elif getattr(req, "req_number", 1) >= KEEPALIVE_REQUESTS:
        req.must_close = True  # the sender reconnects, to whichever worker is free to accept (module docstring)
