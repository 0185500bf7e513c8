"""The admin section: administrators edit lines' scripts in the browser, see the flow, test, publish, roll back.

Every save is a draft (an immutable version); publishing puts a version in service for new calls in every
process (calls in progress keep theirs); an invalid draft cannot be published. What the editor shows as the
administrator types (problems at their lines, the diagram, the diff against the live version) comes from the
same checks and model the engine uses, run on the server; on a line of several languages, the texts side by side
with each missing translation marked, and the diagram as the callers of any one of its languages meet it.
Everything done here goes into the audit trail.
"""

from __future__ import annotations

import difflib

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

from callflow.domain.script import hours_edit
from callflow.domain.script.diagram import diagram
from callflow.domain.script.problems import ScriptInvalid, ScriptProblem, errors_in
from callflow.domain.script.translated import in_language
from callflow.domain.script.translation_table import translation_table
from callflow.services import draft_calls, publishing
from pages import absolute_url, auth, phones, runtime
from pages.auth import current_agent, login_required, wants_json
from pages.console import refuse

bp = Blueprint("admin", __name__, url_prefix="/admin")
auth.protect(bp)
bp.register_error_handler(HTTPException, refuse)


@bp.before_request
@login_required("admin")
def admins_only():
    """Every page and action here is for administrators (agents and supervisors get 403)."""


def _checked(name: str, text: str, language: str | None = None) -> dict:
    """Problems, diagram (in `language`, the line's own by default), texts by language and diff of a text, as the
    editor shows them."""
    rt = runtime()
    script, problems = publishing.check_text(rt, name, text)
    live = publishing.live_text(rt, name) or ""
    languages = script.spoken() if script else ()
    shown = language if language in languages else languages[0] if languages else None
    return {"problems": problems, "errors": len(errors_in(problems)),
            "diagram": diagram(in_language(script, shown)) if script else None,
            "languages": languages, "diagram_language": shown,
            "translations": translation_table(script) if script else None,
            "diff": _diff(live, text), "blamed": _blamed(problems)}


def _blamed(problems: list[ScriptProblem]) -> set[str]:
    """Fields named by errors, and their parents, so the diagram can mark the boxes at fault."""
    fields = set()
    for problem in errors_in(problems):
        parts = problem.field.split(".")
        fields.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
    return fields


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: kind is add, del, hunk or same."""
    rows = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), "published", "draft", lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "same")
        rows.append((kind, line))
    return rows


def _problem_json(problem: ScriptProblem) -> dict:
    return {"line": problem.line, "column": problem.column, "field": problem.field, "message": problem.message,
            "severity": problem.severity.value}


def _done(message: str, to: str):
    if wants_json():
        return jsonify(message=message)
    flash(message)
    return redirect(to, code=303)


@bp.get("/")
def index():
    """The lines and their scripts."""
    return render_template("admin/index.html", lines=publishing.lines(runtime()), done=" ".join(get_flashed_messages()) or None)


@bp.get("/scripts/<name>")
def editor(name: str):
    """Edit a line's script: the newest draft if there is one, else the live text."""
    if not _valid_name(name):
        abort(404, "No such script.")
    live = publishing.live_text(runtime(), name)
    draft = publishing.latest_draft(runtime(), name)
    if live is None and draft is None:
        abort(404, "No such script.")
    text = draft.text if draft is not None else live
    return _editor_page(name, text, draft, done=" ".join(get_flashed_messages()) or None,
                        language=request.args.get("diagram"))


def _editor_page(name: str, text: str, draft, status: int = 200, error: str | None = None,
                 done: str | None = None, note: str = "", language: str | None = None):
    checked = _checked(name, text, language)
    return render_template("admin/editor.html", name=name, text=text, draft=draft, error=error, done=done,
                           note=note, problems_json=[_problem_json(p) for p in checked["problems"]],
                           can_test=checked["errors"] == 0, **checked), status


def _valid_name(name: str) -> bool:
    return publishing.valid_name(name)


