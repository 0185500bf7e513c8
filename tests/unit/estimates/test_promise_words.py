"""Promises are rounded UP to figures people use, so "less than N minutes" never shortens the estimate."""

from __future__ import annotations

import pytest

from callflow.estimates import human_promise


@pytest.mark.parametrize(("seconds", "words", "heard"), [
    (0, "under a minute", 60), (59.9, "under a minute", 60), (60, "under a minute", 60),
    (61, "less than 2 minutes", 120), (181, "less than 4 minutes", 240), (301, "less than 7 minutes", 420),
    (421, "less than 10 minutes", 600), (2701, "less than an hour", 3600),
])
def test_rounded_up_to_a_human_figure(seconds, words, heard):
    promise = human_promise(seconds)
    assert (promise.words, promise.seconds) == (words, heard)
    assert promise.seconds >= seconds


def test_beyond_an_hour_it_is_the_next_quarter_hour():
    promise = human_promise(3601 + 20 * 60)  # 81 minutes -> 90
    assert promise.words == "more than an hour (about 90 minutes)" and promise.seconds == 5400


def test_short_waits_are_flagged_below_the_threshold():
    assert human_promise(29).short and not human_promise(30).short
    assert human_promise(50, short_below=60).short
