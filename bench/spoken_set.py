"""Build the spoken-style evaluation set: how Banking77's written test requests come out of a caller's mouth.

    python bench/spoken_set.py            # writes data/spoken/*.csv (deterministic: seed 23)
    python bench/spoken_set.py --check    # rebuilds in memory and fails if the committed files differ

Banking77 was typed into a chat box; callers talk, and the words reach the router through speech
recognition. Steering a new line from its script alone must cope with that, so `routing-eval` measures a
spoken twin of the written test next to it. Every row comes from one Banking77 TEST row (or one CLINC150
oos_test row) by one documented rule, with phrases written for this set (never from the train split, which
history-trained routers learn from). The rules, one per row, in equal shares by a seeded shuffle:

- filler: "um", "so yeah", "like", "you know"... at the start, in the middle, at the end;
- restart: the caller starts, stops and says it again ("my I mean ...", "sorry let me start again");
- story: a long lead-in with nothing of the reason in it, the reason at the end;
- asr: speech-recognition slips: lower case, no punctuation, numbers and amounts as words, small words
  dropped, homophones and split words ("pin" -> "pen", "top up" -> "top of", "ATM" -> "a t m");
- fragment: a few words only ("card", "my pin", "top up failed"), written per intent for this set;
- two: two requests in one breath, the second from another intent of the SAME department (so the truth is
  not in doubt) - for out-of-scope, two out-of-scope requests.

Every row gets the light normalisation a speech recogniser applies anyway (no emoji, no repeated "!!").
`build()` is also what `bench/routing_eval.py --split dev` uses to make a spoken twin of its dev split.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = 23
STYLES = ("filler", "restart", "story", "asr", "fragment", "two")
OOS_STYLES = ("filler", "restart", "story", "asr", "two")

FILLERS_START = [
    "um", "uh", "so yeah", "yeah hi", "hi um", "okay so", "right so", "so basically", "erm", "hello yes",
    "yeah so like", "hiya um", "so um", "well",
]
FILLERS_MIDDLE = ["um", "uh", "like", "you know", "er", "sort of", "I mean"]
FILLERS_END = ["yeah", "please", "thanks", "so yeah", "if that makes sense", "or something", "that's it"]
RESTARTS = [
    "I I", "I was", "so I need", "I want to", "can you", "it's about", "the thing is", "I've got a",
]
RESTART_JOINS = ["sorry", "I mean", "no wait", "sorry let me start again", "hang on", "um sorry"]
# Lead-ins that say nothing about any department: the reason comes only at the end.
STORIES = [
    "so I was away last week visiting my sister and we went out for dinner and everything was fine and then",
    "okay so this is a bit of a long story but I've been with you for a few years now and never had any trouble",
    "right so I got back from holiday on Sunday and I was sorting everything out this morning and",
    "hi yes sorry I've been on hold before and got cut off so I'll start from the beginning",
    "so my daughter usually helps me with all this but she's away at university and",
    "yes hello I'm calling because I'm a bit confused about something that happened yesterday and",
    "so I was at work and I didn't have time to look at it properly until now but basically",
    "I've tried looking in the app and on the website and I couldn't find anything so",
    "sorry I'm driving so bear with me I'm on speaker but",
    "right um so it's my husband's birthday next week and I was getting things ready and",
]
STORY_JOINS = ["", "basically", "so", "the thing is", "anyway", "long story short"]
HOMOPHONES = [  # (pattern, what a recogniser may write instead)
    (r"\bpin\b", "pen"), (r"\bPIN\b", "pin"), (r"\btop[- ]?ups?\b", "top of"), (r"\btop[- ]?up\b", "top up"),
    (r"\bATMs?\b", "a t m"), (r"\batms?\b", "a t m"), (r"\bto\b", "two"), (r"\bfor\b", "four"),
    (r"\bwithdraw", "with draw"), (r"\bwithdrawal\b", "with drawl"), (r"\bcard\b", "cart"),
    (r"\bcash\b", "cache"), (r"\bcheque\b", "check"), (r"\brefund\b", "re fund"), (r"\bfee\b", "fi"),
    (r"\bapp\b", "up"), (r"\bcontactless\b", "contact less"), (r"\bdeclined\b", "the climbed"),
    (r"\btransfer\b", "transfers"), (r"\bwhere\b", "wear"), (r"\bwon't\b", "want"), (r"\bthere\b", "their"),
    (r"\bpasscode\b", "pass code"), (r"\bverify\b", "very fy"), (r"\bexchange\b", "exchanged"),
    (r"\bcurrency\b", "currents he"), (r"\beuros?\b", "your rose"), (r"\bmy\b", "mine"),
]
DROPPABLE = {"the", "a", "an", "my", "to", "is", "i", "it", "of", "for", "do", "have", "has", "was", "am"}
SYMBOLS = {"£": "pounds", "$": "dollars", "€": "euros"}

# Written for this set: what a caller blurts out when asked "what are you calling about".
FRAGMENTS = {
    "activate_my_card": ["activate card", "activating my new card"],
    "apple_pay_or_google_pay": ["apple pay", "google pay"],
    "card_about_to_expire": ["card expiring", "card expiry"],
    "card_acceptance": ["where my card works", "card accepted"],
    "card_arrival": ["card not arrived", "new card"],
    "card_delivery_estimate": ["card delivery", "when card comes"],
    "card_linking": ["link a card", "linking card"],
    "card_not_working": ["card not working", "card broken"],
    "change_pin": ["change pin", "my pin"],
    "contactless_not_working": ["contactless", "contactless not working"],
    "disposable_card_limits": ["disposable card limit", "disposable cards"],
    "get_disposable_virtual_card": ["disposable card", "one time card"],
    "get_physical_card": ["physical card", "plastic card"],
    "getting_spare_card": ["extra card", "spare card"],
    "getting_virtual_card": ["virtual card", "a virtual card"],
    "order_physical_card": ["order a card", "ordering card"],
    "pin_blocked": ["pin blocked", "pin locked"],
    "virtual_card_not_working": ["virtual card not working", "virtual card declined"],
    "visa_or_mastercard": ["visa or mastercard", "mastercard"],
    "Refund_not_showing_up": ["refund missing", "refund not showing"],
    "declined_card_payment": ["card declined", "payment declined"],
    "pending_card_payment": ["pending payment", "card payment pending"],
    "request_refund": ["refund", "a refund"],
    "reverted_card_payment?": ["payment reverted", "payment came back"],
    "transaction_charged_twice": ["charged twice", "double charge"],
    "balance_not_updated_after_bank_transfer": ["balance not updated after transfer", "transfer balance"],
    "beneficiary_not_allowed": ["beneficiary", "payee not allowed"],
    "cancel_transfer": ["cancel transfer", "cancel a payment"],
    "declined_transfer": ["transfer declined", "transfer refused"],
    "failed_transfer": ["transfer failed", "failed transfer"],
    "pending_transfer": ["transfer pending", "pending transfer"],
    "receiving_money": ["receive money", "receiving money"],
    "transfer_into_account": ["transfer in", "move money in"],
    "transfer_not_received_by_recipient": ["transfer not received", "money not arrived"],
    "transfer_timing": ["transfer time", "how long transfers take"],
    "automatic_top_up": ["auto top up", "automatic top up"],
    "balance_not_updated_after_cheque_or_cash_deposit": ["cheque deposit", "cash deposit missing"],
    "pending_top_up": ["top up pending", "pending top up"],
    "supported_cards_and_currencies": ["which cards for top up", "top up currencies"],
    "top_up_by_cash_or_cheque": ["top up cash", "top up cheque"],
    "top_up_failed": ["top up failed", "top up"],
    "top_up_limits": ["top up limit", "top up maximum"],
    "top_up_reverted": ["top up reversed", "top up reverted"],
    "topping_up_by_card": ["top up by card", "top up with card"],
    "verify_top_up": ["verify top up", "top up verification"],
    "atm_support": ["cash machine", "atm"],
    "card_swallowed": ["card stuck in machine", "machine ate card"],
    "declined_cash_withdrawal": ["withdrawal declined", "atm declined"],
    "pending_cash_withdrawal": ["withdrawal pending", "cash pending"],
    "wrong_amount_of_cash_received": ["wrong cash amount", "atm wrong amount"],
    "card_payment_fee_charged": ["card payment fee", "fee on payment"],
    "card_payment_wrong_exchange_rate": ["wrong rate on payment", "bad exchange rate"],
    "cash_withdrawal_charge": ["withdrawal fee", "cash withdrawal charge"],
    "exchange_charge": ["exchange fee", "exchange charge"],
    "exchange_rate": ["exchange rate", "rates"],
    "exchange_via_app": ["exchange in app", "currency exchange"],
    "extra_charge_on_statement": ["extra charge", "charge on statement"],
    "fiat_currency_support": ["currencies", "which currencies"],
    "top_up_by_bank_transfer_charge": ["bank transfer top up fee", "transfer top up charge"],
    "top_up_by_card_charge": ["card top up fee", "top up fee"],
    "transfer_fee_charged": ["transfer fee", "fee for transfer"],
    "wrong_exchange_rate_for_cash_withdrawal": ["atm exchange rate", "cash rate wrong"],
    "age_limit": ["age limit", "minimum age"],
    "country_support": ["which countries", "countries supported"],
    "edit_personal_details": ["change address", "personal details"],
    "passcode_forgotten": ["passcode", "forgot passcode"],
    "terminate_account": ["close account", "close my account"],
    "unable_to_verify_identity": ["identity check failed", "can't verify"],
    "verify_my_identity": ["verify identity", "identity"],
    "verify_source_of_funds": ["source of funds", "proof of funds"],
    "why_verify_identity": ["why verify", "why identity check"],
    "card_payment_not_recognised": ["payment I don't recognise", "unknown payment"],
    "cash_withdrawal_not_recognised": ["withdrawal I didn't make", "unknown withdrawal"],
    "compromised_card": ["card compromised", "card hacked"],
    "direct_debit_payment_not_recognised": ["direct debit", "unknown direct debit"],
    "lost_or_stolen_card": ["lost card", "stolen card"],
    "lost_or_stolen_phone": ["lost phone", "stolen phone"],
}

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """English words for 0 <= n < 1,000,000 ("two hundred and fifty")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))
    if n < 1_000_000:
        rest = n % 1000
        return number_words(n // 1000) + " thousand" + (
            "" if rest == 0 else (" and " if rest < 100 else " ") + number_words(rest)
        )
    return " ".join(_ONES[int(d)] for d in str(n))