@bp.post("/scripts/<name>/check")
def check(name: str):
    """What the editor shows for the text being typed: problems at their lines, the diagram (in the language
    chosen for it), the texts by language and the diff."""
    if not _valid_name(name) or not publishing.known(runtime(), name):
        return jsonify(error=f"No such script: {name}."), 404
    body = request.get_json(silent=True, force=True) or {}
    body = body if isinstance(body, dict) else {}
    text, language = body.get("text", ""), body.get("language")
    checked = _checked(name, text if isinstance(text, str) else "", language if isinstance(language, str) else None)
    return jsonify(problems=[_problem_json(p) for p in checked["problems"]], errors=checked["errors"],
                   html={"diagram": render_template("admin/_diagram.html", **checked),
                         "translations": render_template("admin/_translations.html", **checked),
                         "diff": render_template("admin/_diff.html", **checked)})


@bp.post("/scripts/<name>/drafts")
def save(name: str):
    """Save the text as a new draft version (even with errors: it just cannot be published)."""
    if not _valid_name(name):
        abort(404, "No such script.")
    text, note = request.form.get("text", ""), request.form.get("note", "")
    rt = runtime()
    try:
        version = publishing.save_draft(rt, name, text.replace("\r\n", "\n"), current_agent().login, note)
    except publishing.PublishingError as error:
        return _editor_page(name, text, None, 400, f"Not saved. {error.field.capitalize()}: {error}.", note=note)
    errors = publishing.lint_errors(rt, name, version.text)
    tail = f" It has {errors} error{'s' if errors != 1 else ''} to fix before it can be published." if errors \
        else " It can be published."
    return _done(f"Draft saved as version {version.id}.{tail}", url_for("admin.editor", name=name))


@bp.post("/scripts/<name>/publish")
def publish(name: str):
    """Put a saved version in service for new calls (a rollback is the publication of an older one)."""
    rt = runtime()
    try:
        version_id = int(request.form.get("version", ""))
    except ValueError:
        abort(400, "Choose the version to publish.")
    reason = request.form.get("reason", "")
    rollback = request.form.get("rollback") == "yes"
    try:
        publishing.publish(rt, version_id, current_agent().login, reason,
                           action="rollback" if rollback else "publish", name=name)
    except ScriptInvalid as invalid:
        first = errors_in(invalid.problems)[0]
        draft = publishing.latest_draft(rt, name)
        return _editor_page(name, publishing.version_text(rt, version_id), draft, 400,
                            f"Version {version_id} was not published: "
                            f"line {first.line}, {first.field}: {first.message}.")
    except publishing.NoSuchVersion:
        abort(404, f"No version {version_id} of {name}.")
    except publishing.PublishingError as error:
        abort(409, f"Not published: {error}.")
    verb = "Rolled back to" if rollback else "Published"
    return _done(f"{verb} version {version_id} of {name}: new calls get it now; calls in progress keep theirs.",
                 url_for("admin.history", name=name) if rollback else url_for("admin.editor", name=name))


@bp.get("/scripts/<name>/history")
def history(name: str):
    """Who published what, when and why; every saved version, with a rollback for each older publication."""
    if not _valid_name(name):
        abort(404, "No such script.")
    publications, versions, live = publishing.history(runtime(), name)
    return render_template("admin/history.html", name=name, publications=publications, versions=versions,
                           live=live, done=" ".join(get_flashed_messages()) or None)


@bp.get("/audit")
def audit():
    """The audit trail: who changed what and when."""
    entries = publishing.audit_trail(runtime())
    return render_template("admin/audit.html", entries=entries)


