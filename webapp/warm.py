"""Marks the webhooks a caller waits on, so a process that parses a script or trains a router while answering
one says so (`callflow/services/cold_work.py`); the warm-up itself runs from gunicorn's `post_worker_init`."""

from __future__ import annotations

from flask import Flask, request

from callflow.services import cold_work
from callflow.services.warm_up import warm_up

WEBHOOKS = frozenset({"voice", "hold", "agent_voice", "callback_voice", "survey_voice"})  # Twilio's blueprints

__all__ = ["init_app", "warm_up_app"]


def init_app(app: Flask) -> None:
    @app.before_request
    def _answering() -> None:
        cold_work.answering(request.blueprint in WEBHOOKS)

    @app.teardown_request
    def _answered(_error=None) -> None:
        cold_work.answering(False)


def warm_up_app(app, keeper: bool = True) -> None:
    """Ready a web process's app before it accepts traffic (`services/warm_up.py`)."""
    runtime = getattr(app, "extensions", {}).get("callflow")
    if runtime is not None:
        warm_up(runtime, keeper=keeper)
