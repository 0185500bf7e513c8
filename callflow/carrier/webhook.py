"""Requests to the app's webhooks, signed and shaped as Twilio sends them.

Twilio signs the exact URL it requests plus the sorted POST parameters; for GET the parameters are in the
URL and the signed parameter set is empty. The app under test validates that signature, so getting it
right here is what lets the carrier stand in for Twilio.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

import requests
from twilio.request_validator import RequestValidator

TIMEOUT = 15.0  # Twilio gives a webhook 15 seconds
API_VERSION = "2010-04-01"


class ApplicationError(Exception):
    """The app's answer could not be used: Twilio says "an application error has occurred"."""


@dataclass
class Document:
    """A TwiML document and the URL it came from, against which relative URLs resolve."""

    root: ET.Element
    url: str | None

    def resolve(self, url: str) -> str:
        if self.url is None and "://" not in url:
            raise ApplicationError(f"relative URL {url!r} in TwiML that has no document URL")
        return urljoin(self.url or "", url)


@dataclass
class Goto:
    """The next document to run: a URL to request (with extra parameters) or inline TwiML."""

    url: str | None
    method: str = "POST"
    extra: dict[str, str] = field(default_factory=dict)
    twiml: str | None = None


def send(url: str, params: dict[str, str], auth_token: str, method: str = "POST") -> requests.Response:
    """Make one signed webhook request, as Twilio would."""
    validator = RequestValidator(auth_token)
    headers = {"User-Agent": "TwilioProxy/1.1 (callflow local carrier)"}
    if method.upper() == "GET":
        target = url + ("&" if "?" in url else "?") + urlencode(params)
        headers["X-Twilio-Signature"] = validator.compute_signature(target, {})
        return requests.get(target, headers=headers, timeout=TIMEOUT)
    headers["X-Twilio-Signature"] = validator.compute_signature(url, params)
    return requests.post(url, data=params, headers=headers, timeout=TIMEOUT)


def parse_twiml(text: str, url: str | None) -> Document:
    """Parse a TwiML answer; anything but a <Response> document is an application error."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ApplicationError(f"invalid XML from {url}: {exc}") from exc
    if root.tag != "Response":
        raise ApplicationError(f"TwiML root is <{root.tag}>, not <Response> ({url})")
    return Document(root, url)
