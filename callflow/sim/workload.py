"""What the simulated contact centre faces: departments' demand, handle times, patience and the staffing rota.

Scenarios are data. The steady ones are RESEARCH.md's prototype (M/M/10+M, handle 300 s, patience 600 s) so
figures compare; the day has a morning peak, a lunch dip, staggered lunch breaks and a shift change; the
three departments share some agents (multi-skilled) and offer callbacks.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

HOUR = 3600.0


@dataclass(frozen=True)
class DepartmentLoad:
    """One department's demand: calls an hour over the day, handle time, wrap-up and callers' patience."""

    name: str
    rate: tuple[tuple[float, float], ...]  # (hour of day, calls an hour), linear in between
    handle_seconds: float
    handle_cv: float | None  # None: exponential; else lognormal with this coefficient of variation
    wrap_up_seconds: float = 0.0  # exponential, mean
    patience_seconds: float = 600.0  # exponential, mean

    def rate_at(self, t: float) -> float:
        """Arrivals per second at virtual time t (seconds since midnight)."""
        hour, points = t / HOUR, self.rate
        if hour <= points[0][0]:
            return points[0][1] / HOUR
        for (h0, r0), (h1, r1) in itertools.pairwise(points):
            if hour <= h1:
                return (r0 + (r1 - r0) * (hour - h0) / (h1 - h0)) / HOUR
        return points[-1][1] / HOUR

    def peak(self) -> float:
        """The highest rate, per second (for thinning)."""
        return max(r for _, r in self.rate) / HOUR

    def handle(self, rng: random.Random) -> float:
        """Draw a talk time."""
        if self.handle_cv is None:
            return rng.expovariate(1 / self.handle_seconds)
        sigma2 = math.log(1 + self.handle_cv ** 2)
        return rng.lognormvariate(math.log(self.handle_seconds) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True)
class Team:
    """Agents on one rota: departments in preference order, shift, and lunch breaks in staggered groups."""

    agents: int
    departments: tuple[str, ...]
    start: float  # hour of day
    end: float
    lunch_at: tuple[float, ...] = ()  # hours; the team is split evenly across them
    lunch_hours: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """A day (or a long steady stretch) to simulate."""

    name: str
    departments: tuple[DepartmentLoad, ...]
    teams: tuple[Team, ...]
    opens: float  # hour arrivals start
    closes: float  # hour arrivals stop
    warm_up: float  # hours after opening not scored
    callback_share: float = 0.0  # share of callers told a long wait who take a callback instead
    callback_above: float = 300.0  # a heard promise at least this long counts as long
    callback_ring_seconds: float = 20.0  # added to a callback's handle time: dialling the customer

    def rota(self) -> list[tuple[float, str, int, tuple[str, ...]]]:
        """(when, "start"|"lunch"|"back"|"end", agent number, departments) for every agent, by time."""
        events, number = [], 0
        for team in self.teams:
            for i in range(team.agents):
                number += 1
                events += [(team.start * HOUR, "start", number, team.departments),
                           (team.end * HOUR, "end", number, team.departments)]
                if team.lunch_at:
                    at = team.lunch_at[i % len(team.lunch_at)] * HOUR
                    events += [(at, "lunch", number, team.departments),
                               (at + team.lunch_hours * HOUR, "back", number, team.departments)]
        return sorted(events)


def steady(load: float, callers: int = 20_000, agents: int = 10) -> Scenario:
    """RESEARCH.md's prototype: M/M/s+M at a given load, long enough for `callers` scored arrivals."""
    rate = load * agents / 300 * HOUR
    hours = callers / rate
    warm = hours / 10
    cards = DepartmentLoad("cards", ((0, rate),), 300.0, None, 0.0, 600.0)
    return Scenario(f"steady {load:g}", (cards,), (Team(agents, ("cards",), 0, 1e6),), 0, warm + hours, warm)


def day() -> Scenario:
    """One department's day: a morning peak before the late shift arrives, a lunch dip, staggered lunches."""
    cards = DepartmentLoad("cards", ((8, 250), (9, 520), (10, 690), (11.5, 640), (12.25, 470), (13.25, 470),
                                     (14, 560), (16, 520), (17, 330), (18, 200)), 270.0, 0.8, 30.0, 600.0)
    teams = (Team(36, ("cards",), 8, 17, (11.5, 12.0, 12.5)), Team(24, ("cards",), 10, 18.5, (13.5, 14.0, 14.5)))
    return Scenario("day: peak + lunch", (cards,), teams, 8, 18, 0.5, callback_share=0.2)


def three_departments() -> Scenario:
    """Cards, loans and general, some agents shared, lunches in two waves, callbacks for long waits."""
    departments = (
        DepartmentLoad("cards", ((9, 130), (17, 130)), 240.0, 1.0, 30.0, 600.0),
        DepartmentLoad("loans", ((9, 45), (17, 45)), 480.0, 0.7, 60.0, 900.0),
        DepartmentLoad("general", ((9, 130), (17, 130)), 180.0, None, 20.0, 400.0),
    )
    teams = (Team(8, ("cards",), 9, 17.5, (12, 13)), Team(5, ("loans",), 9, 17.5, (12, 13)),
             Team(6, ("general",), 9, 17.5, (12, 13)), Team(4, ("cards", "general"), 9, 17.5, (12.5,)),
             Team(3, ("loans", "general"), 9, 17.5, (13.5,)))
    return Scenario("three departments", departments, teams, 9, 17, 0.5, callback_share=0.3)


def suite(callers: int = 20_000) -> list[Scenario]:
    """Every scenario of the benchmark."""
    return [steady(0.8, callers), steady(0.95, callers), steady(1.1, callers), day(), three_departments()]
