"""The anchors from the field, each against a figure worked out by hand."""

from __future__ import annotations

import math

import pytest

from callflow.domain import estimates as est


def test_asterisk_averages_answered_waits_with_weight_a_quarter_and_announces_h_minus_time_waited():
    h = est.asterisk_update(0.0, 100.0)  # (3 * 0 + 100) / 4
    assert h == 25.0
    assert est.asterisk_update(h, 45.0) == pytest.approx((3 * 25 + 45) / 4)  # 30
    assert est.asterisk(30.0) == 30.0
    assert est.asterisk(30.0, waited=10.0) == 20.0
    assert est.asterisk(30.0, waited=50.0) == 20.0  # labs(): the figure grows again after it has passed


def test_twilio_is_position_times_the_mean_time_so_far_of_callers_in_the_queue():
    assert est.twilio_naive(3, [10.0, 20.0, 60.0]) == 90.0  # 3 x 30
    assert est.twilio_naive(1, []) == 0.0


def test_erlang_c_matches_the_textbook_example():
    # 2 agents, load 1 erlang: C = (a^s/s! * s/(s-a)) / (sum_{k<s} a^k/k! + that) = (0.5 * 2) / (2 + 1) = 1/3
    assert est.erlang_c(1 / 300, 300.0, 2) == pytest.approx(1 / 3)
    # mean wait C / (s mu - lambda) = (1/3) / (2/300 - 1/300) = 100 s
    assert est.erlang_c_wait(1 / 300, 300.0, 2) == pytest.approx(100.0)
    assert est.erlang_c(2 / 300, 300.0, 2) == 1.0  # load reaches the agents
    assert est.erlang_c_wait(3 / 300, 300.0, 2) == math.inf


def test_ql_is_position_times_handle_over_agents():
    assert est.ql(4, 10, 300.0) == 120.0
    assert est.ql(1, 0, 300.0) == 300.0  # nobody at work: counted as one agent rather than dividing by zero


def test_qlm_sums_the_stages_with_abandonment_ahead():
    # 2 agents, 300 s handle, theta 1/600, position 3: 1/(2/300) + 1/(2/300 + 1/600) + 1/(2/300 + 2/600)
    expected = 150 + 1 / (2 / 300 + 1 / 600) + 1 / (2 / 300 + 2 / 600)
    assert est.qlm(3, 2, 300.0, 1 / 600) == pytest.approx(expected)  # 150 + 120 + 100 = 370
    assert est.qlm(3, 2, 300.0, 0.0) == pytest.approx(est.ql(3, 2, 300.0))  # no abandonment: QL


def test_qlm_quantile_is_above_its_mean_and_exact_for_one_exponential_stage():
    # one stage: an exponential of mean 150; its 90% quantile is 150 ln 10
    assert est.qlm_quantile(1, 2, 300.0, 0.0) == pytest.approx(150 * math.log(10), rel=1e-9)
    assert est.qlm_quantile(5, 2, 300.0, 1 / 600) > est.qlm(5, 2, 300.0, 1 / 600)


def test_hol_and_les_read_the_head_callers_wait_and_the_last_served_callers_wait():
    assert est.hol(42.0) == 42.0
    stats = est.on_answered(est.DepartmentStats(), waited=73.0, now=1000.0)
    assert est.les(stats.last_entered_wait) == 73.0
