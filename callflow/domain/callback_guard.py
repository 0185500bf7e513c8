"""The toll-fraud guard: which numbers a callback may ring.

A callback makes us place a call we pay for, to a number a stranger chose. Fraudsters use that to pump
traffic to premium-rate or far-away numbers they profit from. So a callback rings only a valid E.164
number, in a country the contact centre serves, of an ordinary kind (landline or mobile: never premium,
shared-cost, personal, pager, UAN or other special numbers), and one number may ask only so many times a day.
Pure: the caller hands in the number, the policy and how many callbacks that number asked for today.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

ORDINARY = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
# North America's 555 exchange is fictional: no call to it is ever connected, so it can cost nothing. The local
# carrier's test customers live there; it is allowed only when the policy says the carrier is not Twilio.
FICTIONAL_PREFIX = "+1555"
DAY_SECONDS = 24 * 3600
# International prefixes a caller may key before a country code: most of the world's, and North America's.
INTERNATIONAL_PREFIXES = ("00", "011")


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
    """The policy the settings describe; the fictional 555 exchange only when calls go to the local carrier.

    The process's settings are handed in (their countries, daily limit and `local_carrier`): the guard reads no
    configuration of its own, so the settings can use it to check the fallback number as they load.
    """
    return Policy(frozenset(settings.callback_countries), settings.callback_daily_limit,
                  allow_fictional=settings.local_carrier)


def readings(text: str | None, regions: str | Sequence[str] | None = None) -> list[str]:
    """Every E.164 number keyed digits can mean, most likely first.

    As dialled at home in each of `regions` in turn (the line's country, then the caller's: "020 7946 0123"
    in the UK, "212 555 1234" or "1 212 555 1234" in North America), then after an international prefix
    ("00 44 20 ...", "011 44 20 ..."), then as a national number keyed without its trunk prefix.
    """
    digits = (text or "").strip().rstrip("#").replace("*", "")
    if digits.startswith("+"):
        return [n for n in (normalise(digits),) if n]
    if not digits.isdigit():
        return []
    home, lenient = [], []
    for region in (regions,) if isinstance(regions, str) else regions or ():
        try:
            parsed = phonenumbers.parse(digits, region)
        except NumberParseException:
            continue
        national = re.sub(r"\D", "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        trunk = (metadata.national_prefix if metadata else None) or ""
        number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        (home if digits in (national, trunk + national) else lenient).append(number)
    home.sort(key=lambda n: not phonenumbers.is_valid_number(phonenumbers.parse(n)))  # real numbers first
    abroad = [normalise("+" + digits[len(p):]) for p in INTERNATIONAL_PREFIXES if digits.startswith(p)]
    return list(dict.fromkeys(n for n in home + abroad + lenient if n))


def understood(text: str | None, policy: Policy, regions: str | Sequence[str] | None = None) -> str | None:
    """The number keyed digits mean: of their readings, the first a callback may ring, else the first real
    number (refused for its country or kind), else the first; None when they are no number at all."""
    numbers = readings(text, regions)
    if len(numbers) <= 1:
        return numbers[0] if numbers else None
    verdicts = [check(n, policy, 0) for n in numbers]
    allowed = [v.number for v in verdicts if v.allowed]
    real = [v.number for v in verdicts if v.refusal in (Refusal.COUNTRY, Refusal.SPECIAL)]
    return (allowed or real or numbers)[0]


def home_regions(line_numbers: Sequence[str], language: str, dialled: str, caller: str) -> tuple[str, ...]:
    """Where a caller's keyed national numbers are read, in order: the line's country (its script's numbers,
    its language's region, the number dialled), then the caller's own."""
    candidates = [region_of(n) for n in line_numbers] + [language.partition("-")[2].upper() or None]
    candidates += [region_of(dialled), region_of(caller)]
    return tuple(dict.fromkeys(r for r in candidates if r and r != "ZZ"))


def check(text: str | None, policy: Policy, requests_today: int,
          region: str | Sequence[str] | None = None) -> Verdict:
    """May a callback ring this number? `requests_today`: callbacks it asked for in the last 24 hours.

    Keyed digits are read in each of `region` (a country, or several in order; see `readings`).
    """
    number = understood(text, policy, region)
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