def _spell_numbers(text: str) -> str:
    def amount(match: re.Match) -> str:
        symbol, digits = match.group(1), match.group(2).replace(",", "")
        whole = number_words(int(float(digits)))
        return f"{whole} {SYMBOLS[symbol]}"

    text = re.sub(r"([£$€])\s?(\d[\d,]*(?:\.\d+)?)", amount, text)
    return re.sub(r"\d+", lambda m: number_words(int(m.group())) if len(m.group()) < 7 else
                  " ".join(_ONES[int(d)] for d in m.group()), text)


def recognised(text: str) -> str:
    """What any recogniser does to typed text: one line, no emoji or shouting punctuation."""
    text = re.sub(r"[^\w\s'£$€.,?-]", " ", text.replace("\n", " "))
    text = re.sub(r"([?.!,])\1+", r"\1", text)
    return " ".join(text.split())


def _bare(text: str) -> str:
    """Lower case, no punctuation: how many recognisers hand over a short utterance."""
    return " ".join(re.sub(r"[^\w\s'£$€-]", " ", text.lower()).split())


def _words_with(rng: random.Random, words: list[str], pieces: Sequence[str], k: int) -> list[str]:
    for _ in range(k):
        words.insert(rng.randrange(1, max(len(words), 2)), rng.choice(pieces))
    return words


