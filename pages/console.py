"""The agent console: presence toggle, departments' queues and the screen pop, kept live by polling; and what
agents do with their calls: transfer (cold or warm), end an abusive call, and file the disposition afterwards.

Pages are rendered on the server; `/console/api/*` returns the same data as JSON together with the page's
fragments rendered by the same templates, so the script only swaps what changed and nothing is drawn twice.
An agent sees their own departments and call; supervisors and admins see every department and agent.

Every call an agent is seen talking on or wrapping up (and every call they transfer or end) is remembered in
Redis until they file its disposition, so the form stays on their console after wrap-up has ended and even
if they took a next call meanwhile. Agents act only on their own calls; supervisors on anyone's.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from callflow.services import call_actions, calls_taken, console, transfers
from pages import auth, runtime
from pages.auth import current_agent, has_role, login_required, wants_json
from pages.browser_phone import available_for

bp = Blueprint("console", __name__, url_prefix="/console")
auth.protect(bp)

TOGGLES = console.TOGGLES  # what an agent may set by hand
BREAKS = console.BREAKS  # breaks an agent can take with a return time (minutes)
LABELS = {"available": "Available", "offered": "Call offered", "on-call": "On a call", "wrap-up": "Wrap-up",
          "away": "Away"}


def init_app(app: Flask) -> None:
    """Register the login pages and the console."""
    auth.init_app(app)
    app.register_blueprint(bp)


@bp.app_template_filter("duration")
def duration(seconds: float | None) -> str:
    """Seconds as m:ss (h:mm:ss past an hour); an unknown duration as a dash."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@bp.app_template_filter("when")
def when(moment: datetime | None) -> str:
    """A call-log time, short."""
    return moment.strftime("%d %b %Y %H:%M") if moment else "—"


@bp.app_template_global("presence_label")
def presence_label(state: str) -> str:
    """A presence as people say it."""
    return LABELS.get(state, state)


@bp.errorhandler(HTTPException)
def refuse(error: HTTPException):
    """Errors of the console in the form the asker reads: JSON for the script, a page for a person."""
    if wants_json():
        return jsonify(error=error.description), error.code
    return render_template("error.html", title=error.name, message=error.description), error.code


def _board(agent) -> dict:
    """Everything the console page shows for this agent, as data and as rendered fragments."""
    return {**console.board(runtime(), agent, has_role(agent, "supervisor")), "can_toggle": True,
            "back": url_for("console.home")}


def _agent_page(agent) -> dict:
    """One agent's presence and screen pop (their own, or any agent's for a supervisor)."""
    return {**console.agent_board(runtime(), agent), "can_toggle": agent.login == current_agent().login,
            "back": url_for("console.agent_page", login=agent.login)}


FRAGMENTS = {"presence": "console/_presence.html", "presence-since": "console/_presence_since.html",
             "pop": "console/_pop.html", "queues": "console/_queues.html", "team": "console/_team.html",
             "call": "console/_call.html", "close": "console/_close.html"}
CALL_FRAGMENTS = ("call", "close")


def _json(context: dict, fragments: tuple[str, ...]):
    """The data as JSON, with the page's fragments rendered from it."""
    data = {k: _plain(v) for k, v in context.items() if k not in ("can_toggle", "back", "queue_lines")}
    data["html"] = {name: render_template(FRAGMENTS[name], **context) for name in fragments}
    return jsonify(data)


def _plain(value):
    """Dataclasses, tuples and datetimes as JSON-ready values."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _visible_agent(login: str):
    """The agent whose data is asked for: oneself, or anyone for a supervisor; 403 before any lookup."""
    me = current_agent()
    if login != me.login and not has_role(me, "supervisor"):
        abort(403, "Agents see only their own calls.")
    if login == me.login:
        return me
    other = console.agent(runtime(), login)
    if other is None:
        abort(404, "No such agent.")
    return other


@bp.get("/")
@login_required()
def home():
    """The console page."""
    agent = current_agent()
    return render_template("console/home.html", browser_phone=available_for(agent), agent_reach=agent.reach,
                           **_board(agent))


@bp.get("/api/board")
@login_required()
def board_api():
    """The console's live data, polled every two seconds."""
    agent = current_agent()
    fragments = ("presence", "presence-since", "pop", "queues") + CALL_FRAGMENTS
    return _json(_board(agent), fragments + (("team",) if has_role(agent, "supervisor") else ()))


@bp.post("/presence")
@login_required()
def presence():
    """Toggle available/away, or away on a break with a return time; refused while a call is offered or in
    progress."""
    agent = current_agent()
    back_in = request.form.get("back_in", "")
    state = request.form.get("state", "") or (console.AWAY if back_in else "")  # a break is away
    if state not in TOGGLES:
        abort(400, f"Presence must be one of: {', '.join(TOGGLES)}.")
    if console.has_call(runtime(), agent):
        abort(409, "You have a call: finish it before changing your presence.")
    if back_in and (state != console.AWAY or back_in not in BREAKS):
        abort(400, f"A break is away for one of: {', '.join(BREAKS)} minutes.")
    console.change_presence(runtime(), agent.login, state, int(back_in) if back_in else None)
    if wants_json():
        return board_api()
    return redirect(url_for("console.home"), code=303)


