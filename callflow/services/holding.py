"""Holding: a caller in a department's line, from the question 'hold or call back?' to the agent's room.

The wait estimate a caller is promised is ours (`callflow.domain.estimates`), read from the department's
history, its agents' presence and the caller's place; the words are in `callflow/domain/hold.py`, the
promises in `callflow/store/promises.py`.
"""

from __future__ import annotations

from callflow.domain import estimates
from callflow.store.estimate_inputs import EstimateInputs, LineInputs


def estimate(rt, department, sid: str, line: LineInputs | None = None, again: bool = False) -> estimates.Estimate:
    """Ours (`callflow.domain.estimates.estimate`) for a caller in line: the department's history, its agents'
    presence (how long each busy agent's call has lasted, who is wrapping up, who serves a department with
    callers waiting first, who is on a break and due back when) and the caller's place, callbacks holding
    places counted (they never give up); all read in one round trip (`line`, when the webhook has it)."""
    now = rt.clock.timestamp()
    line = line or EstimateInputs(rt.redis).read(department.id, sid, now)
    first = {d for p in line.at_work for d in p.departments[:p.departments.index(department.id)]
             if department.id in p.departments}
    busy_elsewhere = {d for d in first if line.waiting.get(d)}  # shared agents will take those callers first
    back = tuple((at, +1) for at in line.due_back)
    staffing = estimates.staffing_from(line.at_work, department.wrap_up_seconds, back, department.id, busy_elsewhere)
    return estimates.estimate(line.stats, line.place, staffing, now, line.callbacks_ahead, again)
