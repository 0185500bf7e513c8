"""Ours: rolling statistics, the stage walk with staffing changes and calls' ages, and the promise calibration."""

from __future__ import annotations

import json
import math
import random
from types import SimpleNamespace

import numpy as np
import pytest

from callflow.domain import estimates as est


def stats_with(handles=(), waits=(), pit=()) -> est.DepartmentStats:
    return est.DepartmentStats(handles=list(handles), waits=[list(w) for w in waits], pit=list(pit))


def test_windows_keep_the_last_n_samples_and_round_them():
    stats = est.DepartmentStats()
    for i in range(est.WINDOW + 7):
        stats = est.on_handled(stats, 100 + i + 0.04)
    assert len(stats.handles) == est.WINDOW
    assert stats.handles[0] == 107.0 and stats.handles[-1] == 100 + est.WINDOW + 6
    stats = est.on_abandoned(stats, 12.345, now=1000.06)
    assert stats.waits[-1] == [12.3, 1] and stats.departures[-1] == 1000.1


def test_stats_survive_json_and_ignore_unknown_fields():
    stats = est.on_answered(est.on_handled(est.DepartmentStats(), 200.0), 30.0, 500.0)
    data = json.loads(json.dumps({**stats.to_dict(), "retired_field": [1]}))
    assert est.DepartmentStats.from_dict(data) == stats


def test_handle_time_starts_at_the_prior_and_moves_to_the_measured_mean():
    assert est.DepartmentStats().handle_seconds() == est.PRIOR_HANDLE_SECONDS
    stats = stats_with(handles=[100.0] * 5)  # five pseudo-calls of the prior weigh as much as five real ones
    assert stats.handle_seconds() == pytest.approx((500 + 5 * 300) / 10)


def test_patience_is_abandons_over_time_spent_waiting():
    stats = stats_with(waits=[(100.0, 1), (300.0, 0), (200.0, 1)])
    assert stats.abandon_rate() == pytest.approx((2 + 1) / (600 + est.PRIOR_PATIENCE_SECONDS))


def test_arrival_rate_is_departures_over_the_time_they_span():
    stats = est.DepartmentStats()
    for t in (0.0, 10.0, 20.0, 40.0):
        stats = est.on_answered(stats, 0.0, t)
    assert stats.arrival_rate() == pytest.approx(3 / 40)


def test_without_history_ours_is_qlm_conditioned_on_the_caller_staying():
    stats = est.DepartmentStats()
    theta = stats.abandon_rate()
    ours = est.estimate(stats, 3, 2, now=0.0)
    stages = [1 / (2 / 300 + k * theta + theta) for k in (2, 1, 0)]
    assert ours.point_seconds == pytest.approx(sum(stages))
    assert ours.point_seconds < est.qlm(3, 2, 300.0, theta)  # callers served are the ones who stayed
    assert ours.promise_seconds > ours.point_seconds
    assert est.estimate(stats, 0, 2, now=0.0).promise_seconds == 0.0


def test_callbacks_ahead_never_give_up():
    stats = est.DepartmentStats()
    theta = stats.abandon_rate()
    with_callbacks = est.estimate(stats, 3, 2, now=0.0, callbacks_ahead=2)
    assert with_callbacks.point_seconds == pytest.approx(3 / (2 / 300 + theta))
    assert with_callbacks.point_seconds > est.estimate(stats, 3, 2, now=0.0).point_seconds


def test_agents_due_back_shorten_the_wait_and_agents_leaving_lengthen_it():
    stats = est.DepartmentStats()
    alone = est.estimate(stats, 5, est.Staffing(1), now=0.0).point_seconds
    helped = est.estimate(stats, 5, est.Staffing(1, ((60.0, +3),)), now=0.0).point_seconds
    deserted = est.estimate(stats, 5, est.Staffing(4, ((10.0, -3),)), now=0.0).point_seconds
    assert helped < alone
    assert est.estimate(stats, 5, est.Staffing(4), now=0.0).point_seconds < deserted
    # nobody at work, one agent due in 10 minutes: the head caller waits those 10 minutes, the agent takes them
    assert est.estimate(stats, 1, est.Staffing(0, ((600.0, +1),)), now=0.0).point_seconds == pytest.approx(600)
    assert est.estimate(stats, 2, est.Staffing(0, ((600.0, +1),)), now=0.0).point_seconds > 600
    # changes beyond the horizon, or already past, are ignored
    far = est.Staffing(1, ((est.HORIZON_SECONDS + 1.0, +5), (-1.0, +5)))
    assert est.estimate(stats, 5, far, now=0.0).point_seconds == pytest.approx(alone)


