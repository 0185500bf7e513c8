"""Absolute URLs for TwiML: PUBLIC_URL + the endpoint's path, the address Twilio reaches us at."""

from __future__ import annotations

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """The public URL of `endpoint`."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def hold_music_url(name: str) -> str:
    """The public URL of a hold music file the app serves (what services are handed to play one)."""
    return absolute_url("hold.hold_music_file", name=name)
