"""A request too large (413) leaves the client's kept-alive connection working: its next request is answered.

Real connections (http.client, one socket kept alive as browsers and Twilio keep theirs) to the app served as
production serves it (gunicorn with webapp/gunicorn_config.py: the connection is kept) and as the tests'
Werkzeug server serves it (it closes every connection after its answer, saying so: the client reconnects).
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import AUTH_TOKEN
from tests.ports import free_port
from tests.waiting import wait_for
from webapp import create_app, oversize

LIMIT = 64 * 1024  # MAX_CONTENT_LENGTH


@pytest.fixture
def gunicorn(settings):
    """The app under gunicorn, exactly as `callflow serve` and the image start it."""
    port = free_port()
    env = dict(os.environ, REDIS_URL=settings.redis_url, DATABASE_URL=settings.database_url,
               TWILIO_AUTH_TOKEN=AUTH_TOKEN, SECRET_KEY="s", IVR_SCRIPTS=str(settings.ivr_scripts),
               CALLFLOW_INSTANCE=str(settings.instance_path), PUBLIC_URL=f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_config", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning", "webapp:create_app()"],
        env=env, start_new_session=True)

    def healthy():
        assert process.poll() is None, "gunicorn exited"
        try:
            return get(connect(f"http://127.0.0.1:{port}"), "/health")[0] == 200
        except OSError:
            return False

    wait_for(healthy, timeout=60, what="gunicorn to answer")
    yield f"http://127.0.0.1:{port}"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture
def werkzeug(settings):
    """The app under Werkzeug's threaded server (HTTP/1.1, keep-alive), as the browser tests serve it."""
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)


def get(connection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def post(connection, path: str, size: int) -> http.client.HTTPResponse:
    body = b"login=alice&password=" + b"x" * (size - 21)
    connection.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.body = response.read()
    return response


@pytest.fixture(params=["gunicorn", "werkzeug"])
def served(request) -> tuple[str, str]:
    """(which server, its URL)."""
    return request.param, request.getfixturevalue(request.param)


@pytest.mark.parametrize("size", [LIMIT + 1, 100_000, oversize.DRAIN_BYTES])
@pytest.mark.parametrize("path", ["/login", "/voice/incoming", "/admin/scripts/acme_bank.yaml/check"])
def test_after_a_413_the_kept_alive_connection_answers_the_next_request(served, path, size):
    server, url = served
    connection = connect(url)
    assert get(connection, "/health")[0] == 200
    socket = connection.sock
    refused = post(connection, path, size)
    assert refused.status == 413 and b"Too large: at most 64 KB" in refused.body
    kept = refused.getheader("Connection", "keep-alive").lower() == "keep-alive"
    assert get(connection, "/health") == (200, b'{"status":"ok"}\n')
    if server == "gunicorn":  # production keeps the connection: the next request went on the same one
        assert kept and connection.sock is socket
    connection.close()


def test_a_body_too_large_to_drain_is_answered_with_connection_close_and_the_client_reconnects(served):
    connection = connect(served[1])
    refused = post(connection, "/login", oversize.DRAIN_BYTES + 1)
    assert refused.status == 413 and refused.getheader("Connection").lower() == "close"
    assert get(connection, "/health")[0] == 200  # http.client opens a new connection, as it was told to
    connection.close()


def test_production_closes_a_kept_alive_connection_after_its_hundredth_request(gunicorn):
    """A sender that keeps one connection open for ever would stay with one worker (docs in
    webapp/gunicorn_config.py): the hundredth answer says `Connection: close`, and the next request, on a new
    connection, is answered."""
    from webapp.gunicorn_config import KEEPALIVE_REQUESTS

    connection = connect(gunicorn)
    first = None
    for n in range(1, KEEPALIVE_REQUESTS + 1):
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        first = first or connection.sock
        assert response.status == 200
        closing = (response.getheader("Connection") or "").lower() == "close"
        assert closing is (n == KEEPALIVE_REQUESTS), f"request {n}"
        if not closing:
            assert connection.sock is first
    assert get(connection, "/health")[0] == 200  # http.client reconnects, as it was told to
    connection.close()
