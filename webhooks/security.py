"""Who may call our endpoints: Twilio's signature on every webhook.

Twilio signs the exact public URL it requested; behind a proxy or tunnel `request.url` is not that URL, so we
rebuild it from PUBLIC_URL and the path, as Twilio's own guidance for proxies says.
"""

from __future__ import annotations

import hmac
import logging
from functools import wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def public_url_of_request() -> str:
    """The URL Twilio requested, as seen from outside: PUBLIC_URL + path + query string."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def signature_is_valid() -> bool:
    """True when X-Twilio-Signature matches the request's public URL and form fields."""
    signature = request.headers.get("X-Twilio-Signature", "")
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not signature or not token:
        return False
    validator, url = RequestValidator(token), public_url_of_request()
    expected = validator.compute_signature(url, request.form).encode()
    if hmac.compare_digest(expected, signature.encode("utf-8", "replace")):  # (any header: bytes, not str)
        return True  # the URL exactly as Twilio requested it: one HMAC, the usual case
    return validator.validate(url, request.form, signature)  # the same URL with or without its port


def twilio_signed(view):
    """Refuse (403, nothing else happens) a webhook whose signature is missing or wrong."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not signature_is_valid():
            log.warning("refused unsigned or forged request to %s from %s", request.path, request.remote_addr)
            abort(403)
        return view(*args, **kwargs)

    return checked