def test_agents_back_from_a_break_take_the_next_callers_at_once():
    stats = est.DepartmentStats()
    back = est.Staffing(2, ((120.0, +4),))
    # four agents back in two minutes: the first four callers still waiting then are theirs at once
    within = est.estimate(stats, 5, back, now=0.0).point_seconds
    assert within == pytest.approx(120.0, abs=60.0)
    # a caller beyond them moves on from there at six agents' pace, not two
    beyond = est.estimate(stats, 10, back, now=0.0).point_seconds
    assert within < beyond < est.estimate(stats, 10, est.Staffing(2), now=0.0).point_seconds - 300
    # agents leaving free nobody
    assert est.estimate(stats, 5, est.Staffing(6, ((120.0, -4),)), now=0.0).point_seconds > \
        est.estimate(stats, 5, est.Staffing(6), now=0.0).point_seconds


def test_staffing_is_read_from_presence():
    def agent(state, since, departments=("cards",)):
        return SimpleNamespace(state=state, since=since, departments=departments)

    board = [agent("on-call", 100.0), agent("wrap-up", 150.0), agent("available", 0.0)]
    staffing = est.staffing_from(board, wrap_up_seconds=30.0, changes=((900.0, -1),), department="cards")
    assert staffing == est.Staffing(3, ((900.0, -1),), on_call=(100.0,), wrap_up_until=(180.0,),
                                    wrap_up_seconds=30.0)
    # an agent who serves loans first, while loans has callers waiting, will not be the next one free for cards
    shared = [*board, agent("on-call", 120.0, ("loans", "cards"))]
    assert est.staffing_from(shared, 30.0, department="cards", waiting_elsewhere={"loans"}) == \
        est.Staffing(4, (), on_call=(100.0,), wrap_up_until=(180.0,), elsewhere=1, wrap_up_seconds=30.0)
    assert est.staffing_from(shared, 30.0, department="cards").on_call == (100.0, 120.0)  # loans' line is empty


def test_agents_taken_by_another_department_first_do_not_move_this_line():
    stats = est.DepartmentStats()
    alone = est.estimate(stats, 3, est.Staffing(2), now=0.0).point_seconds
    shared = est.estimate(stats, 3, est.Staffing(4, elsewhere=2), now=0.0).point_seconds
    assert shared == pytest.approx(alone)
    assert est.estimate(stats, 3, est.Staffing(4), now=0.0).point_seconds < alone
    # everyone is busy elsewhere: they still come round in the end (no infinite wait)
    assert est.estimate(stats, 1, est.Staffing(2, elsewhere=2), now=0.0).point_seconds < 300


def lognormal_handles(n=500, mean=300.0, cv=1.5, seed=1):
    rng, sigma2 = random.Random(seed), math.log(1 + cv * cv)
    return [rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2)) for _ in range(n)]


def test_a_long_call_in_progress_means_a_longer_wait_when_handle_times_are_heavy_tailed():
    stats = stats_with(handles=lognormal_handles())
    young = est.estimate(stats, 1, est.Staffing(1, on_call=(990.0,)), now=1000.0).point_seconds
    old = est.estimate(stats, 1, est.Staffing(1, on_call=(0.0,)), now=1000.0).point_seconds
    assert old > 1.5 * young
    # the head caller's wait is the call's residual R = H - a given H > a, read from the handles themselves,
    # among callers who stayed: E[R exp(-theta R)] / E[exp(-theta R)]
    theta = stats.abandon_rate()
    residuals = [h - 1000.0 for h in stats.handles if h > 1000.0]
    weights = [math.exp(-theta * r) for r in residuals]
    assert old == pytest.approx(sum(r * w for r, w in zip(residuals, weights, strict=True)) / sum(weights), rel=0.1)


