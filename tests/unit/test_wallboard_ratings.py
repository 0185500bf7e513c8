"""A wallboard figure's colour against its department's target, and a total's from its departments'."""

from __future__ import annotations

from callflow.domain.wallboard import BAD, GOOD, WARN, Target, ratings, worst

CARDS = Target(percent=80, seconds=60)


def test_the_service_level_is_judged_against_the_departments_own_target():
    assert ratings({}, {"service_level": 80.0}, CARDS)["service_level"] == GOOD
    assert ratings({}, {"service_level": 72.0}, CARDS)["service_level"] == WARN  # within 10 points
    assert ratings({}, {"service_level": 69.9}, CARDS)["service_level"] == BAD
    assert ratings({}, {"service_level": 85.0}, Target(90, 30))["service_level"] == WARN


def test_waits_are_judged_against_the_targets_seconds():
    assert ratings({"waiting": 2, "longest_wait": 60.0}, {}, CARDS)["longest_wait"] == GOOD
    assert ratings({"waiting": 2, "longest_wait": 119.0}, {}, CARDS)["waiting"] == WARN
    assert ratings({"waiting": 2, "longest_wait": 121.0}, {}, CARDS)["longest_wait"] == BAD
    assert ratings({}, {"asa_seconds": 45.0}, Target(80, 30))["asa_seconds"] == WARN


def test_figures_without_a_value_or_a_queue_have_no_colour():
    assert ratings({"waiting": 0, "longest_wait": None}, {"service_level": None, "abandoned_percent": None},
                   CARDS) == {}


def test_the_other_rates_against_the_documented_thresholds():
    today = {"abandoned_percent": 7.0, "promises_kept_percent": 95.0, "first_time_right_percent": 70.0,
             "callbacks_connected_percent": 80.0}
    assert ratings({}, today, CARDS) == {"abandoned_percent": WARN, "promises_kept_percent": GOOD,
                                         "first_time_right_percent": BAD, "callbacks_connected_percent": WARN}


def test_a_total_takes_the_worst_colour_of_its_departments():
    assert worst([{"longest_wait": GOOD, "service_level": BAD}, {"longest_wait": WARN, "service_level": GOOD},
                  {"abandoned_percent": GOOD}]) == {"longest_wait": WARN, "service_level": BAD,
                                                    "abandoned_percent": GOOD}
