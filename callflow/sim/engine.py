"""The discrete-event simulation: virtual time, a heap of events, the real queue/match code and estimators.

Each caller takes a place with `Queues.join`, is matched with `Distributor.match`, and leaves with
`Queues.leave`, exactly as the webhooks do; agents change state with `PresenceBoard.set`; the estimators of
`callflow.domain.estimates` are called when a caller must wait and again each time a promise passes, with the inputs
the hold manager has then (position counting callbacks, staffed agents, the department's stats).
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from callflow.domain import estimates as est
from callflow.domain.promise_words import HumanPromise, human_promise, repromise
from callflow.sim import oracle
from callflow.sim.backend import Backend
from callflow.sim.workload import HOUR, Scenario
from callflow.store.presence import Presence
from callflow.store.queues import MemberKind

CAP_SECONDS = 3600.0  # beyond an hour (Erlang C when overloaded) is scored as an hour: "more than an hour"


@dataclass(slots=True)
class Caller:
    """One caller's life in the simulation."""

    sid: str
    department: str
    entered: float
    scored: bool
    state: str = "waiting"  # waiting | callback | served | abandoned
    predictions: dict = field(default_factory=dict)  # method -> (point, promise)
    ours: est.Estimate | None = None
    heard: HumanPromise | None = None  # the first promise as heard ("about 4 minutes")
    served_at: float | None = None
    agent: str | None = None
    promises: int = 0
    # each promise after a broken one: (made at, as heard); the last one's estimate, for the estimator to learn
    fresh: list = field(default_factory=list)
    again: est.Estimate | None = None
    inclination: float = 1.0  # drawn at arrival: takes a callback for a long wait when below the scenario's share


@dataclass(slots=True)
class Agent:
    """One agent: departments in preference order, and whether a break or the shift's end is due."""

    name: str
    departments: tuple[str, ...]
    busy: bool = False
    at_work: bool = False
    leave_after_call: bool = False
    call_department: str = ""
    handle: float = 0.0


