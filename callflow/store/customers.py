"""Known customers: recognising a caller's number so the line can greet them by name, in their language."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.domain.languages import LANGUAGE_TAG
from callflow.store.models import Customer


def find_customer(session: Session, phone: str) -> Customer | None:
    """The customer whose number is `phone`, if we know them."""
    return session.scalars(select(Customer).where(Customer.phone == phone)).first()


def all_names(session: Session) -> dict[str, str]:
    """Every known customer's name by phone number (copied into Redis: `caller_memory.py`)."""
    return {phone: name for phone, name in session.execute(select(Customer.phone, Customer.name))}


def all_languages(session: Session) -> dict[str, str]:
    """The language of every customer who has one, by phone number (copied into Redis with the names)."""
    rows = session.execute(select(Customer.phone, Customer.language).where(Customer.language.is_not(None)))
    return {phone: language for phone, language in rows if language}


def import_customers(session: Session, rows: Iterable[dict]) -> int:
    """Add or update customers from rows with `phone`, `name` and optionally `language` (es-US; left as it
    was when the column is absent, cleared when it is empty); returns how many were written. Nothing is
    written unless every row is good: a bad row is named by its line and field."""
    count = 0
    for line, row in enumerate(rows, start=2):
        phone, name = (row.get("phone") or "").strip(), (row.get("name") or "").strip()
        if not phone.startswith("+") or not phone[1:].isdigit() or not name:
            session.rollback()
            raise ValueError(f"line {line}: need an E.164 phone (+...) and a name, got {row!r}")
        language = row.get("language")
        language = None if language is None else language.strip() or ""
        if language and not LANGUAGE_TAG.match(language):
            session.rollback()
            raise ValueError(f"line {line}: language: '{language}' is not a language tag like en-US or es-US")
        customer = find_customer(session, phone)
        if customer is None:
            customer = Customer(phone=phone, name=name)
            session.add(customer)
        else:
            customer.name = name
        if language is not None:
            customer.language = language or None
        count += 1
    session.commit()
    return count


def import_customers_csv(session: Session, stream: TextIO) -> int:
    """Import a CSV with a header row naming `phone`, `name` and optionally `language`."""
    return import_customers(session, csv.DictReader(stream))
