"""What reaches the logs: callers' numbers masked, secrets never.

Installed once per process (web app, worker) as a log record factory, so it covers every logger, handler and
formatter, tracebacks included: E.164 numbers (`+15551230002`, and `%2B15551230002` in URLs) keep their last
four digits (`+*******0002`), and the values of TWILIO_AUTH_TOKEN and SECRET_KEY become `[secret]`.
`CALLFLOW_LOG_NUMBERS=1` shows numbers in full (debugging); secrets are always hidden.
"""

from __future__ import annotations

import logging
import os
import re

NUMBER = re.compile(r"(\+|%2B)(\d{3,11})(\d{4})(?!\d)")
_state: dict = {"installed": False, "secrets": set(), "numbers": False}


def mask(text: str) -> str:
    """The text with numbers masked (unless shown) and known secrets hidden."""
    for secret in _state["secrets"]:
        if secret in text:
            text = text.replace(secret, "[secret]")
    if not _state["numbers"] and ("+" in text or "%2B" in text):
        text = NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return text


def install(secrets=(), show_numbers: bool | None = None) -> None:
    """Mask every log record this process makes from now on; secrets (empty ones ignored) are added."""
    _state["secrets"].update(s for s in secrets if s and len(s) >= 6)
    _state["numbers"] = os.environ.get("CALLFLOW_LOG_NUMBERS", "") in ("1", "true", "yes") \
        if show_numbers is None else show_numbers
    if _state["installed"]:
        return
    _state["installed"] = True
    make = logging.getLogRecordFactory()

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 -- a bad format string: leave it for logging to report
            return record
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(masked_record)
