"""The staff page: supervisors see every agent and set who is available; administrators add and remove agents.

The same operations as `callflow agent add|list|set-presence|remove`, for people who do not have a shell on the
server. Every refusal names the field at fault, and a form that was refused comes back filled in.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from callflow.services import console, roster
from pages import auth, runtime
from pages.auth import current_agent, has_role, login_required, wants_json
from pages.console import TOGGLES, refuse

bp = Blueprint("staff", __name__, url_prefix="/console/staff")
auth.protect(bp)
bp.register_error_handler(HTTPException, refuse)  # the console's: JSON for a script, a page for a person


def _page(status: int = 200, error: str | None = None, field: str | None = None, done: str | None = None,
          form: dict | None = None):
    rt = runtime()
    agents, team, names = roster.everyone(rt)
    return render_template("console/staff.html", agents=agents, team=team, names=names, roles=roster.ROLES,
                           can_hire=has_role(current_agent(), "admin"), error=error, field=field, done=done,
                           form=form or {}, now=rt.clock.timestamp()), status


def _answer(done: str | None = None, error: str | None = None, field: str | None = None, status: int = 200,
            form: dict | None = None):
    """JSON for a script; for a person, the page again after a success (so a reload posts nothing twice) or
    the refused form, filled in, with the error."""
    if wants_json():
        return (jsonify(message=done), status) if error is None else (jsonify(error=error, field=field), status)
    if error is None:
        flash(done)
        return redirect(url_for("staff.roster_page"), code=303)
    return _page(status, error, field, None, form)


@bp.get("/")
@login_required("supervisor")
def roster_page():
    """Every agent: role, how they are reached, departments, presence now."""
    return _page(done=" ".join(get_flashed_messages()) or None)


@bp.post("/")
@login_required("admin")
def hire():
    """Add an agent (admins only)."""
    form = request.form
    kept = {k: form.get(k, "") for k in ("login", "name", "reach", "departments", "languages", "role")}
    try:
        agent = roster.add(runtime(), form.get("login", "").strip(), form.get("name", ""), form.get("password", ""),
                           form.get("reach", ""), form.get("departments", "").split(","), form.get("role", "agent"),
                           form.get("languages", ""))
    except roster.AgentError as error:
        message = f"The agent was not added. {error.field.capitalize()}: {str(error).split(': ', 1)[-1]}."
        return _answer(error=message, field=error.field, status=400, form=kept)
    return _answer(done=f"{agent.name} ({agent.login}) added. They are away until they log in and become "
                        f"available.")


@bp.post("/<login>/presence")
@login_required("supervisor")
def presence(login: str):
    """Make an agent available or away (a supervisor covering for a forgotten logout, say)."""
    state = request.form.get("state", "")
    if state not in TOGGLES:
        return _answer(error=f"Presence must be one of: {', '.join(TOGGLES)}.", field="state", status=400)
    view = _view(login)
    if view.state in roster.BUSY_STATES:
        return _answer(error=f"{view.name} has a call: their presence changes when it ends.", status=409)
    console.change_presence(runtime(), login, state)
    return _answer(done=f"{view.name} is now {state}.")


@bp.post("/<login>/languages")
@login_required("admin")
def languages(login: str):
    """Set the languages an agent takes calls in (admins, who hire: it decides which callers they are offered)."""
    name = _view(login).name
    try:
        agent = roster.languages_changed(runtime(), login, request.form.get("languages", ""))
    except roster.AgentError as error:
        return _answer(error=f"{name}'s languages were not changed. Languages: {str(error).split(': ', 1)[-1]}.",
                       field="languages", status=400)
    spoken = ", ".join(agent.language_list())
    return _answer(done=f"{name} now takes calls in {spoken}." if spoken else
                   f"{name} now takes any caller (no languages set).")


@bp.post("/<login>/remove")
@login_required("admin")
def retire(login: str):
    """Remove an agent (admins only; never oneself, never during a call)."""
    if login == current_agent().login:
        return _answer(error="You cannot remove yourself.", status=409)
    if request.form.get("confirm") != "yes":
        return _answer(error="Confirm that you want to remove this agent.", field="confirm", status=400)
    name = _view(login).name
    try:
        roster.remove(runtime(), login)
    except ValueError as error:
        return _answer(error=f"Not removed: {error}.", status=409)
    return _answer(done=f"{name} ({login}) removed.")


def _view(login: str):
    """The agent and their presence, or 404."""
    view = roster.view(runtime(), login)
    if view is None:
        abort(404, "No such agent.")
    return view
