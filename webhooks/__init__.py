"""The Flask app: Twilio's webhooks, and later the agent console and admin pages."""

from __future__ import annotations

import logging
import secrets

from flask import Flask

from callflow.runtime import Runtime
from callflow.settings import Settings


def create_app(test_config: Settings | dict | None = None) -> Flask:
    """Build the app from the environment; tests pass Settings, or a mapping of Settings fields to override."""
    app = Flask(__name__, instance_relative_config=True)
    if isinstance(test_config, Settings):
        settings = test_config
    else:
        settings = Settings.from_env(**(test_config or {}))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        PUBLIC_URL=settings.public_url,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    if not settings.secret_key:
        app.logger.warning("SECRET_KEY is not set: sessions will not survive a restart")
    if not settings.twilio_auth_token:
        app.logger.warning("TWILIO_AUTH_TOKEN is not set: every webhook will be refused")
    app.extensions["callflow"] = Runtime(settings)
    logging.basicConfig(level=logging.INFO)

    # `hold` adds the hold manager's routes to the voice blueprint.
    from webhooks import agent_voice, api, callback_voice, console, hold, voice  # noqa: F401

    app.register_blueprint(voice.bp)
    app.register_blueprint(agent_voice.bp)
    app.register_blueprint(callback_voice.bp)
    console.init_app(app)  # agents' login and console
    app.register_blueprint(api.bp)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app


def runtime() -> Runtime:
    """The current app's Runtime."""
    from flask import current_app

    return current_app.extensions["callflow"]
