"""A caller behind a long call: each new promise reads how long the agent's call has run, is never the figure
just broken, and the last one is kept (issue 26, item 3), through the local carrier."""

from __future__ import annotations

import itertools

import pytest

from callflow.carrier import Caller, press, silence
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from callflow.store.promises import Promises
from tests.e2e.conftest import CALLER, LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e
ANN = "+15557770001"
CALL_RUNS = 42 * 60  # the only agent's call: 42 minutes, begun two minutes before the caller rang


@pytest.fixture
def centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    with sessions() as session:
        add_agent(session, "ann", "Ann", "correct horse battery", ANN, ["fraud"])
    carrier.add_phone(ANN, Caller(talk=["Fraud team, Ann speaking."], hang_up_after=20))
    return app.extensions["callflow"]


def keep_holding(prompt: str):
    if "what you're calling about" in prompt:
        return press("4")
    if "Would you like to" in prompt or "holding so long" in prompt:
        return press("1")  # hold, and keep holding after each apology
    return silence()


def test_promises_to_a_caller_behind_a_long_call_move_with_the_overrun_and_the_last_is_kept(centre, worker,
                                                                                              carrier, redis):
    from callflow import jobs

    runtime = centre
    began = runtime.clock.timestamp() - 120
    runtime.acd.set_presence("ann", Presence.ON_CALL, ["fraud"], began)
    call = carrier.place_call(from_=CALLER, to=LINE, caller=Caller(on_prompt=keep_holding))
    wait_for(lambda: runtime.clock.timestamp() >= began + CALL_RUNS, timeout=CALL_RUNS / 60 + 30,
             what="the agent's long call to end")
    runtime.jobs.enqueue(jobs.set_presence, "ann", "available")  # the long call is over
    call.wait(timeout=120)

    history = Promises(redis).history(call.sid)
    for e in history:  # the figure heard ("about 8 minutes": 480 s)
        e.setdefault("figure", e.get("seconds"))
    promises = [e for e in history if e["event"] == "promise"]  # the first, then one at each apology
    heard = call.heard_text()
    assert heard.count("I'm sorry, your wait is taking longer than I said.") == len(promises) - 1 >= 2
    figures = [p["figure"] for p in promises]
    for just_broken, fresh in itertools.pairwise(figures):  # never the figure just broken: a later one
        assert fresh > just_broken, promises
    outcome = [e["event"] for e in history if e["event"] in ("promise-kept", "promise-broken-at-answer")]
    assert outcome == ["promise-kept"]  # the last promise was kept
    for p in promises[1:]:  # each new promise said in the apology, in its words
        assert f"From where you are in line now, it should be {p['words']}." in heard
    assert "Thank you for holding. I'm connecting you now." in heard
