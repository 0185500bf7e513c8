"""Device cookies: the browsers an agent has logged in from, so a guesser elsewhere cannot slow them down.

OWASP's "Slow down online guessing attacks with device cookies": after a good login the browser keeps a
cookie, signed with SECRET_KEY, naming the logins that have succeeded on it (a shared desk has several). An
attempt from such a browser, for one of those logins, is throttled on its own (`login_limits`), apart from
the strangers guessing that login. The cookie proves nothing alone: the password is still checked, and a
stolen cookie only earns its thief a throttle of their own. It lasts 180 days from the last good login on it.
"""

from __future__ import annotations

import secrets

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "callflow_device"
LIFETIME_SECONDS = 180 * 24 * 3600
MOST_LOGINS = 8  # a shared desk's agents; the least recent is forgotten first


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="callflow-device")


def _read(request: Request) -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _signer().loads(raw, max_age=LIFETIME_SECONDS)
    except BadSignature:  # forged, expired, or signed with an older SECRET_KEY
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) \
            or not isinstance(value.get("logins"), list):
        return None
    return value


def known(request: Request, login: str) -> str | None:
    """This browser's device id when `login` has logged in on it before, else None."""
    value = _read(request)
    return value["id"] if value and login in value["logins"] else None


def remember(request: Request, response: Response, login: str) -> None:
    """After a good login: add `login` to this browser's device cookie (made on first use)."""
    value = _read(request) or {"id": secrets.token_urlsafe(16), "logins": []}
    logins = [other for other in value["logins"] if other != login][-(MOST_LOGINS - 1):] + [login]
    response.set_cookie(COOKIE, _signer().dumps({"id": value["id"], "logins": logins}),
                        max_age=LIFETIME_SECONDS, httponly=True, samesite="Lax",
                        secure=current_app.config["PUBLIC_URL"].startswith("https://"), path="/login")