def filler(rng: random.Random, text: str) -> str:
    words = _bare(text).split()
    words = _words_with(rng, words, FILLERS_MIDDLE, rng.choice([1, 1, 2]))
    end = [rng.choice(FILLERS_END)] if rng.random() < 0.4 else []
    return " ".join([rng.choice(FILLERS_START), *words, *end])


def restart(rng: random.Random, text: str) -> str:
    words = _bare(text).split()
    start = " ".join(words[: rng.randint(1, 3)]) if rng.random() < 0.6 else rng.choice(RESTARTS)
    return f"{start} {rng.choice(RESTART_JOINS)} {' '.join(words)}"


def story(rng: random.Random, text: str) -> str:
    join = rng.choice(STORY_JOINS)
    return " ".join(p for p in (rng.choice(STORIES), join, _bare(text)) if p)


def asr(rng: random.Random, text: str) -> str:
    spoken = _spell_numbers(text)
    for pattern, replacement in HOMOPHONES:
        spoken = re.sub(pattern, lambda m, r=replacement: r if rng.random() < 0.5 else m.group(), spoken)
    words = [w for w in _bare(spoken).split() if w not in DROPPABLE or rng.random() > 0.35]
    return " ".join(words) or _bare(text)


def fragment(rng: random.Random, intent: str) -> str:
    return rng.choice(FRAGMENTS[intent])


