"""Promises in the words people use: fine figures, "about N" for a wait known well and "less than N" for one
known poorly, every deadline at or after the estimator's figure; after a broken promise, never that figure."""

from __future__ import annotations

import pytest

from callflow.domain.promise_words import SCALE, human_promise, repromise


@pytest.mark.parametrize(("promise", "point", "words", "figure", "deadline"), [
    (20, 8, "less than 30 seconds", 30, 30),
    (69, 30, "about a minute", 60, 75),  # the head of the line: "about a minute", not "under a minute" for 2 s
    (80, 25, "less than a minute and a half", 90, 90),  # over 2.5 times the likely wait: a bound
    (230, 150, "about 4 minutes", 240, 270),  # kept until 4 and a half
    (280, 200, "about 5 minutes", 300, 330),
    (380, 100, "less than 7 minutes", 420, 420),
    (560, 400, "about 10 minutes", 600, 660),
    (2701, 2000, "about 45 minutes", 2700, 2850),
])
def test_words_are_the_nearest_fine_figure(promise, point, words, figure, deadline):
    heard = human_promise(promise, point)
    assert (heard.words, heard.figure, heard.deadline) == (words, figure, deadline)
    assert heard.deadline >= promise  # never kept by less than the estimator's figure


def test_the_coarse_figures_are_gone():
    # the old scale said "less than 7 minutes" for 4 minutes and one second, "less than 10" for 7 and a bit
    assert human_promise(241, 200).words == "about 4 minutes"
    assert human_promise(421, 400).words == "about 7 minutes"
    assert human_promise(421, 100).words == "less than 8 minutes"


def test_every_figure_on_the_scale_is_said_as_a_bound_without_a_point():
    for seconds in SCALE:
        heard = human_promise(seconds)
        assert heard.deadline >= seconds and heard.words.startswith(("about", "less than"))


def test_beyond_an_hour_it_is_the_next_quarter_hour():
    promise = human_promise(3601 + 20 * 60)  # 81 minutes -> 90
    assert promise.words == "more than an hour (about 90 minutes)" and promise.figure == promise.deadline == 5400


def test_short_waits_are_flagged_below_the_threshold():
    assert human_promise(29).short and not human_promise(30).short
    assert human_promise(50, short_below=60).short


@pytest.mark.parametrize(("fresh", "broken", "words"), [
    (human_promise(600, 300), 600, "less than 12 minutes"),  # "less than 10" again: the next figure up
    (human_promise(560, 400), 600, "less than 12 minutes"),  # "about 10" after "less than 10": still 10
    (human_promise(2000, 1500), 3600, "about 35 minutes"),  # a shorter figure is said when it is known
    (human_promise(7000, 6000), 6300, "more than an hour (about 120 minutes)"),
])
def test_a_new_promise_is_never_the_figure_just_broken(fresh, broken, words):
    again = repromise(fresh, broken)
    assert again.words == words and again.figure != broken
    assert repromise(fresh, None) == fresh


def test_a_caller_nobody_may_take_yet_is_promised_no_less_than_the_interpreter_wait():
    from callflow.domain.estimates import Estimate, not_before, sooner

    idle_agent = Estimate(0.0, 0.0, "ours", shape=1.0, spoken_seconds=0.0)
    waiting = not_before(idle_agent, 120)
    assert (waiting.point_seconds, waiting.to_say, waiting.shape) == (120, 120, None)  # not learnt from
    assert human_promise(waiting.to_say, waiting.point_seconds).words == "about 2 minutes"
    assert not_before(Estimate(300.0, 500.0, "ours"), 120).promise_seconds == 500  # later anyway: unchanged
    speaker = Estimate(400.0, 700.0, "ours", spoken_seconds=650.0)
    assert sooner(speaker, waiting) is waiting and sooner(not_before(speaker, 0), not_before(speaker, 900)) == speaker
