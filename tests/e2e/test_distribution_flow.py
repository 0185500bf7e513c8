"""Two departments, three agents, ten callers: every caller reaches an eligible agent, first come first served.

Ann serves Cards, Cyd serves Fraud, Bob serves both (Fraud first). Callers ring in one after another; agents
talk, hang up, wrap up and take the next caller, all through the local carrier and a real RQ worker.
"""

from __future__ import annotations

import pytest

from callflow.carrier import Caller, press
from callflow.store.agents import add_agent
from callflow.store.presence import Presence
from tests.e2e.conftest import LINE
from tests.waiting import wait_for

pytestmark = pytest.mark.e2e

AGENTS = {"ann": ("+15557770001", ["cards"]), "bob": ("+15557770002", ["fraud", "cards"]),
          "cyd": ("+15557770003", ["fraud"])}
KEYS = {"cards": ["1", "1"], "fraud": ["4"]}


@pytest.fixture
def contact_centre(settings, carrier, app_server, sessions):
    app, _ = app_server
    runtime = app.extensions["callflow"]
    with sessions() as session:
        for login, (reach, departments) in AGENTS.items():
            add_agent(session, login, login.title(), "correct horse battery", reach, departments)
            carrier.add_phone(reach, Caller(talk=[f"{login.title()} speaking, how can I help?"], hang_up_after=40))
    return runtime


def test_ten_callers_reach_eligible_agents_in_order(contact_centre, worker, carrier):
    runtime = contact_centre
    wanted = ["fraud", "cards", "cards", "fraud", "cards", "fraud", "fraud", "cards", "cards", "fraud"]
    calls = []
    for i, department in enumerate(wanted):
        caller = Caller([press(k) for k in KEYS[department]])
        call = carrier.place_call(from_=f"+1555000{i:04d}", to=LINE, caller=caller)
        # In line (Twilio's queue) or, once agents are free, straight through to one: either way in before the next.
        call.wait_until(lambda c: any(e.kind in ("enqueued", "conference") for e in c.transcript), timeout=30,
                        what="in line or with an agent")
        calls.append((department, call))
        if i == 3:  # agents log in once a queue has formed
            for login, (_, departments) in AGENTS.items():
                runtime.acd.set_presence(login, Presence.AVAILABLE, departments, runtime.clock.timestamp())
            from callflow import jobs

            runtime.jobs.enqueue(jobs.distribute, ["fraud", "cards"])
    for _, call in calls:
        call.wait(timeout=120)

    for department, call in calls:
        assert not call.entries("application-error")
        greeting = next(e for e in call.entries("talk") if "speaking" in e.text)
        agent = greeting.text.split()[0].lower()
        assert department in AGENTS[agent][1], f"{call.from_} ({department}) was served by {agent}"
    # Offers are made in line order: the agents' calls were placed (REST) first caller first.
    offered = {}
    for leg in list(carrier.calls.values()):  # in the order the carrier created them
        if leg.direction == "outbound-api" and leg.entries("request"):
            caller_sid = leg.entries("request")[0].text.split("caller=")[1].split("&")[0]
            offered.setdefault(caller_sid, len(offered))
    for department in ("cards", "fraud"):
        in_line = [call.sid for d, call in calls if d == department]
        assert sorted(in_line, key=offered.get) == in_line, f"{department} was not first come, first served"

    # Every agent ends the shift available again after wrap-up, with no caller left waiting.
    wait_for(lambda: all(runtime.acd.presence.get(a).state is Presence.AVAILABLE for a in AGENTS),
             timeout=30, what="all agents to finish wrap-up")
    assert runtime.acd.queues.size("cards") == runtime.acd.queues.size("fraud") == 0
    # The wait estimator learnt from every call: each caller answered once, each call handled once.
    from callflow.store.wait_stats import WaitStats

    stats = [WaitStats(runtime.redis).get(department) for department in ("cards", "fraud")]
    assert [len(s.waits) for s in stats] == [wanted.count("cards"), wanted.count("fraud")]
    assert all(abandoned == 0 for s in stats for _, abandoned in s.waits)
    assert wait_for(lambda: sum(len(WaitStats(runtime.redis).get(d).handles) for d in ("cards", "fraud")) == 10,
                    timeout=10, what="every handle time to be counted")
