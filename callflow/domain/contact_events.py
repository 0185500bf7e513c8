"""A contact's events for the event log, read off what the call left behind (docs/events.md).

Pure: the summary writer gathers the call's record, IVR path, hold log, dispositions and survey answer, and this
turns them into the log's rows. Every row's `key` names its origin (the n-th entry of the hold log, a
disposition's id), so writing the same call again yields the same keys and the log adds only what is new.
Waits are measured here, once, as the time from entering a department's line to the answer or the hang-up,
so the report, the wallboard and the summary count the same seconds.
"""

from __future__ import annotations

from datetime import datetime

# The hold log's answers to "may I put you on hold?", as the log names them.
HOLD_ANSWERS = {"hold-accepted": "hold", "held-without-answer": "no-answer", "callback-accepted": "callback",
                "voicemail-chosen": "voicemail"}
# IVR path entries that record a steering decision, by their prefix.
STEERING = {"steer:route": "routed", "steer:confirm": "confirm-asked", "steer:unknown": "asked-again",
            "confirmed": "confirmed", "confirm:new-reason": "new-reason", "operator": "person"}


def events_of(call: dict, ivr: dict | None, timeline: list[dict], dispositions: list[dict],
              survey: dict | None = None) -> list[dict]:
    """The log's events for one inbound call.

    `call` is the call's record as `services.summaries.summary_input` gives it; `timeline` its hold log;
    `dispositions` dicts with `id`, `agent`, `outcome` and `at` (seconds); `survey` {"score", "at"} or None.
    """
    if call.get("direction", "inbound") != "inbound":
        return []
    sid, line = call["sid"], call["called"]
    started = _seconds(call["started_at"])

    def event(key: str, kind: str, at: float, **fields) -> dict:
        return {"key": f"{sid}:{key}", "call_sid": sid, "kind": kind, "at": at, "line": line, **fields}

    language = {"language": call["language"]} if call.get("language") else {}  # the one they were answered in
    events = [event("entered", "entered-line", started, detail={"direction": "inbound", **language})]
    for n, step in enumerate((ivr or {}).get("path", [])):
        events.append(_ivr_step(event, n, step, started))
    from_timeline, story = _hold_log(event, timeline)
    events += from_timeline
    for d in dispositions:
        events.append(event(f"disposition:{d['id']}", "disposition", d["at"], department=story.department,
                            agent=d["agent"], detail={"outcome": d["outcome"]}))
    if survey is not None:
        events.append(event("survey", "survey", survey["at"], department=story.department,
                            figure=float(survey["score"])))
    if call.get("ended_at"):
        ended = _seconds(call["ended_at"])
        if story.waiting:
            # Hung up in a department's line without the queue's own word for it (while asked to hold, or
            # between a ring and the music): still an abandoned contact, as the trade counts them.
            events.append(event("abandoned-at-end", "abandoned", ended, department=story.department,
                                seconds=round(ended - story.queued_at, 3)))
        right = 1.0 if story.answered and not story.transfers else 0.0
        events.append(event("ended", "contact-ended", ended,
                            department=story.first_department or call.get("department"),
                            seconds=float(call.get("duration_seconds") or 0), figure=right,
                            detail={"outcome": _outcome(story, dispositions), "transfers": story.transfers}))
    return events


class _Story:
    """What the hold log has told so far, while it is read in order."""

    def __init__(self):
        self.department: str | None = None
        self.first_department: str | None = None
        self.queued_at: float | None = None
        self.promise: tuple[float, float] | None = None  # (made at, seconds)
        self.callback = False
        self.answered = False
        self.abandoned = False
        self.transfers = 0
        # In a department's line, neither answered nor gone (abandoned, a callback, a message, overflow).
        self.waiting = False


