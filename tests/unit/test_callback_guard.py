"""The toll-fraud guard: only ordinary numbers in served countries, a few times a day, are called back."""

from __future__ import annotations

import pytest

from callflow.domain.callback_guard import Policy, Refusal, check, normalise, region_of, spoken
from callflow.domain.callback_words import why

POLICY = Policy(countries=frozenset({"US", "CA", "GB"}), daily_limit=3)


@pytest.mark.parametrize("number", ["+14155552671", "+12125551234", "+16135550123", "+442079460000"])
def test_ordinary_numbers_in_served_countries_are_called_back(number):
    verdict = check(number, POLICY, requests_today=0)
    assert verdict.allowed and verdict.number == number


@pytest.mark.parametrize("number, refusal", [
    ("", Refusal.INVALID),  # withheld
    ("anonymous", Refusal.INVALID),
    ("+1415", Refusal.INVALID),
    ("+15551230002", Refusal.INVALID),  # fictional exchange: not a number on Twilio
    ("+33612345678", Refusal.COUNTRY),  # France is not served
    ("+2348031234567", Refusal.COUNTRY),
    ("+19005551234", Refusal.SPECIAL),  # US premium rate
    ("+449091234567", Refusal.SPECIAL),  # UK premium rate
    ("+448712345678", Refusal.SPECIAL),  # UK shared cost
    ("+18005551234", Refusal.SPECIAL),  # toll-free
    ("+15005550006", Refusal.SPECIAL),  # personal number (500)
])
def test_refused_numbers_say_why(number, refusal):
    assert check(number, POLICY, requests_today=0).refusal is refusal


def test_a_number_may_ask_only_so_many_times_a_day():
    assert check("+14155552671", POLICY, requests_today=2).allowed
    assert check("+14155552671", POLICY, requests_today=3).refusal is Refusal.LIMIT


def test_keyed_national_numbers_are_read_in_the_lines_country():
    assert normalise("4155552671#", "US") == "+14155552671"
    assert normalise("02079460000", "GB") == "+442079460000"
    assert check("02079460000", POLICY, 0, region="GB").allowed
    assert normalise("12", "US") is not None and not check("12", POLICY, 0, region="US").allowed
    assert region_of("+15005550006") == "US"


def test_the_fictional_exchange_is_allowed_only_when_the_policy_says_no_real_call_is_placed():
    carrier = Policy(countries=POLICY.countries, daily_limit=3, allow_fictional=True)
    assert check("+15551230002", carrier, 0).allowed
    assert check("+19005551234", carrier, 0).refusal is Refusal.SPECIAL  # still never premium
    assert check("+15551230002", carrier, 3).refusal is Refusal.LIMIT


def test_what_the_caller_hears():
    assert spoken("+14155552671") == "1 4 1 5 5 5 5 2 6 7 1"
    assert "premium-rate" in why(Refusal.SPECIAL)
    assert all(why(r) for r in Refusal)
