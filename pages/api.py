"""The JSON API for CRMs and reports: call summaries, for supervisors and administrators (session login)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, jsonify, request

from callflow.services import calls_taken
from pages import runtime
from pages.auth import login_required, protect

bp = Blueprint("api", __name__, url_prefix="/api")
protect(bp)


@bp.get("/calls")
@login_required(role="supervisor")
def calls():
    """Summaries, newest first: ?since=ISO&department=id&caller=+E164&limit=N (at most 500)."""
    since = request.args.get("since")
    try:
        since_at = datetime.fromisoformat(since) if since else None
        limit = min(int(request.args.get("limit", 100)), 500)
    except ValueError:
        return jsonify(error="since must be an ISO 8601 time and limit a whole number"), 400
    if since_at is not None and since_at.tzinfo is None:
        since_at = since_at.replace(tzinfo=UTC)
    found = calls_taken.summaries(runtime(), since_at, request.args.get("department"), request.args.get("caller"),
                                  limit)
    return jsonify(calls=found)


@bp.get("/calls/<sid>")
@login_required(role="supervisor")
def call(sid: str):
    """One call's summary."""
    summary = calls_taken.summary(runtime(), sid)
    if summary is None:
        abort(404)
    return jsonify(summary)