def two(rng: random.Random, text: str, other: str) -> str:
    joins = ["and also", "and", "oh and", "and another thing", "plus", "and while I'm on"]
    return f"{_bare(text)} {rng.choice(joins)} {_bare(other)}"


def build(rows: Sequence[tuple[str, str]], department: dict[str, str] | None, seed: int = SEED
          ) -> list[tuple[str, str, str]]:
    """(spoken text, label, style) for each (text, label) row, in the same order.

    `department` maps intents to departments (in-scope rows: "two" picks its second request from another
    intent of the same department); None for out-of-scope rows (no fragments; "two" joins two of them).
    """
    rng = random.Random(seed)
    styles = STYLES if department is not None else OOS_STYLES
    plan = [styles[i % len(styles)] for i in range(len(rows))]
    rng.shuffle(plan)
    by_department: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text, label in rows:
        by_department[department[label] if department else "oos"].append((text, label))
    out = []
    for (text, label), style in zip(rows, plan, strict=True):
        text = recognised(text)
        if style == "filler":
            spoken = filler(rng, text)
        elif style == "restart":
            spoken = restart(rng, text)
        elif style == "story":
            spoken = story(rng, text)
        elif style == "asr":
            spoken = asr(rng, text)
        elif style == "fragment":
            spoken = fragment(rng, label)
        else:
            pool = by_department[department[label] if department else "oos"]
            others = [t for t, other_label in pool if other_label != label or department is None and t != text]
            spoken = two(rng, text, recognised(rng.choice(others)))
        out.append((spoken, label, style))
    return out


def _csv(rows: list[tuple[str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "category", "style"])
    writer.writerows(rows)
    return buffer.getvalue()


def generate(data_dir: Path) -> dict[str, str]:
    """File name -> contents of the spoken set, from data/banking77/test.csv and CLINC150's oos_test."""
    with open(data_dir / "banking77" / "test.csv", newline="", encoding="utf-8") as handle:
        test = [(r["text"], r["category"]) for r in csv.DictReader(handle)]
    department = json.loads((data_dir / "banking77" / "departments.json").read_text())
    oos = [(t, "oos") for t, _ in json.loads((data_dir / "clinc150" / "oos.json").read_text())["oos_test"]]
    return {
        "banking77_test_spoken.csv": _csv(build(test, department)),
        "clinc150_oos_test_spoken.csv": _csv(build(oos, None)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--check", action="store_true", help="fail if the committed files differ")
    args = parser.parse_args(argv)
    target = args.data / "spoken"
    files = generate(args.data)
    if args.check:
        stale = [n for n, body in files.items() if not (target / n).exists() or (target / n).read_text() != body]
        print("spoken set up to date" if not stale else f"stale: {', '.join(stale)}")
        return 1 if stale else 0
    target.mkdir(exist_ok=True)
    for name, body in files.items():
        (target / name).write_text(body, encoding="utf-8")
        print(f"wrote {target / name} ({body.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
