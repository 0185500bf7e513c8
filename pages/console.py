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
import logging
from datetime import datetime

from flask import Blueprint, Flask, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from callflow import jobs
from callflow.services import console_view, transfers
from callflow.services.agents import set_presence
from callflow.store.agents import find_agent, list_agents
from callflow.store.dispositions import DispositionError, dispositions_of, file_disposition
from callflow.store.presence import Presence
from pages import auth, runtime
from pages.auth import current_agent, has_role, login_required, wants_json

bp = Blueprint("console", __name__, url_prefix="/console")
log = logging.getLogger(__name__)
auth.protect(bp)

TOGGLES = (Presence.AVAILABLE.value, Presence.AWAY.value)  # what an agent may set by hand
# Breaks an agent can take with a return time (minutes): callers' wait estimates count on them from then.
BREAKS = ("15", "30", "60")
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


def _departments(agent, lines: dict[str, str], agents: list | None) -> list[str]:
    """The departments an agent may watch: their own in their order of preference, or for a supervisor every
    line's in the line's order, then those agents serve on no line in service."""
    if agents is None:
        return agent.department_list()
    served = {d for other in agents for d in other.department_list()}
    return list(lines) + sorted(served - set(lines))


def _call_in_hand(view, names: dict[str, str], now: float) -> dict:
    """The call an agent is on (what they may do with it) and the call they still have to close."""
    rt = runtime()
    console_view.watch_call(rt.acd, view, names, now)
    return {"controls": console_view.call_controls(rt.acd, view, rt.script_for_number),
            "to_close": console_view.call_to_close(rt.acd, view)}


def _estimate(rt, department_id: str) -> float | None:
    """What the hold manager would promise a caller joining this department's queue now (seconds)."""
    from webhooks.hold import estimate

    department = next((script.departments[department_id] for script in rt.scripts.current.values()
                       if department_id in script.departments), None)
    if department is None:
        return None
    try:
        return estimate(rt, department, "").promise_seconds
    except Exception:  # an estimate is a nicety on this page: never the reason it fails
        log.exception("no estimate for %s", department_id)
        return None


def _board(agent) -> dict:
    """Everything the console page shows for this agent, as data and as rendered fragments."""
    rt = runtime()
    now, names = rt.clock.timestamp(), _names()
    me = console_view.agent_view(rt.acd, agent)
    with rt.sessions() as db:
        agents = list_agents(db) if has_role(agent, "supervisor") else None
        pop = console_view.screen_pop(rt.acd, db, me, names)
    lines = console_view.department_lines(rt.scripts.current.values())
    queues = [console_view.queue_view(rt.acd, d, names.get(d, d), now, _estimate(rt, d))
              for d in _departments(agent, lines, agents)]
    team = None if agents is None else console_view.team(rt.acd, agents)
    return {"now": now, "agent": me, "queues": queues, "queue_lines": console_view.by_line(queues, lines),
            "screen_pop": pop, "team": team, "can_toggle": True,
            "breaks": BREAKS,
            **_call_in_hand(me, names, now), "back": url_for("console.home")}


def _agent_page(agent) -> dict:
    """One agent's presence and screen pop (their own, or any agent's for a supervisor)."""
    rt = runtime()
    now, names = rt.clock.timestamp(), _names()
    me = console_view.agent_view(rt.acd, agent)
    with rt.sessions() as db:
        pop = console_view.screen_pop(rt.acd, db, me, names)
    return {"now": now, "agent": me, "screen_pop": pop, "can_toggle": agent.login == current_agent().login,
            "breaks": BREAKS,
            **_call_in_hand(me, names, now), "back": url_for("console.agent_page", login=agent.login)}


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
    with runtime().sessions() as db:
        other = find_agent(db, login)
    if other is None:
        abort(404, "No such agent.")
    return other


@bp.get("/")
@login_required()
def home():
    """The console page."""
    from pages.browser_phone import available_for

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
    state = request.form.get("state", "") or (Presence.AWAY.value if back_in else "")  # a break is away
    if state not in TOGGLES:
        abort(400, f"Presence must be one of: {', '.join(TOGGLES)}.")
    if console_view.agent_view(runtime().acd, agent).state in {p.value for p in console_view.BUSY}:
        abort(409, "You have a call: finish it before changing your presence.")
    if back_in and (state != Presence.AWAY.value or back_in not in BREAKS):
        abort(400, f"A break is away for one of: {', '.join(BREAKS)} minutes.")
    set_presence(runtime(), agent.login, state, int(back_in) if back_in else None)
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
    rt = runtime()
    now = rt.clock.timestamp()
    return jsonify(now=now, queue=_plain(console_view.queue_view(rt.acd, department,
                                                                 _names().get(department, department), now)))


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


def _agents_with(predicate) -> str | None:
    """The login of the first agent for whom `predicate(login)` holds (supervisors acting on others' calls)."""
    with runtime().sessions() as db:
        logins = [agent.login for agent in list_agents(db)]
    return next((login for login in logins if predicate(login)), None)


def _on_the_call(login: str, sid: str) -> bool:
    presence = runtime().acd.presence.get(login)
    return presence is not None and presence.state is Presence.ON_CALL and presence.call == sid


def _talking_on(sid: str) -> str:
    """Who is talking with the caller: the agent themself, or for a supervisor whoever it is; else 403/409."""
    me = current_agent()
    if _on_the_call(me.login, sid):
        return me.login
    if has_role(me, "supervisor"):
        owner = _agents_with(lambda login: _on_the_call(login, sid))
        if owner is None:
            abort(409, "Nobody is talking with that caller now.")
        return owner
    if console_view.took_part(runtime().redis, me.login, sid):
        abort(409, "You are no longer on that call.")
    abort(403, "That call is not yours.")


