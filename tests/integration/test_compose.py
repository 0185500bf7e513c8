"""docker-compose.yml describes the production shape and Compose accepts it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT

ENV = {"POSTGRES_PASSWORD": "pw", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "token",
       "PUBLIC_URL": "https://ivr.example.com", "SECRET_KEY": "secret"}


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is installed (.ci/run installs docker-compose)")


def config(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*compose_command(), "config"], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={"PATH": os.environ["PATH"], **env})


def test_compose_accepts_the_file_and_runs_web_workers_redis_postgres():
    result = config(ENV)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"web", "worker", "redis", "postgres"} <= set(services)
    for name in ("web", "redis", "postgres"):
        assert "healthcheck" in services[name], name
    assert "--appendonly" in services["redis"]["command"]
    assert services["web"]["environment"]["PUBLIC_URL"] == "https://ivr.example.com"


def test_compose_refuses_to_start_without_secrets():
    result = config({k: v for k, v in ENV.items() if k != "TWILIO_AUTH_TOKEN"})
    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN" in result.stderr
