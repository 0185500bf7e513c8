"""The demo's softphone: the caller's phone in a browser tab (`callflow demo` only, never in production).

The page dials the demo line from the demo caller's number through the local carrier and shows what the
caller hears; it rings when the bank calls back. No login: it is the caller's phone, not a staff page; it
drives only calls to or from that one number. The caller chooses the language they speak among the line's: the
phone then listens for it and suggests words in it; the line itself hears the words and answers in it, as it
would a caller of that language on a real phone.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for

from callflow import demo as demo_mode
from pages import auth, phones, runtime

bp = Blueprint("demo", __name__, url_prefix="/demo")
auth.protect(bp)


@bp.before_request
def demo_only():
    """Nothing here exists unless the app was started by `callflow demo`."""
    if not runtime().settings.demo:
        abort(404)


def home():
    """The demo's front door: the site's root leads to the page that says where to go (404 elsewhere)."""
    if not runtime().settings.demo:
        abort(404)
    return redirect(url_for("demo.index"))


# The root is the app's, outside the blueprint's /demo prefix: the demo registers it and owns it.
bp.record_once(lambda state: state.app.add_url_rule("/", "demo_home", home))


@bp.get("/")
def index():
    """Where to go: the phone, the console, the admin section, and who to log in as."""
    return render_template("demo/index.html", staff=demo_mode.roster(), password=demo_mode.PASSWORD,
                           line=demo_mode.LINE, caller=demo_mode.SOFTPHONE, name=demo_mode.CALLER_NAME)


# How a caller names their language, and what they might say first to the demo's bank in it.
SPOKEN = {"en": ("English", "I lost my card"), "es": ("Español", "perdí mi tarjeta")}


@bp.get("/phone")
def phone():
    """The softphone."""
    script = runtime().script_for_number(demo_mode.LINE)
    languages = [(tag, *SPOKEN.get(tag.split("-")[0], (tag, ""))) for tag in (script.spoken() if script else ())]
    return render_template("demo/phone.html", line=demo_mode.LINE, number=demo_mode.SOFTPHONE,
                           name=demo_mode.CALLER_NAME, languages=languages)


@bp.post("/phone/call")
def call():
    """Dial the demo line. The phone is paced: the page reads prompts aloud at a person's pace whatever the demo's
    clock rate, and a Gather's timeout starts when it has read them (callflow/carrier/interactive.py)."""
    response = phones.control("post", "/carrier/calls", json={"from": demo_mode.SOFTPHONE, "to": demo_mode.LINE,
                                                              "interactive": True, "paced": True})
    if not response.ok:
        return phones.relay(response)
    return jsonify(sid=response.json()["sid"], message=f"Calling Acme Bank on {demo_mode.LINE}…")


@bp.get("/phone/calls/<sid>")
def state(sid: str):
    phones.party_to(sid, demo_mode.SOFTPHONE)
    return phones.state(sid)


@bp.post("/phone/calls/<sid>/<action>")
def act(sid: str, action: str):
    phones.party_to(sid, demo_mode.SOFTPHONE)
    return phones.act(sid, action)


@bp.get("/phone/ringing")
def ringing():
    return phones.ringing(demo_mode.SOFTPHONE)
