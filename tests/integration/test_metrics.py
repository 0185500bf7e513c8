"""`/metrics` over the Flask test client, on the test Redis and database: closed without a token, refused
without the right one, and the centre's gauges equal to what Redis and the database hold at the scrape.

The same figures added up over two gunicorn processes and RQ workers: tests/scale/test_metrics_scrape.py."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from twilio.request_validator import RequestValidator

from callflow.store.agents import add_agent
from callflow.store.callbacks import CallbackState, move, request_callback
from callflow.store.presence import Presence
from tests.conftest import AUTH_TOKEN, ROOT
from tests.e2e.conftest import TUESDAY_MORNING
from webapp import create_app

TOKEN = "scrape-me-" + "x" * 22
LINE, CALLER = "+15005550006", "+15551230002"
BASE = "http://127.0.0.1:5000"


def samples(text: str) -> dict[tuple, float]:
    """(sample name, sorted labels) -> value, from the Prometheus text format."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(client, token: str = TOKEN) -> dict[tuple, float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/plain"
    return samples(response.get_data(as_text=True))


@pytest.fixture
def app(settings):
    return create_app(dataclasses.replace(settings, clock_start=TUESDAY_MORNING, metrics_token=TOKEN))


def test_without_a_token_configured_metrics_does_not_exist(settings):
    client = create_app(dataclasses.replace(settings, metrics_token="")).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_a_scrape_without_the_token_or_with_another_is_refused(app):
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert b"callflow_" not in refused.data
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_webhooks_are_timed_by_endpoint_and_calls_and_steering_counted(app):
    client = app.test_client()
    before = scrape(client)
    sid = "CA" + "7" * 32
    for path, fields in (("/voice/incoming", {}),
                         ("/voice/input", {"SpeechResult": "my card payment was declined at the shop",
                                           "Confidence": "0.9"})):
        params = {"CallSid": sid, "AccountSid": "AC" + "1" * 32, "From": CALLER, "To": LINE, **fields}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE + path, params)
        assert client.post(path, data=params, headers={"X-Twilio-Signature": signature}).status_code == 200
    after = scrape(client)

    def grew(name: str, **labels) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("callflow_request_duration_seconds_count", endpoint="voice.incoming") == 1
    assert grew("callflow_request_duration_seconds_count", endpoint="voice.caller_input") == 1
    assert grew("callflow_request_duration_seconds_bucket", endpoint="voice.incoming", le="+Inf") == 1
    assert grew("callflow_calls_started_total", line=LINE) == 1
    assert grew("callflow_steering_decisions_total", kind="route") == 1


def test_the_centres_gauges_are_what_redis_and_the_database_hold_now(app, sessions):
    runtime = app.extensions["callflow"]
    now = runtime.clock.timestamp()
    runtime.acd.queues.join("cards", "CA-first", now - 300)
    runtime.acd.queues.join("cards", "CA-second", now - 40)
    runtime.acd.queues.join("cards", "CA-callback", now - 500, kind="callback")
    with sessions() as session:
        for login, departments in (("ann", ["cards"]), ("bob", ["cards", "fraud"]), ("cy", ["fraud"]),
                                   ("dee", ["fraud"])):
            add_agent(session, login, login.title(), "correct horse battery", "+1555000" + str(len(login)),
                      departments)
    runtime.acd.set_presence("ann", Presence.AVAILABLE, ["cards"], now)
    runtime.acd.set_presence("bob", Presence.ON_CALL, ["cards", "fraud"], now, call="CA-x")
    runtime.acd.set_presence("cy", Presence.WRAP_UP, ["fraud"], now)  # dee never logged in: away
    clock = runtime.clock.now()
    with sessions() as session:
        request_callback(session, "CA-in-line", "+15550000001", LINE, "cards", clock)
        request_callback(session, "CA-booked-late", "+15550000002", LINE, "fraud", clock,
                         due_at=clock - timedelta(minutes=10))
        request_callback(session, "CA-booked-later", "+15550000003", LINE, "fraud", clock,
                         due_at=clock + timedelta(hours=1))
        done = request_callback(session, "CA-done", "+15550000004", LINE, "cards", clock)
        move(session, done.id, CallbackState.GIVEN_UP, clock)

    got = scrape(app.test_client())

    assert got[("callflow_callers_waiting", (("department", "cards"),))] == 2
    assert got[("callflow_callbacks_in_line", (("department", "cards"),))] == 1
    assert got[("callflow_callers_waiting", (("department", "fraud"),))] == 0
    assert 300 <= got[("callflow_longest_wait_seconds", (("department", "cards"),))] < 400
    assert got[("callflow_longest_wait_seconds", (("department", "fraud"),))] == 0
    assert {state: got[("callflow_agents", (("state", state),))] for state in
            ("available", "offered", "on-call", "wrap-up", "away")} == \
        {"available": 1, "offered": 0, "on-call": 1, "wrap-up": 1, "away": 1}
    assert got[("callflow_department_agents", (("department", "fraud"), ("state", "on-call")))] == 1
    assert got[("callflow_callbacks_due", (("department", "cards"),))] == 1
    assert got[("callflow_callbacks_due", (("department", "fraud"),))] == 1
    assert got[("callflow_callbacks_late", (("department", "fraud"),))] == 1
    assert got[("callflow_callbacks_late", (("department", "cards"),))] == 0
    assert got[("callflow_jobs_queued", (("queue", "callflow"),))] >= 0
    assert all(got[("callflow_source_up", (("source", s),))] == 1 for s in ("queues", "agents", "callbacks", "jobs"))


def test_the_monitoring_profile_prometheus_config_and_dashboard_parse():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("prometheus", "grafana"):
        assert compose["services"][name]["profiles"] == ["monitoring"], name
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    job = prometheus["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics" and job["authorization"]["credentials_file"]
    import json

    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/callflow.json").read_text())
    exposed = {"callflow_request_duration_seconds", "callflow_callers_waiting", "callflow_longest_wait_seconds",
               "callflow_agents", "callflow_callbacks_due", "callflow_callbacks_late", "callflow_jobs_queued",
               "callflow_jobs_failed", "callflow_steering_decisions_total", "callflow_estimate_error_seconds"}
    queries = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", []))
    assert all(name in queries for name in exposed), exposed - {n for n in exposed if n in queries}
    for provisioning in Path(ROOT / "deploy/grafana/provisioning").rglob("*.yml"):
        assert yaml.safe_load(provisioning.read_text())["apiVersion"] == 1, provisioning
