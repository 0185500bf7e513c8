"""What Twilio calls: each webhook parses Twilio's request, calls one service, and answers TwiML.

Every route here checks `X-Twilio-Signature` (`security.py`) and answers valid TwiML even when Redis or the
database fails (`safe_route.py`). The app factory that registers these blueprints is `webapp.create_app`.
"""

from __future__ import annotations

from flask import current_app

from callflow.runtime import Runtime


def runtime() -> Runtime:
    """The current app's Runtime: the process's connections and settings."""
    return current_app.extensions["callflow"]
