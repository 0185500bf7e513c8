"""Call steering for administrators: try a phrase, review what steering learned, teach it from past calls.

The page answers with the router in service (the one callers get), so "would this caller be bounced?" is
checked against the truth; removing or importing examples queues a retrain for the workers, which publish
the new router to every web process. Both changes go into the audit trail.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, get_flashed_messages, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from callflow.services import learning
from pages import auth, runtime
from pages.auth import current_agent, login_required
from pages.console import refuse

bp = Blueprint("steering_admin", __name__, url_prefix="/admin/steering")
auth.protect(bp)
bp.register_error_handler(HTTPException, refuse)

SHOWN = 500  # newest learned examples listed; the CLI lists them all


@bp.before_request
@login_required("admin")
def admins_only():
    """Learned examples shape where every caller goes: administrators only."""


def _page(status: int = 200, problems: list[str] | None = None):
    rt = runtime()
    rt.script_for_number("")  # pick up publications and file changes first
    scripts = rt.scripts.current
    name = request.args.get("line") or next(iter(sorted(scripts)), "")
    phrase = (request.args.get("phrase") or "").strip()[:500]
    tried = learning.try_phrase(rt, name, phrase)
    examples = learning.examples(rt)
    shown = examples[:SHOWN]
    return render_template("admin/steering.html", lines=sorted(scripts), line=name, phrase=phrase,
                           tried=tried, examples=shown, total=len(examples), problems=problems or [],
                           done=" ".join(get_flashed_messages()) or None), status


@bp.get("/")
def page():
    """Try a phrase on a line, and the learned examples, newest first."""
    return _page()


@bp.post("/history")
def import_past_calls():
    """Import labelled past calls (CSV: text,department[,topic]): all of them or, on any problem, none."""
    upload = request.files.get("history")
    if upload is None or not upload.filename:
        return _page(400, ["Choose a CSV file of past calls (text,department[,topic])."])
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _page(400, [f"{upload.filename}: not UTF-8 text; save the CSV as UTF-8 and try again."])
    try:
        count = learning.import_history(runtime(), io.StringIO(text, newline=""), upload.filename,
                                        by=current_agent().login)
    except learning.HistoryRejected as rejected:
        return _page(400, [f"Nothing imported from {upload.filename}."] + rejected.problems)
    flash(f"Imported {count} examples from {upload.filename}; steering is being retrained with them.")
    return redirect(url_for("steering_admin.page"), code=303)


@bp.post("/examples/<int:example_id>/remove")
def remove(example_id: int):
    """Take a learned example out of training (kept for the record); steering is retrained without it."""
    if not learning.remove_example(runtime(), example_id, by=current_agent().login):
        abort(404, f"No learned example {example_id}.")
    flash(f"Example {example_id} removed; steering is being retrained without it.")
    return redirect(url_for("steering_admin.page"), code=303)
