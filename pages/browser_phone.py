"""An agent's browser phone: when an agent is reached at `client:<identity>` and calls go through the local
carrier, their console rings, and they answer and talk (typed text standing in for voice) in the page.

With Twilio a `client:` identity would be Twilio's Voice SDK in the browser; that is not built here.
"""

from __future__ import annotations

from flask import Blueprint, abort

from pages import auth, phones, runtime
from pages.auth import current_agent, login_required

bp = Blueprint("browser_phone", __name__, url_prefix="/console/phone")
auth.protect(bp)


def available_for(agent) -> bool:
    """Whether this agent's phone is in their console."""
    return agent is not None and agent.reach.startswith("client:") and runtime().settings.local_carrier


def _mine() -> str:
    agent = current_agent()
    if not available_for(agent):
        abort(404, "Your phone is not in the browser.")
    return agent.reach


@bp.get("/ringing")
@login_required()
def ringing():
    return phones.ringing(_mine())


@bp.get("/calls/<sid>")
@login_required()
def state(sid: str):
    phones.party_to(sid, _mine())
    return phones.state(sid)


@bp.post("/calls/<sid>/<action>")
@login_required()
def act(sid: str, action: str):
    phones.party_to(sid, _mine())
    return phones.act(sid, action)
