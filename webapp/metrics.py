"""`GET /metrics` for Prometheus, behind a bearer token, and the time every request takes (docs/metrics.md).

The figures say how busy the centre is and which webhooks are slow: not for the public. Without
CALLFLOW_METRICS_TOKEN the route answers 404, as if it did not exist; with one, a request without the token (or
with another) is refused with 401. Timing a request is one histogram observation in this process: no Redis or
database round trip is added to a webhook.
"""

from __future__ import annotations

import hmac
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request

from callflow.services import metrics

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    runtime = current_app.extensions["callflow"]
    token = runtime.settings.metrics_token
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("A bearer token is required.\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'},
                        mimetype="text/plain")
    body, content_type = metrics.exposition(runtime)
    return Response(body, 200, {"Content-Type": content_type, "Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Serve /metrics and time every request the app answers, by its endpoint."""
    app.register_blueprint(bp)

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _stop_clock(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            metrics.request_served(request.endpoint, time.perf_counter() - started)
        return response
