"""The simulation drives the production queue, presence and match code on Redis; its in-process twin must give
the same callers the same fates and every estimator the same inputs (hence the same estimates)."""

from __future__ import annotations

import dataclasses

from callflow.sim.backend import memory_backend, redis_backend
from callflow.sim.engine import Simulation
from callflow.sim.scores import score
from callflow.sim.workload import Scenario, Team, three_departments


def small_day() -> Scenario:
    """Two departments sharing agents, a lunch break, lognormal handles, wrap-up and callbacks: every path."""
    full = three_departments()
    cards, general = full.departments[0], full.departments[2]
    cards = dataclasses.replace(cards, rate=((9, 40), (10, 40)))
    general = dataclasses.replace(general, rate=((9, 40), (10, 40)))
    teams = (Team(2, ("cards",), 9, 10.5, (9.5,), 0.25), Team(2, ("general", "cards"), 9, 10.5, (9.75,), 0.25))
    return dataclasses.replace(full, name="small day", departments=(cards, general), teams=teams, opens=9,
                               closes=10, warm_up=0.1)


def fates(sim: Simulation) -> list:
    return [(c.sid, c.department, c.state, c.served_at, c.agent, c.predictions, c.heard)
            for c in sim.callers.values()]


def test_redis_and_memory_backends_give_identical_fates_and_estimates(redis):
    scenario = small_day()
    on_redis = Simulation(scenario, redis_backend(redis), seed=7).run()
    in_memory = Simulation(scenario, memory_backend(), seed=7).run()
    assert len(on_redis.callers) > 50
    assert fates(on_redis) == fates(in_memory)
    states = {c.state for c in on_redis.callers.values()}
    assert {"served", "abandoned"} <= states  # the scenario exercised both
    assert any(c.predictions for c in on_redis.callers.values())  # and callers who had to wait
    assert on_redis.stats == in_memory.stats  # the estimator learnt the same history
    assert score([on_redis]) == score([in_memory])


def test_a_different_seed_gives_a_different_day(redis):
    scenario = small_day()
    assert fates(Simulation(scenario, memory_backend(), seed=7).run()) != \
        fates(Simulation(scenario, memory_backend(), seed=8).run())


def test_every_scored_waiting_caller_has_every_estimate():
    sim = Simulation(small_day(), memory_backend(), seed=3).run()
    outcome = score([sim])
    assert outcome.scores["ours"].callers > 0
    assert outcome.scores["ours"].callers == outcome.scores["QLm"].callers == outcome.scores["asterisk"].callers
    assert "oracle" not in outcome.scores  # only where the model is exact (steady M/M/s+M)
