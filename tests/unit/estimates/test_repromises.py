"""A new promise after a broken one: it reads how long the agent's call has run, is never the figure just
broken, is read at a level learnt from such promises, and promises are learnt from as the callers heard them."""

from __future__ import annotations

import pytest

from callflow.domain import estimates as est
from callflow.domain.promise_words import human_promise, repromise

ENTERED = 0.0  # the caller joined the line; the only agent's call began two minutes before


def heard_at(stats: est.DepartmentStats, now: float, broken: int | None = None, again: bool = False):
    """What the caller behind the only agent's call hears at `now`."""
    fresh = est.estimate(stats, 1, est.Staffing(1, on_call=(ENTERED - 120,), wrap_up_seconds=30), now, again=again)
    words = human_promise(fresh.to_say, fresh.point_seconds)
    return fresh, repromise(words, broken) if broken is not None else words


def test_a_new_department_reads_the_agents_call_age_so_promises_move_with_the_overrun():
    # no history yet (the prior: five-minute calls); the only agent's call runs on and on
    stats = est.DepartmentStats()
    first, said = heard_at(stats, ENTERED)
    promises, now, broken = [said], ENTERED + said.deadline, said.figure
    while now < ENTERED + 40 * 60:
        fresh, said = heard_at(stats, now, broken, again=True)
        assert said.figure != broken  # never the figure just broken
        assert fresh.point_seconds > first.point_seconds  # the call's age says it may run a while yet
        promises.append(said)
        now, broken = now + said.deadline, said.figure
    figures = [p.figure for p in promises]
    assert figures == sorted(figures) and figures[-1] >= 2 * figures[0], [p.words for p in promises]


def test_a_long_call_lengthens_the_estimate_even_without_history():
    young = est.estimate(est.DepartmentStats(), 1, est.Staffing(1, on_call=(0.0,)), 60.0)
    old = est.estimate(est.DepartmentStats(), 1, est.Staffing(1, on_call=(0.0,)), 30 * 60.0)
    assert old.point_seconds > 1.5 * young.point_seconds and old.to_say > 1.5 * young.to_say


def test_a_promise_after_a_broken_one_is_read_higher_until_such_promises_say_otherwise():
    stats = est.DepartmentStats(heard=[0.5] * 100)
    assert stats.repromise_level == pytest.approx((stats.heard_level + 1) / 2)
    kept = est.DepartmentStats(heard=[0.5] * 100, repit=[i / 200 for i in range(100)])  # all kept at 0.5
    assert kept.repromise_level < stats.repromise_level
    broken = est.DepartmentStats(heard=[0.5] * 100, repit=[i / 200 for i in range(80)] + [1.0] * 20)
    assert broken.repromise_level == 0.995  # a fifth broken again: as sure as the estimator can be
    staffing = est.Staffing(2)
    assert est.estimate(broken, 3, staffing, 0.0, again=True).to_say > est.estimate(broken, 3, staffing, 0.0).to_say


def test_promises_after_broken_ones_are_learnt_from_when_kept_and_when_broken_again():
    again = est.Estimate(200.0, 400.0, "ours", shape=2.0, spoken_seconds=400.0, level=0.9).heard(450.0)
    stats = est.on_answered(est.DepartmentStats(), waited=900.0, now=1000.0, repromised=(again, 700.0))
    (learnt,) = stats.repit
    assert learnt == pytest.approx(est._pit(again, 300.0) - again.slack, abs=1e-3)  # the rest of the wait, 300 s
    assert learnt <= again.level  # kept as heard (300 s <= 450 s)
    assert est.on_repromise_broken(stats).repit == [learnt, 1.0]


def test_first_promises_are_learnt_from_as_heard():
    # "about 4 minutes" (kept until 4.5) for a quantile of 230 s: the deadline stands above the level read
    figure = est.Estimate(150.0, 230.0, "ours", shape=3.0, spoken_seconds=230.0, level=0.9)
    said = figure.heard(human_promise(230.0, 150.0).deadline)
    assert said.slack > 0
    stats = est.on_answered(est.DepartmentStats(), waited=250.0, now=300.0, estimate=said)
    assert stats.heard[0] == pytest.approx(stats.pit[0] - said.slack, abs=1e-3)
    assert stats.heard[0] <= said.level  # 250 s: later than the quantile, yet kept as heard
