"""Keyed callback numbers read as callers key them: the line's country, the caller's, 00 and 011 before a
country code; and read back the way the caller knows the number."""

from __future__ import annotations

import pytest

from callflow.domain.callback_guard import Policy, Refusal, check, home_regions, readings
from callflow.domain.callback_words import read_back

POLICY = Policy(countries=frozenset({"US", "CA", "GB"}), daily_limit=3)
UK_THEN_US = ("GB", "US")  # a US visitor on a UK line


@pytest.mark.parametrize(("keyed", "regions", "number"), [
    ("02079460123#", UK_THEN_US, "+442079460123"),  # the UK way, on the UK line
    ("02079460123#", ("US", "GB"), "+442079460123"),  # ... whichever country is tried first
    ("2125551234#", UK_THEN_US, "+12125551234"),  # the caller's own country's way
    ("12125551234#", UK_THEN_US, "+12125551234"),  # with North America's trunk 1
    ("2079460000", UK_THEN_US, "+12079460000"),  # a US number (Maine) before a UK one missing its 0
    ("00442079460123", ("US",), "+442079460123"),  # international prefixes, whatever the countries
    ("011442079460123", ("US",), "+442079460123"),
    ("011442079460123", ("GB",), "+442079460123"),
    ("01134960000", UK_THEN_US, "+441134960000"),  # Leeds (0113) is not 011 + 3 4 9 6 ...
    ("+442079460123", (), "+442079460123"),
])
def test_keyed_numbers_are_read_as_the_caller_keys_them(keyed, regions, number):
    verdict = check(keyed, POLICY, 0, regions)
    assert verdict.allowed and verdict.number == number


def test_a_refused_reading_says_why_for_the_number_meant():
    assert check("0033612345678#", POLICY, 0, UK_THEN_US).refusal is Refusal.COUNTRY  # France
    assert check("09012345678#", POLICY, 0, UK_THEN_US).refusal is Refusal.SPECIAL  # UK premium rate
    assert check("12", POLICY, 0, UK_THEN_US).refusal is Refusal.INVALID
    assert check("", POLICY, 0, UK_THEN_US).refusal is Refusal.INVALID
    assert readings("anonymous", UK_THEN_US) == []


def test_the_lines_country_comes_from_its_script_then_the_number_dialled_then_the_callers():
    assert home_regions(["+442079460100"], "en-GB", "+15005550006", "+12125550147") == ("GB", "US")
    assert home_regions([], "en-US", "+13125550142", "+442079460999") == ("US", "GB")
    assert home_regions([], "", "", "") == ()


@pytest.mark.parametrize(("number", "heard"), [
    ("+442079460123", "the UK number 0 2 0, 7 9 4 6, 0 1 2 3"),
    ("+14155552671", "the US number 4 1 5, 5 5 5, 2 6 7 1"),
    ("+16135550123", "the Canadian number 6 1 3, 5 5 5, 0 1 2 3"),
    ("+33612345678", "plus 3 3, 6, 1 2, 3 4, 5 6, 7 8"),
])
def test_numbers_are_read_back_the_way_their_country_writes_them(number, heard):
    assert read_back(number) == heard
