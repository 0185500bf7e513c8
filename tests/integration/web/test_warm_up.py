"""A web worker readies itself before its first caller (gunicorn's post_worker_init, `webhooks.warm_up`).

Without it the first caller after a deploy waited in silence while the process loaded the scripts and
trained or loaded the call-steering router (seconds), and whatever was down made the worker fail to start.
"""

from __future__ import annotations

import dataclasses
import gc
from types import SimpleNamespace

import pytest

from callflow.runtime import ROUTER_ID_KEY
from tests.integration.web.test_voice import post, spoken
from webhooks import create_app, gunicorn_config


@pytest.fixture
def start_worker():
    """Run gunicorn's worker hook on an app, as gunicorn does once the worker has loaded it."""
    def start(app):
        gunicorn_config.post_worker_init(SimpleNamespace(wsgi=app))
        return app

    yield start
    gc.unfreeze()  # the hook froze the test process's heap


def test_a_started_worker_has_published_every_lines_router_before_its_first_caller(settings, redis, start_worker):
    app = start_worker(create_app(settings))
    scripts = list(app.extensions["callflow"].scripts.current.values())
    assert scripts
    published = {s.version: redis.get(ROUTER_ID_KEY + s.version) for s in scripts}
    assert all(published.values()), published  # trained and shared with every process, no call needed

    start_worker(create_app(settings))  # a second worker loads the same routers rather than training its own
    assert {s.version: redis.get(ROUTER_ID_KEY + s.version) for s in scripts} == published


def test_a_worker_started_while_redis_and_the_database_are_down_serves_callers_the_safe_route(settings,
                                                                                              start_worker):
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0",
                               database_url="postgresql://postgres@127.0.0.1:1/test", fallback_number="+441632960999")
    client = start_worker(create_app(down)).test_client()  # starts, saying what it could not load
    root = post(client, "/voice/incoming")
    assert "technical problem" in spoken(root)
    assert root.find("Dial/Number").text == "+441632960999"