def test_calls_ages_tell_nothing_when_handle_times_are_exponential():
    rng = random.Random(2)
    stats = stats_with(handles=[rng.expovariate(1 / 300) for _ in range(500)])
    blind = est.estimate(stats, 1, est.Staffing(2), now=1000.0).point_seconds
    aged = est.estimate(stats, 1, est.Staffing(2, on_call=(0.0, 700.0)), now=1000.0).point_seconds
    assert aged == pytest.approx(blind, rel=0.2)


def test_an_agent_about_to_finish_wrapping_up_is_the_next_one_free():
    stats = stats_with(handles=lognormal_handles())
    soon = est.estimate(stats, 1, est.Staffing(2, on_call=(990.0,), wrap_up_until=(1005.0,)), now=1000.0)
    assert soon.point_seconds < 10.0


def test_the_promise_level_is_recalibrated_from_where_past_waits_fell():
    assert est.DepartmentStats().promise_level == est.PROMISE_LEVEL  # too few to say
    well = stats_with(pit=[i / 100 for i in range(100)])  # uniform: the fitted shape was right
    assert well.promise_level == pytest.approx(0.91)  # aimed at 0.91: the ceil(101 x 0.91) = 92nd of 100
    late = stats_with(pit=[0.5 + i / 200 for i in range(100)])  # waits ran long: promise a higher quantile
    assert late.promise_level > 0.9
    base = est.estimate(est.DepartmentStats(), 4, 2, now=0.0)
    assert est.estimate(late, 4, 2, now=0.0).promise_seconds > base.promise_seconds


def test_answered_callers_record_where_their_wait_fell_in_the_distribution_promised():
    ours = est.estimate(est.DepartmentStats(), 4, 2, now=0.0)
    at_point = est.on_answered(est.DepartmentStats(), ours.promise_seconds, 10.0, ours)
    assert at_point.pit == [pytest.approx(est.PROMISE_LEVEL, abs=1e-3)]  # the promise is the 90% quantile
    assert est.on_answered(est.DepartmentStats(), 5.0, 10.0, None).pit == []


def test_calibrated_promises_are_kept_nine_times_in_ten_when_the_model_is_right():
    # M/M/2 head-of-line callers, exact model: waits Exp(2 mu + theta) when served; PIT-recalibrated promises
    rng, stats = random.Random(3), est.DepartmentStats()
    theta = stats.abandon_rate()
    kept = 0
    for i in range(600):
        ours = est.estimate(stats, 1, 2, now=float(i))
        waited = rng.expovariate(2 / 300 + theta)
        kept += i >= 100 and waited <= ours.promise_seconds
        stats = est.on_answered(stats, waited, float(i), ours)
    assert 0.86 <= kept / 500 <= 0.94


@pytest.mark.parametrize("fixed", [True, False])
def test_an_agent_on_a_call_is_free_only_after_the_wrap_up_that_follows_it(fixed):
    rng, wrap = random.Random(3), 60.0
    # handle times are recorded with the wrap-up: talk (exponential, mean 240 s) + the wrap-up
    stats = stats_with(handles=[rng.expovariate(1 / 240) + (wrap if fixed else rng.expovariate(1 / wrap))
                                for _ in range(500)])
    busy = est.Staffing(10, on_call=(800.0,) * 10, wrap_up_seconds=wrap, wrap_up_fixed=fixed)  # 200 s into calls
    first = est.estimate(stats, 1, busy, now=1000.0).point_seconds
    ignored = est.estimate(stats, 1, est.replace(busy, wrap_up_seconds=0.0), now=1000.0).point_seconds
    # the first agent free: the least of ten (residual talk + wrap-up), among callers who stayed
    draws = np.random.default_rng(0)
    talks = draws.exponential(240, (100_000, 10))
    free = (talks.min(axis=1) + wrap) if fixed else (talks + draws.exponential(wrap, talks.shape)).min(axis=1)
    stayed = np.exp(-stats.abandon_rate() * free)
    assert first == pytest.approx(float((free * stayed).sum() / stayed.sum()), rel=0.15)
    assert ignored < 0.5 * first  # as if one of ten calls might end, wrap-up and all, any moment
