"""The agent console: presence toggle, departments' queues and the screen pop, kept live by polling.

Pages are rendered on the server; `/console/api/*` returns the same data as JSON together with the page's
fragments rendered by the same templates, so the script only swaps what changed and nothing is drawn twice.
An agent sees their own departments and call; supervisors and admins see every department and agent.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from callflow import console_view, jobs
from callflow.agents import find_agent, list_agents
from callflow.presence import Presence
from webhooks import auth, runtime
from webhooks.auth import current_agent, has_role, login_required, wants_json

bp = Blueprint("console", __name__, url_prefix="/console")
auth.protect(bp)

TOGGLES = (Presence.AVAILABLE.value, Presence.AWAY.value)  # what an agent may set by hand
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


def _names() -> dict[str, str]:
    return console_view.department_names(runtime().scripts.current.values())


def _departments(agent, names: dict[str, str], agents: list | None) -> list[str]:
    """The departments an agent may watch: their own, or every one (scripts' and agents') for a supervisor."""
    if agents is None:
        return agent.department_list()
    served = {d for other in agents for d in other.department_list()}
    return sorted(set(names) | served, key=lambda d: names.get(d, d).lower())


def _board(agent) -> dict:
    """Everything the console page shows for this agent, as data and as rendered fragments."""
    rt = runtime()
    now, names = rt.clock.timestamp(), _names()
    me = console_view.agent_view(rt.acd, agent)
    with rt.sessions() as db:
        agents = list_agents(db) if has_role(agent, "supervisor") else None
        pop = console_view.screen_pop(rt.acd, db, me, names)
    queues = [console_view.queue_view(rt.acd, d, names.get(d, d), now)
              for d in _departments(agent, names, agents)]
    team = None if agents is None else console_view.team(rt.acd, agents)
    return {"now": now, "agent": me, "queues": queues, "screen_pop": pop, "team": team, "can_toggle": True}


def _agent_page(agent) -> dict:
    """One agent's presence and screen pop (their own, or any agent's for a supervisor)."""
    rt = runtime()
    me = console_view.agent_view(rt.acd, agent)
    with rt.sessions() as db:
        pop = console_view.screen_pop(rt.acd, db, me, _names())
    return {"now": rt.clock.timestamp(), "agent": me, "screen_pop": pop,
            "can_toggle": agent.login == current_agent().login}


FRAGMENTS = {"presence": "console/_presence.html", "presence-since": "console/_presence_since.html",
             "pop": "console/_pop.html", "queues": "console/_queues.html", "team": "console/_team.html"}


def _json(context: dict, fragments: tuple[str, ...]):
    """The data as JSON, with the page's fragments rendered from it."""
    data = {k: _plain(v) for k, v in context.items() if k != "can_toggle"}
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
    with runtime().sessions() as db:
        other = find_agent(db, login)
    if other is None:
        abort(404, "No such agent.")
    return other


@bp.get("/")
@login_required()
def home():
    """The console page."""
    return render_template("console/home.html", **_board(current_agent()))


@bp.get("/api/board")
@login_required()
def board_api():
    """The console's live data, polled every two seconds."""
    agent = current_agent()
    fragments = ("presence", "presence-since", "pop", "queues")
    return _json(_board(agent), fragments + (("team",) if has_role(agent, "supervisor") else ()))


@bp.post("/presence")
@login_required()
def presence():
    """Toggle available/away; refused while a call is offered or in progress."""
    agent = current_agent()
    state = request.form.get("state", "")
    if state not in TOGGLES:
        abort(400, f"Presence must be one of: {', '.join(TOGGLES)}.")
    if console_view.agent_view(runtime().acd, agent).state in {p.value for p in console_view.BUSY}:
        abort(409, "You have a call: finish it before changing your presence.")
    jobs.set_presence(agent.login, state)
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
    return _json(_agent_page(_visible_agent(login)), ("presence", "presence-since", "pop"))


@bp.get("/api/queues/<department>")
@login_required()
def queue_api(department: str):
    """One department's queue, for its agents and supervisors."""
    agent = current_agent()
    if not has_role(agent, "supervisor") and department not in agent.department_list():
        abort(403, "That department's queue is not yours.")
    rt = runtime()
    now = rt.clock.timestamp()
    return jsonify(now=now, queue=_plain(console_view.queue_view(rt.acd, department,
                                                                 _names().get(department, department), now)))
