"""What people open: the agent console, staff and admin pages, the API, login, and the demo's phone.

Pages need a login, a role and a CSRF token (`auth.py`); they call services and render templates. They never
import the webhooks: a page that places a call (an admin's test call) names the webhook's endpoint.
"""

from __future__ import annotations

from flask import current_app, url_for

from callflow.runtime import Runtime


def runtime() -> Runtime:
    """The current app's Runtime: the process's connections and settings."""
    return current_app.extensions["callflow"]


def absolute_url(endpoint: str, **values) -> str:
    """The public URL of `endpoint` (PUBLIC_URL + its path), the address Twilio reaches us at."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)
