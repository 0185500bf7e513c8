"""The Flask app: the app factory that joins Twilio's webhooks (`webhooks/`) and the pages for people (`pages/`).

Neither package imports the other, nor this one: each registers its blueprints here, and the process's
`Runtime` (connections and settings) hangs on the app for both to find.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, jsonify, request

import pages
from callflow import log_masking
from callflow.runtime import Runtime
from callflow.settings import Settings
from pages import admin, api, browser_phone, console, demo, reports, staff, steering_admin, wallboard
from webapp import metrics, oversize, warm
from webhooks import agent_voice, callback_voice, hold, survey_voice, voice

PAGES = Path(pages.__file__).parent


def create_app(test_config: Settings | dict | None = None) -> Flask:
    """Build the app from the environment; tests pass Settings, or a mapping of Settings fields to override."""
    app = Flask(__name__, instance_relative_config=True, template_folder=str(PAGES / "templates"),
                static_folder=str(PAGES / "static"))
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
    app.extensions["callflow"] = Runtime(settings, serves_requests=True)
    logging.basicConfig(level=logging.INFO)
    log_masking.install([settings.twilio_auth_token, settings.secret_key])  # numbers masked, secrets hidden

    # What Twilio calls.
    app.register_blueprint(voice.bp)
    app.register_blueprint(hold.bp)  # the hold manager's routes, under /voice too
    app.register_blueprint(agent_voice.bp)
    app.register_blueprint(callback_voice.bp)
    app.register_blueprint(survey_voice.bp)  # the satisfaction survey after the agent hangs up
    # What people open.
    console.init_app(app)  # agents' login and console
    app.register_blueprint(staff.bp)  # agents added, removed and made available by supervisors and admins
    app.register_blueprint(admin.bp)  # administrators edit, test, publish and roll back scripts
    app.register_blueprint(steering_admin.bp)  # ... try phrases on call steering and review what it learned
    app.register_blueprint(browser_phone.bp)  # agents' phones in the console (local carrier)
    app.register_blueprint(demo.bp)  # the demo's softphone (only when CALLFLOW_DEMO is on)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)  # supervisors' reports over any period (issue 21)
    app.register_blueprint(wallboard.bp)  # supervisors' live wallboard
    metrics.init_app(app)  # /metrics for Prometheus (bearer token) and every request's time
    oversize.init_app(app)  # a refused body is drained (or the connection closed): keep-alive survives 413
    warm.init_app(app)  # a script parsed or a router trained while a caller waits is logged (issue 22)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.errorhandler(413)
    def too_large(_error):
        """A body over MAX_CONTENT_LENGTH (a huge script upload, a flood): refused at once, saying why."""
        message = f"Too large: at most {app.config['MAX_CONTENT_LENGTH'] // 1024} KB can be sent at once."
        if request.is_json or request.path.endswith("/check") or "/api/" in request.path:
            return jsonify(error=message), 413
        return message, 413, {"Content-Type": "text/plain; charset=utf-8"}

    return app
