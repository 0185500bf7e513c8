"""The toll-fraud guard: which numbers a callback may ring.

A callback makes us place a call we pay for, to a number a stranger chose. Fraudsters use that to pump
traffic to premium-rate or far-away numbers they profit from. So a callback rings only a valid E.164
number, in a country the contact centre serves, of an ordinary kind (landline or mobile: never premium,
shared-cost, personal, pager, UAN or other special numbers), and one number may ask only so many times a day.
Pure: the caller hands in the number, the policy and how many callbacks that number asked for today.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

ORDINARY = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# North America's 555 exchange is fictional: no call to it is ever connected, so it can cost nothing. The local
# carrier's test customers live there; it is allowed only when the policy says the carrier is not Twilio.
FICTIONAL_PREFIX = "+1555"
DAY_SECONDS = 24 * 3600


class Refusal(str, Enum):
    """Why a number may not be called back."""

    INVALID = "invalid"  # not a number (withheld, too short, not allocated)
    COUNTRY = "country"  # a country we do not call
    SPECIAL = "special"  # premium-rate, shared-cost, toll-free, personal, pager, UAN, voicemail...
    LIMIT = "limit"  # this number already asked for enough callbacks today


@dataclass(frozen=True)
class Policy:
    """What the contact centre allows (from settings: CALLFLOW_CALLBACK_COUNTRIES, ..._DAILY_LIMIT)."""

    countries: frozenset[str]
    daily_limit: int
    allow_fictional: bool = False


@dataclass(frozen=True)
class Verdict:
    """The number in E.164 (when it is one), and why it is refused (None: it may be called)."""

    number: str | None
    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def normalise(text: str | None, region: str | None = None) -> str | None:
    """A number as E.164, from E.164 or from keypad digits in the line's national format; None if not one."""
    digits = (text or "").strip().rstrip("#").replace("*", "")
    if not digits:
        return None
    try:
        parsed = phonenumbers.parse(digits, None if digits.startswith("+") else region)
    except NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def policy_for(settings) -> Policy:
    """The policy the settings describe; the fictional 555 exchange only when calls go to the local carrier."""
    from callflow.settings import TWILIO_DEFAULT_API_URL

    return Policy(frozenset(settings.callback_countries), settings.callback_daily_limit,
                  allow_fictional=settings.twilio_api_url.rstrip("/") != TWILIO_DEFAULT_API_URL.rstrip("/"))


def check(text: str | None, policy: Policy, requests_today: int, region: str | None = None) -> Verdict:
    """May a callback ring this number? `requests_today`: callbacks it asked for in the last 24 hours."""
    number = normalise(text, region)
    if number is None:
        return Verdict(None, Refusal.INVALID)
    if not (policy.allow_fictional and number.startswith(FICTIONAL_PREFIX) and len(number) == 12):
        refusal = destination_refusal(number, policy.countries)
        if refusal is not None:
            return Verdict(number, refusal)
    if requests_today >= policy.daily_limit:
        return Verdict(number, Refusal.LIMIT)
    return Verdict(number)


def destination_refusal(number: str, countries: frozenset[str] | None) -> Refusal | None:
    """Why we must never place a call to this E.164 number (a callback's, or a script's dial, overflow or
    fallback number), or None. `countries` None: any country (where the deployment's list is not known)."""
    try:
        parsed = phonenumbers.parse(number)
    except NumberParseException:
        return Refusal.INVALID
    if not phonenumbers.is_valid_number(parsed):
        return Refusal.INVALID
    if countries is not None and phonenumbers.region_code_for_number(parsed) not in countries:
        return Refusal.COUNTRY
    if phonenumbers.number_type(parsed) not in ORDINARY:
        return Refusal.SPECIAL
    return None


KINDS = {
    PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    PhoneNumberType.SHARED_COST: "a shared-cost number",
    PhoneNumberType.TOLL_FREE: "a toll-free number", PhoneNumberType.PERSONAL_NUMBER: "a personal number",
    PhoneNumberType.PAGER: "a pager", PhoneNumberType.UAN: "a universal access number",
    PhoneNumberType.VOICEMAIL: "a voicemail access number", PhoneNumberType.VOIP: "a VoIP number",
}


def why_not_dial(number: str, refusal: Refusal, countries: frozenset[str] | None) -> str:
    """Why we may not send a call to this number, for the administrator who wrote it (a script, a setting)."""
    if refusal == Refusal.INVALID:
        return f"{number} is not a number in service: a call to it cannot connect"
    if refusal == Refusal.COUNTRY:
        calls = ", ".join(sorted(countries or ()))
        return (f"{number} is in a country this centre does not call (it calls {calls}: "
                "CALLFLOW_CALLBACK_COUNTRIES); calls abroad are a toll-fraud risk")
    kind = KINDS.get(phonenumbers.number_type(phonenumbers.parse(number)), "not a landline or mobile number")
    return f"{number} is {kind}: calls go only to landlines and mobiles (toll fraud: we would pay its owner)"


def region_of(number: str | None) -> str | None:
    """The country of a number (the line's, to read keyed national numbers), or None."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number or ""))
    except NumberParseException:
        return None


def spoken(number: str) -> str:
    """A number read back digit by digit ("4 1 5 5 5 5 ..."), without the plus."""
    return " ".join(number.lstrip("+"))


def why(refusal: Refusal) -> str:
    """What the caller hears when their number is refused: honest, and without helping a fraudster."""
    return {
        Refusal.INVALID: "I'm sorry, I can't call back that number: it doesn't look like a phone number we can "
                         "reach.",
        Refusal.COUNTRY: "I'm sorry, we can only call back numbers in the countries we serve.",
        Refusal.SPECIAL: "I'm sorry, we can't call back premium-rate or special numbers.",
        Refusal.LIMIT: "I'm sorry, that number has already asked for as many callbacks as we can make today.",
    }[refusal]