@bp.post("/calls/<sid>/transfer")
@login_required()
def transfer_call(sid: str):
    """Pass the caller to another department: cold (back in line there, keeping their place) or warm."""
    owner = _talking_on(sid)
    department, mode = request.form.get("department", "").strip(), request.form.get("mode", "cold")
    if mode not in ("cold", "warm"):
        return _refused("Choose a cold or a warm transfer.", 400, field="mode")
    if not department:
        return _refused("Choose the department to transfer the caller to.", 400, field="department")
    rt = runtime()
    info = rt.acd.caller_info(sid)
    try:
        transfers.transfer(rt, sid, owner, department, warm=mode == "warm")
    except transfers.TransferError as error:
        return _refused(f"The caller was not transferred: {error}.", 409, field="department")
    names = _names()
    console_view.remember_call(rt.redis, owner, sid, rt.clock.timestamp(), info,
                               names.get(info.department, info.department) if info else None,
                               outcome="transferred")
    name = names.get(department, department)
    if mode == "warm":
        return _done(f"Ringing {name}. Stay on the line to introduce the caller, then hang up.")
    return _done(f"The caller is on their way to {name}, keeping their place in line. File the disposition "
                 f"when your line closes.")


@bp.post("/calls/<sid>/end")
@login_required()
def end_call(sid: str):
    """End the call (an abusive caller), once the agent has confirmed it."""
    owner = _talking_on(sid)
    if request.form.get("confirm") != "yes":
        return _refused("Confirm that you want to end this call.", 400, field="confirm")
    rt = runtime()
    info = rt.acd.caller_info(sid)
    transfers.end_call(rt, sid, owner)
    console_view.remember_call(rt.redis, owner, sid, rt.clock.timestamp(), info,
                               _names().get(info.department, info.department) if info else None,
                               outcome="abusive")
    return _done("The call is being ended. File the disposition when your line closes.")


def _closing_for(sid: str) -> str:
    """Whose call is being closed: the agent's own (one they took part in), or anyone's for a supervisor."""
    me = current_agent()
    rt = runtime()
    presence = rt.acd.presence.get(me.login)
    if console_view.took_part(rt.redis, me.login, sid) or (presence is not None and presence.call == sid):
        return me.login
    if has_role(me, "supervisor"):
        return _agents_with(lambda login: console_view.took_part(rt.redis, login, sid)) or me.login
    abort(403, "That call is not yours.")


@bp.post("/calls/<sid>/disposition")
@login_required()
def disposition(sid: str):
    """File the outcome of the call, notes and the actions promised to the caller (into the call summary)."""
    owner, me, rt = _closing_for(sid), current_agent(), runtime()
    key = console_view.TO_CLOSE_KEY + owner
    pending = rt.redis.hget(key, sid)
    # Taking the call off the list first makes a double submit file once; a refused form puts it back.
    claimed = bool(pending) and rt.redis.hdel(key, sid) == 1
    promised = request.form.get("promised", "").splitlines()
    try:
        with rt.sessions() as db:
            if not claimed and any(d.agent == me.login for d in dispositions_of(db, sid)):
                return _refused("You have already filed a disposition for this call.", 409)
            file_disposition(db, sid, me.login, request.form.get("outcome", ""), rt.clock.now(),
                             notes=request.form.get("notes", ""), promised=promised)
    except DispositionError as error:
        if claimed:
            rt.redis.hsetnx(key, sid, pending)
        return _refused(f"The disposition was not filed. {error.field.capitalize()}: "
                        f"{str(error).split(': ', 1)[-1]}.", 400, field=error.field)
    console_view.call_closed(rt.redis, owner, sid)
    if owner != me.login:
        console_view.call_closed(rt.redis, me.login, sid)
    # The caller's SMS of the actions promised (if the line sends it), then the summary with the disposition.
    rt.jobs.enqueue(jobs.disposition_filed, sid, retry=jobs.DATABASE_RETRY)
    return _done("Disposition filed. Thank you.")


# -- calls taken, and their summaries ----------------------------------------------------------------------------

RECENT_SCAN = 500  # summaries looked through for an agent's own (newest first)


def _took(summary: dict, login: str) -> bool:
    return login in summary.get("agents", []) or any(d.get("agent") == login for d in summary.get("dispositions", []))


@bp.get("/calls")
@login_required()
def calls():
    """The agent's recent calls with their summaries (a supervisor's: everyone's)."""
    from callflow.store.summaries import list_summaries

    me = current_agent()
    with runtime().sessions() as db:
        summaries = list_summaries(db, limit=RECENT_SCAN)
    if not has_role(me, "supervisor"):
        summaries = [s for s in summaries if _took(s, me.login)]
    return render_template("console/calls.html", summaries=summaries[:50], names=_names())


@bp.get("/calls/<sid>")
@login_required()
def call_summary(sid: str):
    """One call's summary: what the caller went through, who helped, what was promised."""
    from callflow.store.summaries import get_summary

    me = current_agent()
    with runtime().sessions() as db:
        summary = get_summary(db, sid)
    if summary is None or not (has_role(me, "supervisor") or _took(summary, me.login)):
        abort(404, "No summary of yours for that call (yet).")
    return render_template("console/summary.html", s=summary, names=_names())