@bp.post("/scripts/<name>/test-call")
def test_call(name: str):
    """Test-call the text in the editor, saved or not: the line rings the administrator's test phone.

    With the local carrier that phone is in this page (an interactive `client:` phone the carrier drives from
    what the page sends); with Twilio it is the administrator's own phone. Either way it is one REST call
    through the real client, and the app answers it from the draft with every way out stood in for by words.
    """
    body = request.get_json(silent=True, force=True) or {}
    text = body.get("text", "") if isinstance(body, dict) else ""
    rt, me = runtime(), current_agent()
    try:
        script, line = draft_calls.share_draft(rt, name, text)
    except draft_calls.TestCallRefused as refused:
        return jsonify(error=str(refused), field=refused.field), 400
    in_browser = rt.settings.local_carrier
    phone = f"client:test-{me.login}" if in_browser else me.reach
    if in_browser:
        phones.register(phone)
    sid = draft_calls.ring(rt, phone, line, absolute_url("voice.incoming", draft=script.version), me.login)
    where = "Your test phone below is ringing." if in_browser else f"Your phone ({me.reach}) is ringing."
    return jsonify(sid=sid, phone=phone, in_browser=in_browser, message=where)


def _own_test_call(sid: str) -> None:
    if not draft_calls.placed_by(runtime(), sid, current_agent().login):
        abort(404, "No such test call of yours.")


@bp.get("/test-calls/<sid>")
def test_call_state(sid: str):
    """What the test phone has heard since entry ?since=N, and what it is waiting for (ringing, an answer)."""
    _own_test_call(sid)
    return phones.state(sid)


@bp.post("/test-calls/<sid>/<action>")
def test_call_action(sid: str, action: str):
    """The tester answers, presses keys, says words or hangs up."""
    _own_test_call(sid)
    return phones.act(sid, action)


# -- opening hours by form -------------------------------------------------------------------------------------

def _base_text(name: str) -> str:
    """What a form change applies to: the work in progress if there is one, else the live text."""
    draft = publishing.latest_draft(runtime(), name)
    text = draft.text if draft is not None else publishing.live_text(runtime(), name)
    if text is None:
        abort(404, "No such script.")
    return text


@bp.get("/scripts/<name>/hours")
def hours(name: str):
    """A line's opening hours, holidays and closures, with forms to change them (each change is a draft)."""
    if not _valid_name(name):
        abort(404, "No such script.")
    text = _base_text(name)
    try:
        found = hours_edit.blocks(text)
    except hours_edit.HoursEditError as error:
        found, problem = [], str(error)
    else:
        problem = None
    return render_template("admin/hours.html", name=name, blocks=found, error=problem,
                           done=" ".join(get_flashed_messages()) or None)


@bp.post("/scripts/<name>/hours/<block>/<change>")
def change_hours(name: str, block: str, change: str):
    """Add or remove a holiday, or add a closure; the script with the change is saved as a new draft."""
    form = request.form
    edits = {"add-holiday": lambda text: hours_edit.add_holiday(text, block, form.get("day", "")),
             "remove-holiday": lambda text: hours_edit.remove_holiday(text, block, form.get("day", "")),
             "add-closure": lambda text: hours_edit.add_closure(text, block, form.get("start", "").replace("T", " "),
                                                                form.get("end", "").replace("T", " "),
                                                                form.get("reason", ""))}
    if not _valid_name(name) or change not in edits:
        abort(404, "No such change.")
    rt = runtime()
    try:
        text = edits[change](_base_text(name))
    except hours_edit.HoursEditError as error:
        if wants_json():
            return jsonify(error=str(error), field=error.field), 400
        return render_template("admin/hours.html", name=name, blocks=hours_edit.blocks(_base_text(name)),
                               error=f"Not changed. {error.field.capitalize()}: {error}.", field=error.field,
                               done=None), 400
    what = {"add-holiday": f"holiday {form.get('day')} added to {block}",
            "remove-holiday": f"holiday {form.get('day')} removed from {block}",
            "add-closure": f"closure {form.get('start')} to {form.get('end')} added to {block}"}[change]
    version = publishing.save_draft(rt, name, text, current_agent().login, what.capitalize())
    return _done(f"{what.capitalize()}: saved as draft version {version.id}. Review it and publish it in the "
                 f"editor.", url_for("admin.hours", name=name))