@bp.get("/agents/<login>")
@login_required()
def agent_page(login: str):
    """One agent's presence and screen pop."""
    return render_template("console/agent.html", **_agent_page(_visible_agent(login)))


@bp.get("/api/agents/<login>")
@login_required()
def agent_api(login: str):
    """One agent's presence and screen pop, as JSON."""
    return _json(_agent_page(_visible_agent(login)), ("presence", "presence-since", "pop") + CALL_FRAGMENTS)


@bp.get("/api/queues/<department>")
@login_required()
def queue_api(department: str):
    """One department's queue, for its agents and supervisors."""
    agent = current_agent()
    if not has_role(agent, "supervisor") and department not in agent.department_list():
        abort(403, "That department's queue is not yours.")
    now, queue = console.queue(runtime(), department)
    return jsonify(now=now, queue=_plain(queue))


# -- during and after the call --------------------------------------------------------------------------------

def _refused(message: str, code: int, field: str | None = None):
    """An action that did not happen, said plainly: JSON for the script (with the field at fault), else a page."""
    if wants_json():
        return jsonify(error=message, field=field), code
    return render_template("error.html", title="Not done", message=message), code


def _done(message: str):
    """An action that happened: the script shows the message and refreshes the console; a plain form goes back."""
    if wants_json():
        return jsonify(message=message)
    return redirect(auth._local(request.form.get("next")), code=303)


def _whose(find, sid: str) -> str:
    """The agent whose call this is (`find`: `call_actions.talking_on` or `closing_for`), else 403/409."""
    me = current_agent()
    try:
        return find(runtime(), me.login, has_role(me, "supervisor"), sid)
    except call_actions.Refused as refused:
        abort(refused.code, str(refused))


@bp.post("/calls/<sid>/transfer")
@login_required()
def transfer_call(sid: str):
    """Pass the caller to another department: cold (back in line there, keeping their place) or warm."""
    owner = _whose(call_actions.talking_on, sid)
    department, mode = request.form.get("department", "").strip(), request.form.get("mode", "cold")
    if mode not in ("cold", "warm"):
        return _refused("Choose a cold or a warm transfer.", 400, field="mode")
    if not department:
        return _refused("Choose the department to transfer the caller to.", 400, field="department")
    try:
        name = call_actions.transfer(runtime(), sid, owner, department, warm=mode == "warm")
    except transfers.TransferError as error:
        return _refused(f"The caller was not transferred: {error}.", 409, field="department")
    if mode == "warm":
        return _done(f"Ringing {name}. Stay on the line to introduce the caller, then hang up.")
    return _done(f"The caller is on their way to {name}, keeping their place in line. File the disposition "
                 f"when your line closes.")


@bp.post("/calls/<sid>/end")
@login_required()
def end_call(sid: str):
    """End the call (an abusive caller), once the agent has confirmed it."""
    owner = _whose(call_actions.talking_on, sid)
    if request.form.get("confirm") != "yes":
        return _refused("Confirm that you want to end this call.", 400, field="confirm")
    call_actions.end_call(runtime(), sid, owner)
    return _done("The call is being ended. File the disposition when your line closes.")


@bp.post("/calls/<sid>/disposition")
@login_required()
def disposition(sid: str):
    """File the outcome of the call, notes and the actions promised to the caller (into the call summary)."""
    owner, me = _whose(call_actions.closing_for, sid), current_agent()
    try:
        call_actions.file(runtime(), sid, owner, me.login, request.form.get("outcome", ""),
                          request.form.get("notes", ""), request.form.get("promised", "").splitlines())
    except call_actions.Refused as refused:
        return _refused(str(refused), refused.code)
    except call_actions.DispositionError as error:
        return _refused(f"The disposition was not filed. {error.field.capitalize()}: "
                        f"{str(error).split(': ', 1)[-1]}.", 400, field=error.field)
    return _done("Disposition filed. Thank you.")


# -- calls taken, and their summaries ----------------------------------------------------------------------------

@bp.get("/calls")
@login_required()
def calls():
    """The agent's recent calls with their summaries (a supervisor's: everyone's)."""
    me, rt = current_agent(), runtime()
    return render_template("console/calls.html", summaries=calls_taken.recent(rt, me.login, has_role(me, "supervisor")),
                           names=console.names(rt))


@bp.get("/calls/<sid>")
@login_required()
def call_summary(sid: str):
    """One call's summary: what the caller went through, who helped, what was promised."""
    me, rt = current_agent(), runtime()
    summary = calls_taken.summary_for(rt, sid, me.login, has_role(me, "supervisor"))
    if summary is None:
        abort(404, "No summary of yours for that call (yet).")
    return render_template("console/summary.html", s=summary, names=console.names(rt))
