"""Requests to the app's webhooks, signed and shaped as Twilio sends them.

Twilio signs the exact URL it requests plus the sorted POST parameters; for GET the parameters are in the
URL and the signed parameter set is empty. The app under test validates that signature, so getting it
right here is what lets the carrier stand in for Twilio.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

import urllib3
from twilio.request_validator import RequestValidator

TIMEOUT = 15.0  # Twilio gives a webhook 15 seconds
API_VERSION = "2010-04-01"
# One connection per request (closed after the answer, as before), through urllib3 directly: a `requests` call
# cost 1.8 ms of CPU against urllib3's 0.5, which a carrier keeping thousands of callers on hold notices. No
# retries, as Twilio's webhooks have none (its fallback URL is not emulated); redirects are followed.
_HTTP = urllib3.PoolManager(retries=urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=10),
                            timeout=urllib3.Timeout(TIMEOUT))


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


@dataclass(frozen=True)
class Reply:
    """The app's answer to a webhook, as much of it as the carrier reads."""

    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def send(url: str, params: dict[str, str], auth_token: str, method: str = "POST") -> Reply:
    """Make one signed webhook request, as Twilio would; raises when the app cannot be reached in time."""
    validator = RequestValidator(auth_token)
    headers = {"User-Agent": "TwilioProxy/1.1 (callflow local carrier)", "Connection": "close"}
    if method.upper() == "GET":
        target = url + ("&" if "?" in url else "?") + urlencode(params)
        headers["X-Twilio-Signature"] = validator.compute_signature(target, {})
        response = _HTTP.request("GET", target, headers=headers)
    else:
        headers["X-Twilio-Signature"] = validator.compute_signature(url, params)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = _HTTP.request("POST", url, body=urlencode(params), headers=headers)
    return Reply(response.status, response.data)


def parse_twiml(text: str, url: str | None) -> Document:
    """Parse a TwiML answer; anything but a <Response> document is an application error."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ApplicationError(f"invalid XML from {url}: {exc}") from exc
    if root.tag != "Response":
        raise ApplicationError(f"TwiML root is <{root.tag}>, not <Response> ({url})")
    return Document(root, url)
