"""Fixtures for the IVR script tests: the sample scripts, fixed moments, a keyword steering function."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from callflow.domain.script.loader import load_script
from callflow.domain.script.model import Script
from callflow.domain.steering.decision import SteeringDecision, SteeringKind

SCRIPTS = Path(__file__).resolve().parents[3] / "ivr_scripts"
OPEN = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # a Tuesday morning in London
CLOSED = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # a Sunday: only Fraud and Security answers

# A deterministic stand-in for the real router: one keyword -> route, two -> confirm, none -> unknown.
KEYWORDS = {
    "pin": "cards",
    "new card": "cards",
    "refund": "card_payments",
    "transfer": "payments",
    "top-up": "top_ups",
    "top up": "top_ups",
    "cash machine": "cash_atm",
    "atm": "cash_atm",
    "fee": "fees",
    "exchange": "fees",
    "passcode": "account",
    "address": "account",
    "stolen": "fraud",
    "don't recognise": "fraud",
    "complaint": "general",
}


def keyword_steer(text: str) -> SteeringDecision:
    """Route on exactly one department's keyword, confirm between two, otherwise unknown."""
    found = list(dict.fromkeys(dept for word, dept in KEYWORDS.items() if word in text.lower()))
    if len(found) == 1:
        return SteeringDecision(SteeringKind.ROUTE, found[0], 0.9)
    if len(found) >= 2:
        return SteeringDecision(SteeringKind.CONFIRM, found[0], 0.5, found[1])
    return SteeringDecision(SteeringKind.UNKNOWN, None, 0.1)


@pytest.fixture(scope="session")
def bank() -> Script:
    return load_script(SCRIPTS / "acme_bank.yaml")


@pytest.fixture(scope="session")
def clinic() -> Script:
    return load_script(SCRIPTS / "riverside_clinic.yaml")
