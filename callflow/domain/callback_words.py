"""What a caller hears about the number we would call them back on, in their language: why it is refused, and
the number read back so they can check it.

Apart from the guard (`callback_guard.py`), which decides which numbers may be rung in no language at all (the
IVR scripts' checks use it, so it cannot lean on the scripts' words).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException

from callflow.domain.callback_guard import Refusal, spoken
from callflow.domain.languages import base
from callflow.domain.script.own_words import say

# Countries whose numbers are read back in their own national format, by these names ("the UK number 0 2 0, ...",
# "el número del Reino Unido ...": in Spanish with the preposition the name takes), per language; a language
# without names of its own uses the English ones.
COUNTRY_NAMES = {
    "en": {"GB": "UK", "US": "US", "CA": "Canadian", "IE": "Irish", "AU": "Australian", "NZ": "New Zealand"},
    "es": {"GB": "del Reino Unido", "US": "de Estados Unidos", "CA": "de Canadá", "IE": "de Irlanda",
           "AU": "de Australia", "NZ": "de Nueva Zelanda"},
}


def why(refusal: Refusal, script=None) -> str:
    """What the caller hears when their number is refused: honest, and without helping a fraudster."""
    return say(script, f"callback_refused_{refusal.value}")


def read_back(number: str, script=None) -> str:
    """A number as its caller can check it: its country and its digits in groups as dialled there ("the UK
    number 0 2 0, 7 9 4 6, 0 1 2 3"); another country's from its plus ("plus 3 3, 6, 1 2, ...")."""
    try:
        parsed = phonenumbers.parse(number)
    except NumberParseException:
        return spoken(number)
    region = phonenumbers.region_code_for_number(parsed)
    names = COUNTRY_NAMES.get(base(script.language) if script is not None else "en", COUNTRY_NAMES["en"])
    if region in names:
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        return say(script, "callback_number_national", country=names[region], digits=_grouped(national))
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return say(script, "callback_number_abroad", digits=_grouped(international))


def _grouped(formatted: str) -> str:
    """Digits one by one, with a pause (a comma) where the written number has a space."""
    return ", ".join(" ".join(group) for group in re.findall(r"[0-9]+", formatted))