class Simulation:
    """One replication of a scenario on a backend."""

    def __init__(self, scenario: Scenario, backend: Backend, seed: int):
        self.scenario, self.backend, self.rng = scenario, backend, random.Random(seed)
        self.queues, self.presence, self.distributor = backend.queues, backend.presence, backend.distributor
        self.loads = {d.name: d for d in scenario.departments}
        self.stats = {d.name: est.DepartmentStats() for d in scenario.departments}
        self.callers: dict[str, Caller] = {}
        self.agents: dict[str, Agent] = {}
        self.entered_sum = {d: [0.0, 0] for d in self.loads}  # sum of entry times and count: AvgQueueTime
        self.events: list = []
        self.seq = 0
        self.now = 0.0
        self.changes: dict[str, list[tuple[float, int]]] = {d: [] for d in self.loads}
        self.oracle = oracle.Oracle(scenario) if oracle.applies(scenario) else None
        for at, kind, number, departments in scenario.rota():
            name = f"agent{number:03d}"
            self.agents.setdefault(name, Agent(name, departments))
            self.at(at, self.rota_event, (name, kind))
            for dept in departments:
                self.changes[dept].append((at, {"start": 1, "back": 1, "lunch": -1, "end": -1}[kind]))
        for dept in self.changes.values():
            dept.sort()
        for load in scenario.departments:
            self.next_arrival(load.name, scenario.opens * HOUR)

    def at(self, when: float, handler, arg) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, handler, arg))

    def run(self) -> Simulation:
        """Play every event in time order."""
        while self.events:
            self.now, _, handler, arg = heapq.heappop(self.events)
            handler(arg)
        return self

    # --- callers ---------------------------------------------------------------------------------------
    def next_arrival(self, department: str, after: float) -> None:
        """Poisson arrivals at a time-varying rate, by thinning (Lewis & Shedler)."""
        load, t = self.loads[department], after
        peak = load.peak()
        while True:
            t += self.rng.expovariate(peak)
            if t >= self.scenario.closes * HOUR:
                return
            if self.rng.random() * peak <= load.rate_at(t):
                self.at(t, self.arrive, department)
                return

    def arrive(self, department: str) -> None:
        self.next_arrival(department, self.now)
        sid = f"CA{len(self.callers):08d}"
        scored = self.now >= (self.scenario.opens + self.scenario.warm_up) * HOUR
        # drawn for every caller whatever the estimators say, so the random stream (and every caller's fate up
        # to the choices a promise sways) is the same whichever estimator is being tried
        caller = self.callers[sid] = Caller(sid, department, self.now, scored, inclination=self.rng.random())
        self.queues.join(department, sid, entered_at=self.now)
        self._entered(department, self.now, 1)
        offer = self.distributor.match(department, self.now)
        if offer is not None:
            self.connect(offer)
            if offer.caller_sid == sid:
                return
        position = self.queues.position(department, sid)
        self.predict(caller, position)
        self.at(self.now + self.rng.expovariate(1 / self.loads[department].patience_seconds), self.abandon, sid)

    def _entered(self, department: str, at: float, sign: int) -> None:
        total = self.entered_sum[department]
        total[0] += sign * at
        total[1] += sign

    def staffing(self, department: str) -> est.Staffing:
        """Agents at work now (with their calls' ages, from presence) and the rota's changes within the horizon
        (what a roster feed would give); wrap-ups end after the department's set wrap-up time on average."""
        changes = self.changes[department]
        lo, hi = bisect_right(changes, (self.now, 1e9)), bisect_right(changes, (self.now + est.HORIZON_SECONDS, 1e9))
        elsewhere = {d for d in self.loads if d != department and self.queues.size(d)}
        staffing = est.staffing_from(self.presence.at_work(department), 0.0, tuple(changes[lo:hi]), department,
                                     elsewhere)
        # simulated wrap-ups are exponential: whenever it began, one is due a mean wrap-up from now, and each
        # call now in progress is followed by one
        wrap = self.loads[department].wrap_up_seconds
        return replace(staffing, wrap_up_until=tuple(self.now + wrap for _ in staffing.wrap_up_until),
                       wrap_up_seconds=wrap, wrap_up_fixed=False)

    def callbacks_ahead(self, department: str, position: int) -> int:
        """Places ahead of `position` held by callbacks (they never give up)."""
        if not self.scenario.callback_share or position <= 1:
            return 0
        return sum(w.kind == MemberKind.CALLBACK for w in self.queues.waiting(department, limit=position - 1))

    def predict(self, caller: Caller, position: int) -> None:
        """Every estimator's answer for a caller who must wait, as the hold manager would ask for it."""
        dept, now, stats = caller.department, self.now, self.stats[caller.department]
        staffing = self.staffing(dept)
        agents, handle, theta = staffing.working, stats.handle_seconds(), stats.abandon_rate()
        head = self.queues.waiting(dept, limit=1)[0] if position > 1 else None
        total, count = self.entered_sum[dept]
        average = now - total / count if count else 0.0
        patient = self.callbacks_ahead(dept, position)
        ours = est.estimate(stats, position, staffing, now, patient)
        blind = ours if not staffing.changes else est.estimate(stats, position, replace(staffing, changes=()), now,
                                                              patient)
        ageless = est.estimate(stats, position, est.Staffing(agents, staffing.changes, elsewhere=staffing.elsewhere),
                               now, patient)
        p = caller.predictions
        p["asterisk"] = (est.asterisk(stats.holdtime),) * 2
        p["twilio"] = (position * average,) * 2
        p["erlang C"] = (min(est.erlang_c_wait(stats.arrival_rate(), handle, agents), CAP_SECONDS),) * 2
        p["QL"] = (est.ql(position, agents, handle),) * 2
        p["HOL"] = (est.hol(now - head.entered_at) if head else est.les(stats.last_entered_wait),) * 2
        p["LES"] = (est.les(stats.last_entered_wait),) * 2
        p["QLm"] = (est.qlm(position, agents, handle, theta), est.qlm_quantile(position, agents, handle, theta))
        p["ours, no ages"] = (ageless.point_seconds, ageless.promise_seconds)
        p["ours, no rota"] = (blind.point_seconds, blind.promise_seconds)
        if self.oracle is not None:
            p["oracle"] = self.oracle.at(position)
        p["ours"] = (ours.point_seconds, ours.promise_seconds)
        caller.heard = human_promise(ours.to_say, ours.point_seconds)
        caller.ours = ours.heard(caller.heard.deadline)
        self.promised(caller, caller.heard)

    def promised(self, caller: Caller, heard: HumanPromise) -> None:
        """A promise was made: a long one may send the caller to a callback; else check it when it passes."""
        caller.promises += 1
        if heard.figure >= self.scenario.callback_above and caller.inclination < self.scenario.callback_share:
            caller.state = "callback"
            self.queues.join(caller.department, caller.sid, entered_at=caller.entered, kind=MemberKind.CALLBACK)
            return
        self.at(self.now + heard.deadline, self.promise_due, (caller.sid, caller.promises, heard.figure))

    def promise_due(self, arg) -> None:
        """The promise passed without an agent: a fresh estimate from the caller's current position, at the
        level learnt from promises after broken ones, never the figure just broken (as the hold manager)."""
        sid, number, broken = arg
        caller = self.callers[sid]
        if caller.state != "waiting" or caller.promises != number:
            return
        if caller.fresh:  # a promise after a broken one, broken too: the estimator learns it now
            self.stats[caller.department] = est.on_repromise_broken(self.stats[caller.department])
        position = self.queues.position(caller.department, sid)
        fresh = est.estimate(self.stats[caller.department], position, self.staffing(caller.department), self.now,
                             self.callbacks_ahead(caller.department, position), again=True)
        heard = repromise(human_promise(fresh.to_say, fresh.point_seconds), broken)
        caller.fresh.append((self.now, heard))
        caller.again = fresh.heard(heard.deadline)
        self.promised(caller, heard)

    def abandon(self, sid: str) -> None:
        caller = self.callers[sid]
        if caller.state != "waiting":
            return
        caller.state = "abandoned"
        self.queues.leave(caller.department, sid)
        self._entered(caller.department, caller.entered, -1)
        self.stats[caller.department] = est.on_abandoned(self.stats[caller.department], self.now - caller.entered,
                                                         self.now)

    # --- agents ----------------------------------------------------------------------------------------
    def connect(self, offer) -> None:
        """The agent offered a caller takes the call (callers, or callbacks dialled back)."""
        caller, agent = self.callers[offer.caller_sid], self.agents[offer.agent]
        callback = caller.state == "callback"
        caller.state, caller.served_at, caller.agent = "served", self.now, agent.name
        self.queues.leave(caller.department, caller.sid)
        self._entered(caller.department, caller.entered, -1)
        waited = self.now - caller.entered
        again = (caller.again, caller.fresh[-1][0]) if caller.again is not None else None
        self.stats[caller.department] = est.on_answered(self.stats[caller.department], waited, self.now,
                                                        caller.ours, again)
        load = self.loads[caller.department]
        agent.busy, agent.call_department = True, caller.department
        agent.handle = load.handle(self.rng) + (self.scenario.callback_ring_seconds if callback else 0.0)
        self.presence.set(agent.name, Presence.ON_CALL, self.now, agent.departments, call=caller.sid)
        self.at(self.now + agent.handle, self.hang_up, agent.name)

    def hang_up(self, name: str) -> None:
        agent = self.agents[name]
        wrap = self.rng.expovariate(1 / self.loads[agent.call_department].wrap_up_seconds) \
            if self.loads[agent.call_department].wrap_up_seconds else 0.0
        agent.handle += wrap
        self.presence.set(name, Presence.WRAP_UP, self.now, agent.departments)
        self.at(self.now + wrap, self.wrapped_up, name)

    def wrapped_up(self, name: str) -> None:
        agent = self.agents[name]
        dept = agent.call_department
        self.stats[dept] = est.on_handled(self.stats[dept], agent.handle)
        agent.busy = False
        if agent.leave_after_call:
            agent.leave_after_call, agent.at_work = False, False
            self.presence.set(name, Presence.AWAY, self.now, agent.departments)
            return
        self.free(agent)

    def free(self, agent: Agent) -> None:
        self.presence.set(agent.name, Presence.AVAILABLE, self.now, agent.departments)
        for offer in self.distributor.match_all(agent.departments, self.now):
            self.connect(offer)

    def rota_event(self, arg) -> None:
        """Shift starts and ends, lunch breaks: an agent on a call finishes it first."""
        name, kind = arg
        agent = self.agents[name]
        if kind in ("start", "back"):
            if agent.busy:  # never left: the break was taken after a long call
                agent.leave_after_call = False
                return
            agent.at_work = True
            self.free(agent)
        elif agent.busy:
            agent.leave_after_call = True
        else:
            agent.at_work = False
            self.presence.set(name, Presence.AWAY, self.now, agent.departments)
