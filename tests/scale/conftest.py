"""The scale-out ring: the e2e fixtures again, but with two web processes (gunicorn, each its own process)
and two `callflow worker` processes sharing one Redis and one database.

Twilio reaches a deployment through one public URL and a load balancer; here the load balancer is a tiny
round-robin HTTP proxy in the test process (`RoundRobin`): PUBLIC_URL is the proxy's address (signatures are
made and checked against it, as behind a real balancer), and consecutive requests go to alternating web
processes, so one call's webhooks are served by both. The test's own app object is never served: tests use
its runtime only to set agents' presence and read state, as an admin's shell would.
"""

from __future__ import annotations

import http.client
import itertools
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from rq import Worker

from callflow.carrier import Carrier
from tests import processes
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e.conftest import LINE, RATE, TUESDAY_MORNING, _every_call_has_one_summary, sessions_for
from tests.ports import free_port
from tests.waiting import wait_for
from webapp import create_app

WEB_PROCESSES = 2
WORKERS = 2
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class RoundRobin:
    """A load balancer: each request to the next backend in turn; counts who served what."""

    def __init__(self):
        self.backends: list[tuple[str, int]] = []
        self.served: Counter = Counter()
        self._next = itertools.count()
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                host, port = balancer.backends[next(balancer._next) % len(balancer.backends)]
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["X-Forwarded-For"] = self.client_address[0]
                connection = http.client.HTTPConnection(host, port, timeout=30)
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    status, answer_headers, payload = answer.status, answer.getheaders(), answer.read()
                except (OSError, http.client.HTTPException) as error:  # as a balancer does: 502, not a dropped line
                    status, answer_headers, payload = 502, [], f"backend {host}:{port}: {error!r}".encode()
                else:
                    balancer.served[(port, self.path.split("?")[0])] += 1
                finally:
                    connection.close()
                self.send_response(status)
                for key, value in answer_headers:
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                if self.close_connection:
                    # The client asked to close (Connection: close, as the carrier sends) and the server closes once
                    # this answer is written: say so, as gunicorn, werkzeug and real balancers do. Unannounced, the
                    # client's pool keeps the connection and may send its next webhook on it before the close lands:
                    # "Remote end closed connection without response", a webhook lost.
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ports_serving(self, path: str) -> set[int]:
        return {port for (port, served), n in self.served.items() if served == path and n}

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def clock_start():
    return TUESDAY_MORNING


@pytest.fixture
def balancer():
    proxy = RoundRobin()
    yield proxy
    proxy.stop()


@pytest.fixture
def carrier(balancer):
    phone_company = Carrier(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, rate=RATE).start()
    phone_company.add_number(LINE, voice_url=f"{balancer.url}/voice/incoming",
                             status_callback=f"{balancer.url}/voice/status")
    yield phone_company
    phone_company.stop()


def _environment(settings, clock_start, carrier, public_url) -> dict:
    return dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
                TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, SECRET_KEY="scale-secret",
                IVR_SCRIPTS=str(settings.ivr_scripts), CALLFLOW_INSTANCE=str(settings.instance_path),
                CALLFLOW_CLOCK_RATE=str(RATE), CALLFLOW_CLOCK_START=clock_start.isoformat(),
                TWILIO_API_URL=carrier.url, PUBLIC_URL=public_url)


def _stop(started) -> None:
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def app_server(settings, clock_start, sessions, carrier, balancer):
    """Two gunicorn web processes behind the round-robin balancer; (the test's app, the public URL)."""
    import dataclasses

    app = create_app(dataclasses.replace(settings, public_url=balancer.url, clock_rate=RATE,
                                         clock_start=clock_start, twilio_api_url=carrier.url))
    app.extensions["callflow"].clock  # noqa: B018 -- agree the shared clock before the web processes start
    env = _environment(settings, clock_start, carrier, balancer.url)
    web = []
    for _ in range(WEB_PROCESSES):
        port = free_port()
        web.append(processes.start(
            [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_config", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--threads", "16", "--log-level", "warning",
             "webapp:create_app()"], env=env, start_new_session=True))
        balancer.backends.append(("127.0.0.1", port))
    for process, (_, port) in zip(web, balancer.backends, strict=True):
        wait_for(lambda p=port, proc=process: _healthy(p) or proc.poll() is not None, timeout=60,
                 what=f"the web process on port {port}")
        assert process.poll() is None, "a web process exited at start"
    yield app, balancer.url
    _stop(web)
    app.extensions["callflow"].close()


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok
    except requests.RequestException:
        return False


@pytest.fixture
def worker(settings, redis, clock_start, carrier, app_server):
    """Two real `callflow worker` processes on the shared Redis and database."""
    env = _environment(settings, clock_start, carrier, app_server[1])
    workers = [processes.start([sys.executable, "-m", "callflow.cli", "worker"], env=env, start_new_session=True)
               for _ in range(WORKERS)]
    wait_for(lambda: len(Worker.all(connection=redis)) >= WORKERS or any(p.poll() is not None for p in workers),
             timeout=60, what="both RQ workers to start")
    assert all(p.poll() is None for p in workers), "a worker exited at start"
    yield workers
    try:
        _every_call_has_one_summary(carrier, sessions_for(settings))
    finally:
        _stop(workers)


@pytest.fixture(autouse=True)
def both_web_processes_served(balancer):
    """Every scale-out test must have had its calls' webhooks served by both web processes."""
    yield
    assert len(balancer.ports_serving("/voice/incoming") | balancer.ports_serving("/voice/input")
               | balancer.ports_serving("/voice/hold") | balancer.ports_serving("/voice/status")) == WEB_PROCESSES, \
        dict(balancer.served)
