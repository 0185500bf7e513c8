"""A caller never waits for a big training: past the inline limit, web processes steer with the script's phrases
while a worker trains the router on everything learned and publishes it to every process."""

from __future__ import annotations

from datetime import UTC, datetime

from callflow.services.routers import INLINE_TRAINING_LIMIT, retrain_router
from callflow.store.learning import record_misroute
from callflow.store.routers import ROUTER_ID_KEY
from webapp import create_app

LINE = "+442079460100"  # Acme Bank
WORDS = "my flumox has been hacked"  # a word no script phrase knows: only the history teaches it


def test_a_big_history_is_trained_by_a_worker_while_the_script_steers_meanwhile(settings, sessions, redis):
    with sessions() as db:
        record_misroute(db, [f"flumox problem number {n}" for n in range(INLINE_TRAINING_LIMIT + 100)], "fraud",
                        None, "CA1", datetime.now(UTC))
    app = create_app(settings)
    rt = app.extensions["callflow"]
    script = rt.script_for_number(LINE)

    provisional = rt.steer_for(script)  # the first caller: answered from the script's phrases at once
    assert provisional(WORDS).department != "fraud"
    assert redis.get(ROUTER_ID_KEY + script.version) is None  # never published: it is only a stand-in
    rt.steer_for(script)
    assert [j.func_name for j in rt.jobs.get_jobs()] == ["callflow.jobs.retrain_router"]  # asked once

    retrain_router(rt, LINE)  # what the worker does with that job
    assert redis.get(ROUTER_ID_KEY + script.version) is not None
    assert rt.steer_for(script)(WORDS).department == "fraud"
    app.extensions["callflow"].close()


def test_a_small_history_is_trained_at_once_and_shared(settings, sessions, redis):
    with sessions() as db:
        record_misroute(db, [WORDS], "fraud", "cards", "CA1", datetime.now(UTC))
    app = create_app(settings)
    rt = app.extensions["callflow"]
    script = rt.script_for_number(LINE)
    assert rt.steer_for(script)(WORDS).department == "fraud"
    assert redis.get(ROUTER_ID_KEY + script.version) is not None and rt.jobs.count == 0
    app.extensions["callflow"].close()
