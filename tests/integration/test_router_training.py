"""No caller waits for a training or a parse (issue 22): a serving web process loads its scripts and routers
before its first call and keeps them current beside its traffic; a version it has no router for gets the
keypad menu and the speech fallback while a worker trains it; `callflow route` steers as callers are steered."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from twilio.request_validator import RequestValidator

from callflow.cli import main
from callflow.domain.steering import training
from callflow.runtime import Runtime
from callflow.services import cold_work, publishing
from callflow.services.routers import retrain_router
from callflow.services.warm_up import Keeper, publish_missing
from callflow.store.learning import record_misroute
from callflow.store.routers import ROUTER_ID_KEY
from tests.conftest import AUTH_TOKEN
from webapp import create_app, warm

LINE = "+442079460100"  # Acme Bank
WORDS = "my flumox has been hacked"  # a word no script phrase knows: only the history teaches it
SOURCE = Path(__file__).resolve().parents[2] / "ivr_scripts" / "acme_bank.yaml"


def incoming(client, settings, sid: str) -> str:
    """A new call to Acme Bank's line, signed as Twilio signs it; the TwiML answered."""
    params = {"CallSid": sid, "From": "+15551230002", "To": LINE, "CallStatus": "ringing"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{settings.public_url}/voice/incoming", params)
    response = client.post("/voice/incoming", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def trainings(monkeypatch) -> list[str]:
    """Every router trained in this process, by script version."""
    seen: list[str] = []
    train = training.router_for_script

    def counted(script, *args, **kwargs):
        seen.append(script.version)
        return train(script, *args, **kwargs)

    monkeypatch.setattr(training, "router_for_script", counted)
    return seen


def test_a_web_process_loads_the_published_routers_before_its_first_call_and_never_trains(
        settings, sessions, redis, monkeypatch):
    with sessions() as db:
        record_misroute(db, [WORDS], "fraud", "cards", "CA1", datetime.now(UTC))
    starter = Runtime(settings)
    assert publish_missing(starter)  # what `callflow serve` does before its web processes start
    trained = trainings(monkeypatch)

    app = create_app(settings)
    warm.warm_up_app(app, keeper=False)
    rt = app.extensions["callflow"]
    cold_work.seen.clear()
    assert "Thank you for calling Acme Bank" in incoming(app.test_client(), settings, "CA" + "1" * 32)
    assert rt.steer_for(rt.script_for_number(LINE))(WORDS).department == "fraud"  # learned examples included
    assert trained == [] and cold_work.seen == []
    rt.close()
    starter.close()


def test_after_a_publication_the_keypad_serves_until_a_worker_publishes_the_new_router(settings, sessions, redis):
    app = create_app(settings)
    warm.warm_up_app(app, keeper=False)  # no router was published: this process trained them before serving
    rt, client = app.extensions["callflow"], app.test_client()
    keeper = Keeper(rt)  # not started: the test takes its looks itself
    admin = Runtime(settings)  # another process publishes a new version of the line
    draft = publishing.save_draft(admin, "acme_bank.yaml",
                                  SOURCE.read_text().replace("company: Acme Bank", "company: Acme Bank plc", 1), "root")
    new = publishing.publish(admin, draft.id, "root")
    assert [j.func_name for j in admin.jobs.get_jobs()] == ["callflow.jobs.retrain_router"]  # asked at publication

    cold_work.seen.clear()
    assert "Acme Bank plc" not in incoming(client, settings, "CA" + "2" * 32)  # not re-read inside the call
    keeper.keep()  # beside the traffic: the new version parsed, its router missing
    assert "Thank you for calling Acme Bank plc" in incoming(client, settings, "CA" + "3" * 32)
    assert rt.steer_for(new) is None  # the keypad menu and the speech fallback, not a training
    assert cold_work.seen == []

    retrain_router(admin, LINE)  # what the worker does with the job
    assert redis.get(ROUTER_ID_KEY + new.version) is not None
    keeper.keep()
    assert rt.steer_for(new)("I lost my card").department == "fraud"
    rt.close()
    admin.close()


def test_a_process_that_parses_inside_a_webhook_is_caught(settings, sessions, redis):
    app = create_app(settings)  # never warmed up: its first call parses the scripts and trains the router
    cold_work.seen.clear()
    incoming(app.test_client(), settings, "CA" + "4" * 32)
    assert any(re.search("parsed the scripts", what) for what in cold_work.seen)
    cold_work.seen.clear()
    app.extensions["callflow"].close()


def test_route_previews_the_router_callers_get_with_what_steering_learned(settings, sessions, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("IVR_SCRIPTS", str(settings.ivr_scripts))
    with sessions() as db:
        record_misroute(db, [WORDS], "fraud", "cards", "CA1", datetime.now(UTC))
    result = CliRunner().invoke(main, ["route", "--json", WORDS])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["department"] == "fraud"