def _hold_log(event, timeline: list[dict]) -> tuple[list[dict], _Story]:
    story, events = _Story(), []
    for n, entry in enumerate(timeline):
        name, at, key = entry["event"], float(entry["at"]), f"hold:{n}"
        here = {"department": story.department}
        if name == "routed":
            story.department, story.queued_at, story.waiting = entry.get("department"), at, True
            story.first_department = story.first_department or story.department
            events.append(event(key, "queued", at, department=story.department))
        elif name == "queue-full":
            story.waiting = False
            events.append(event(key, "queue-full", at, **here))
        elif name == "permission-asked":
            events.append(event(key, "hold-asked", at, figure=_number(entry.get("estimate")), **here))
        elif name in HOLD_ANSWERS:
            story.waiting = story.waiting and name not in ("callback-accepted", "voicemail-chosen")
            events.append(event(key, "hold-answer", at, detail={"answer": HOLD_ANSWERS[name]}, **here))
            if name == "callback-accepted":
                story.callback = True
                due = {"due": entry["due"]} if entry.get("due") else {}
                events.append(event(f"{key}:callback", "callback-requested", at, detail=due, **here))
        elif name == "promise":
            story.promise = (at, float(entry["seconds"]))
            heard = {"heard": entry["words"]} if entry.get("words") else {}
            events.append(event(key, "promise-made", at, figure=float(entry["seconds"]), detail=heard, **here))
        elif name in ("promise-kept", "promise-broken", "promise-broken-at-answer") and story.promise:
            made_at, seconds = story.promise
            kind = "promise-kept" if name == "promise-kept" else "promise-broken"
            detail = {"at_answer": True} if name == "promise-broken-at-answer" else {}
            events.append(event(key, kind, at, seconds=round(at - made_at, 3), figure=seconds, detail=detail,
                                **here))
        elif name == "agent-offered":
            events.append(event(key, "agent-offered", at, agent=entry.get("agent"), **here))
        elif name == "agent-not-answered":
            events.append(event(key, "agent-not-answered", at, agent=entry.get("agent"), **here))
        elif name == "agent-answered":
            story.waiting = False
            if story.callback:
                events.append(event(key, "callback-connected", at, agent=entry.get("agent"), **here))
            else:
                waited = round(at - story.queued_at, 3) if story.queued_at is not None else None
                events.append(event(key, "answered", at, agent=entry.get("agent"), seconds=waited, **here))
            story.answered = True
        elif name == "agent-left":
            events.append(event(key, "talk-ended", at, agent=entry.get("agent"),
                                seconds=float(entry.get("duration") or 0), **here))
        elif name == "wrap-up-ended":
            events.append(event(key, "wrap-up", at, agent=entry.get("agent"), seconds=float(entry["seconds"]),
                                **here))
        elif name == "transfer":
            story.transfers += 1
            events.append(event(key, "transferred", at, department=entry.get("from") or story.department,
                                agent=entry.get("agent"),
                                detail={"to": entry.get("to"), "warm": bool(entry.get("warm"))}))
        elif name == "abandoned":
            story.abandoned, story.waiting = True, False
            waited = round(at - story.queued_at, 3) if story.queued_at is not None else None
            events.append(event(key, "abandoned", at, seconds=waited, **here))
    return events, story


def _ivr_step(event, n: int, step: str, started: float) -> dict:
    """An IVR path entry: a steering decision, or a key or words in the menu (the path keeps no times, so
    each is logged at the call's start, in order by its key)."""
    for prefix, decision in STEERING.items():
        if step == prefix or step.startswith(prefix + ":"):
            parts = step[len(prefix) + 1:].split(":") if step != prefix else []
            department = parts[-2] if prefix.startswith("steer") and len(parts) >= 2 else (parts[-1] if parts else None)
            confidence = _number(parts[-1]) if prefix.startswith("steer") and parts else None
            return event(f"ivr:{n}", "steering", started, department=None if department == "-" else department,
                         figure=confidence, detail={"decision": decision, "step": step})
    return event(f"ivr:{n}", "ivr-choice", started, detail={"step": step})


def _outcome(story: _Story, dispositions: list[dict]) -> str:
    if dispositions:
        return dispositions[-1]["outcome"]
    if story.callback:
        return "callback-requested"
    if story.answered:
        return "connected"
    return "abandoned" if story.abandoned else "ended"


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _seconds(moment: str | float) -> float:
    return moment if isinstance(moment, float | int) else datetime.fromisoformat(moment).timestamp()
