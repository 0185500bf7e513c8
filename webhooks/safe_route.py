"""Where a caller goes when something breaks: a person, never an error message.

It must work with Redis and the database down, so it reads only the script files and the settings.
"""

from __future__ import annotations

import logging

from flask import request
from twilio.twiml.voice_response import VoiceResponse

from callflow.domain.actions import Dial, Hangup, RouteToDepartment, Say
from webhooks import runtime
from webhooks.twiml import render
from webhooks.urls import absolute_url

log = logging.getLogger(__name__)

APOLOGY = "Sorry, we're having a technical problem. Let me put you through to someone who can help."
NO_ONE = "Sorry, we're having a technical problem and can't connect you right now. Please call again shortly."


def safe_route(dialled_failed: bool = False) -> VoiceResponse:
    """TwiML that apologises and takes the caller to the script's safe route or the fallback number."""
    rt = runtime()
    script = None
    try:
        script = rt.scripts.for_number(request.form.get("To", ""))  # no Redis needed here
    except Exception:
        log.exception("no script for the safe route; using the fallback number")
    number = rt.settings.fallback_number
    department = None if script is None else script.departments.get(script.safe_route)
    if department is not None and department.overflow_number:
        number = number or department.overflow_number
    if number and not dialled_failed:
        actions = [Say(APOLOGY), Dial(number)]
    elif department is not None:
        actions = [Say(APOLOGY), RouteToDepartment(department.id, department.queue, reason="safe route")]
    else:
        actions = [Say(NO_ONE), Hangup()]
    return render(actions, absolute_url)
