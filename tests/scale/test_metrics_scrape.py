"""`/metrics` on two gunicorn web processes and two RQ workers (tests/scale/conftest.py) counting into one
folder: a scrape of either web process adds up every process's counts, and they equal the calls placed; the
centre's gauges are what Redis holds while the callers wait."""

from __future__ import annotations

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from callflow.carrier import Caller, press, say
from callflow.carrier.calls import HangUp
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

TOKEN = "prometheus-" + "t" * 24
CALLS = 6


@pytest.fixture(autouse=True)
def metrics_token(monkeypatch):
    """Every process started by the ring's fixtures serves /metrics with this token."""
    monkeypatch.setenv("CALLFLOW_METRICS_TOKEN", TOKEN)


def scrape(port: int, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"http://127.0.0.1:{port}/metrics", headers=headers, timeout=10)


def figures(port: int) -> dict[tuple, float]:
    response = scrape(port)
    assert response.status_code == 200, response.text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def value(got: dict[tuple, float], name: str, **labels) -> float:
    return got.get((name, tuple(sorted(labels.items()))), 0.0)


def figure(port: int, name: str, **labels) -> float:
    return value(figures(port), name, **labels)


def test_either_web_process_reports_every_processs_counts_and_the_calls_placed(app_server, worker, carrier,
                                                                                balancer, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    ports = [port for _, port in balancer.backends]
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", "+15557770001", ["fraud"])
        add_agent(session, "bob", "Bob", "correct horse battery", "+15557770002", ["fraud", "cards"])
    runtime.acd.set_presence("ann", Presence.WRAP_UP, ["fraud"], runtime.clock.timestamp())
    runtime.acd.set_presence("bob", Presence.AWAY, ["fraud", "cards"], runtime.clock.timestamp())

    for port in ports:
        assert scrape(port, token=None).status_code == 401
        assert scrape(port, token="not-the-token").status_code == 401

    calls = [carrier.place_call(from_=CALLER, to=LINE,
                                caller=Caller([say("I lost my card"), press("1", expect="hold")]))
             for _ in range(CALLS)]
    for call in calls:
        call.wait_for("enqueued", timeout=60)

    # The callers hold in Fraud and Security: both processes read the same queue and presence from Redis.
    for port in ports:
        assert figure(port, "callflow_callers_waiting", department="fraud") == CALLS
        assert figure(port, "callflow_longest_wait_seconds", department="fraud") > 0
        assert figure(port, "callflow_agents", state="wrap-up") == 1
        assert figure(port, "callflow_agents", state="away") == 1
        assert figure(port, "callflow_agents", state="available") == 0

    for call in calls:
        call.interrupt(HangUp("caller hung up"))
    for call in calls:
        call.wait(timeout=60)
        assert not call.entries("application-error"), call.entries("application-error")
    # Each call's end is closed by a worker (job close_call): the workers' counts join the web processes'.
    wait_for(lambda: figure(ports[0], "callflow_jobs_total", job="close_call", outcome="done") == CALLS,
             timeout=60, what="the workers' close_call counts")

    served_incoming = sum(n for (_, path), n in balancer.served.items() if path == "/voice/incoming")
    assert served_incoming == CALLS
    for port in ports:
        got = figures(port)
        assert value(got, "callflow_calls_started_total", line=LINE) == CALLS
        assert value(got, "callflow_calls_ended_total", status="completed") == CALLS
        assert value(got, "callflow_steering_decisions_total", kind="route") == CALLS
        assert value(got, "callflow_request_duration_seconds_count", endpoint="voice.incoming") == CALLS
        assert value(got, "callflow_request_duration_seconds_count", endpoint="voice.status") == CALLS
        assert value(got, "callflow_request_duration_seconds_bucket", endpoint="voice.incoming", le="+Inf") == CALLS
        assert value(got, "callflow_jobs_total", job="close_call", outcome="done") == CALLS
        assert value(got, "callflow_callers_waiting", department="fraud") == 0
    # Every webhook the balancer passed to either process is in the histograms of both scrapes, once.
    webhooks = sum(balancer.served.values())
    for port in ports:
        timed = sum(n for (name, labels), n in figures(port).items()
                    if name == "callflow_request_duration_seconds_count"
                    and dict(labels)["endpoint"] not in ("metrics.scrape", "health"))
        assert timed == webhooks
