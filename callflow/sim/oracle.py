"""A reference no estimator can beat: the true conditional wait distribution, where it is known exactly.

In the steady scenarios (M/M/s+M: s agents always at work, exponential handle times and patience, no wrap-up
or callbacks) a caller who finds n - 1 ahead and all s agents busy is served after n exponential stages
with rates s mu + (k + 1) theta, k = n - 1 .. 0: k ahead may give up, and being served means the caller's own
patience outlasted the wait (which adds theta to each stage). Its mean is the least-squares best point
estimate from anything a hold manager can know (calls' ages and callers' waits so far carry no information
when everything is memoryless), and its 90% quantile is the tightest promise true 9 times in 10 for every
caller. The oracle knows the true mu and theta; ours must learn them.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from callflow.sim.workload import Scenario

DRAWS = 40_000


def applies(scenario: Scenario) -> bool:
    """Only where the model is exact: one department, one always-on team, exponential everything."""
    if len(scenario.departments) != 1 or len(scenario.teams) != 1:
        return False
    load, team = scenario.departments[0], scenario.teams[0]
    return load.handle_cv is None and not load.wrap_up_seconds and not team.lunch_at \
        and not scenario.callback_share


class Oracle:
    """Mean and 90% quantile of a served caller's wait at each position, for one M/M/s+M scenario."""

    def __init__(self, scenario: Scenario, level: float = 0.9):
        load, team = scenario.departments[0], scenario.teams[0]
        self.service, self.theta, self.level = team.agents / load.handle_seconds, 1 / load.patience_seconds, level
        self.at = cache(self._at)

    def _at(self, position: int) -> tuple[float, float]:
        rates = self.service + np.arange(1, position + 1) * self.theta
        draws = np.random.default_rng(position).exponential(1 / rates, size=(DRAWS, position)).sum(axis=1)
        return float((1 / rates).sum()), float(np.quantile(draws, self.level))
