"""Who may use the console: agents' login, roles, and CSRF protection of everything that changes state.

Sessions are Flask's cookies signed with SECRET_KEY and hold only the agent's login and a CSRF token; the
agent is read from the database on every request, so removing an agent or changing their role takes effect
at once. Twilio's webhooks do not use any of this: they are checked by signature (`security.py`).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from callflow.services import logins
from pages import devices, runtime

bp = Blueprint("auth", __name__)

ROLE_RANK = {"agent": 0, "supervisor": 1, "admin": 2}  # each role may do what the ones below it may
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SHIFT = timedelta(hours=12)  # a login lasts one shift
WRONG_LOGIN = "Login or password is wrong."  # the same words whether or not the login exists


def init_app(app: Flask) -> None:
    """Harden the session cookie, offer `csrf_token()` to templates, and register the login pages."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["PUBLIC_URL"].startswith("https://"),
        PERMANENT_SESSION_LIFETIME=SHIFT,
    )
    app.jinja_env.globals.update(csrf_token=csrf_token, current_agent=current_agent)
    app.register_blueprint(bp)


def protect(blueprint: Blueprint) -> None:
    """Check CSRF on the blueprint's state-changing requests and send browser-hardening headers."""
    blueprint.before_request(check_csrf)
    blueprint.after_request(harden)


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf():
    """Refuse (400) a POST whose token, from the form or the X-CSRF-Token header, is not the session's."""
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if expected and sent and hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    message = "The form has expired or did not come from this console (CSRF check failed). Reload the page " \
              "and try again."
    if wants_json():
        return jsonify(error=message), 400
    return render_template("error.html", title="Request refused", message=message), 400


def harden(response):
    """No framing (clickjacking), no foreign scripts, and nobody caches an agent's data."""
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


protect(bp)


def wants_json() -> bool:
    """API calls (fetch from the console's script) get JSON errors; pages get HTML."""
    return "/api/" in request.path or request.accept_mimetypes.best == "application/json"


def current_agent():
    """The logged-in agent for this request, or None (also when the agent has been removed since)."""
    if "agent" not in g:
        login = session.get("agent")
        agent = None
        if login:
            agent = logins.agent(runtime(), login)
            if agent is None:
                session.clear()
        g.agent = agent
    return g.agent


def has_role(agent, role: str | None) -> bool:
    """Whether the agent's role reaches `role` (agent < supervisor < admin)."""
    return role is None or ROLE_RANK.get(agent.role, -1) >= ROLE_RANK[role]


def login_required(role: str | None = None):
    """Let the view run only for a logged-in agent whose role reaches `role`: 401/login page, else 403."""
    if role is not None and role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            agent = current_agent()
            if agent is None:
                if wants_json():
                    return jsonify(error="Log in first."), 401
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not has_role(agent, role):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def _local(target: str | None) -> str:
    """Where to go after login: only a path on this site, never another host (open redirect)."""
    if not target or "\\" in target:
        return url_for("console.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("console.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a good login starts a fresh session (no fixation) with a new CSRF token."""
    if request.method == "GET" and current_agent() is not None:
        return redirect(_local(request.args.get("next")))
    if request.method == "POST":
        name, password = request.form.get("login", "").strip().lower(), request.form.get("password", "")
        address, device = request.remote_addr or "", devices.known(request, name)
        attempt = logins.log_in(runtime(), name, password, address, device)
        if attempt.wait_seconds > 0:  # the password was not even checked: a guesser learns nothing meanwhile
            seconds = attempt.wait_seconds
            return render_template("login.html", error=logins.throttled_message(seconds), login=name,
                                   next=request.form.get("next", "")), 429, {"Retry-After": str(seconds)}
        agent = attempt.agent
        if agent is not None:
            session.clear()  # nothing from before the login survives: no fixation, a new CSRF token
            session.permanent = True
            session["agent"] = agent.login
            csrf_token()
            response = redirect(_local(request.form.get("next")), code=303)
            devices.remember(request, response, agent.login)
            return response
        return render_template("login.html", error=WRONG_LOGIN, login=name,
                               next=request.form.get("next", "")), 401
    return render_template("login.html", error=None, login="", next=request.args.get("next", ""))


@bp.post("/logout")
def logout():
    """End the session (POST with the CSRF token, so no other site can log an agent out)."""
    session.clear()
    return redirect(url_for("auth.login"), code=303)
