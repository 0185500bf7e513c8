"""Known customers: recognising a caller's number so the line can greet them by name."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from callflow.store.models import Customer


def find_customer(session: Session, phone: str) -> Customer | None:
    """The customer whose number is `phone`, if we know them."""
    return session.scalars(select(Customer).where(Customer.phone == phone)).first()


def all_names(session: Session) -> dict[str, str]:
    """Every known customer's name by phone number (copied into Redis: `caller_memory.py`)."""
    return {phone: name for phone, name in session.execute(select(Customer.phone, Customer.name))}


def import_customers(session: Session, rows: Iterable[dict]) -> int:
    """Add or update customers from rows with `phone` and `name`; returns how many were written."""
    count = 0
    for line, row in enumerate(rows, start=2):
        phone, name = (row.get("phone") or "").strip(), (row.get("name") or "").strip()
        if not phone.startswith("+") or not phone[1:].isdigit() or not name:
            raise ValueError(f"line {line}: need an E.164 phone (+...) and a name, got {row!r}")
        customer = find_customer(session, phone)
        if customer is None:
            session.add(Customer(phone=phone, name=name))
        else:
            customer.name = name
        count += 1
    session.commit()
    return count


def import_customers_csv(session: Session, stream: TextIO) -> int:
    """Import a CSV with a header row naming `phone` and `name`."""
    return import_customers(session, csv.DictReader(stream))
