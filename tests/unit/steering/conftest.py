"""Routers trained once per session: the shipped script alone, and the script plus Banking77 history."""

from __future__ import annotations

import csv
import json

import pytest

from callflow.domain.steering.router import Router
from callflow.domain.steering.training import (
    examples_from_script,
    load_script,
    merge_examples,
    train_from_script,
)
from tests.conftest import DATA, ROOT

SCRIPT = ROOT / "ivr_scripts" / "acme_bank.yaml"
BANKING77 = DATA / "banking77"

# Banking77's department names -> Acme's department ids (the script's own).
ACME_IDS = {
    "Cards": "cards",
    "Card Payments & Disputes": "card_payments",
    "Payments & Transfers": "payments",
    "Top-ups": "top_ups",
    "Cash & ATM": "cash_atm",
    "Fees & Exchange": "fees",
    "Account & Identity": "account",
    "Fraud & Security": "fraud",
}


@pytest.fixture(scope="session")
def acme_script() -> dict:
    return load_script(SCRIPT)


@pytest.fixture(scope="session")
def script_router(acme_script: dict) -> Router:
    return train_from_script(acme_script)


@pytest.fixture(scope="session")
def history() -> list[tuple[str, str]]:
    """Banking77's train split as (text, Acme department id): history agents would have produced."""
    train = BANKING77 / "train.csv"
    if not train.exists():
        pytest.fail(
            f"Banking77 train split missing at {train}: the repository's data/ folder is incomplete"
        )
    departments = json.loads((BANKING77 / "departments.json").read_text())
    with open(train, newline="", encoding="utf-8") as handle:
        return [(r["text"], ACME_IDS[departments[r["category"]]]) for r in csv.DictReader(handle)]


@pytest.fixture(scope="session")
def history_router(acme_script: dict, history: list[tuple[str, str]]) -> Router:
    return Router.train(merge_examples(examples_from_script(acme_script), history))
