"""A call's summary: everything that happened to the caller, from first word to outcome, as one JSON-ready dict.

Pure, so that the supervisor's figures and the agent's screen read one agreed account of the call; the service
that closes calls gathers its inputs (`services.summaries.summary_input`) and stores what this returns.
"""

from __future__ import annotations

# The hold log's names for the caller's answer to the hold question, which the summary has always shown.
HOLD_ANSWERS = {"hold": "hold-accepted", "no-answer": "held-without-answer", "callback": "callback-accepted"}


def build_summary(call: dict, ivr: dict | None, dispositions: list[dict], callback: dict | None,
                  customer_name: str | None, sms_sent: bool = False, survey_score: int | None = None, *, events: list[dict]) -> dict:
    """Assemble a call's summary from its record, IVR state, dispositions and callback, what followed the call
    (whether the SMS of the actions promised went, the survey's answer, 1-5), and the call's events for the
    event log (`domain.contact_events.events_of`): departments, waits, promises, transfers and agents are read
    from those events, so the summary and the log count the same things."""
    ivr = ivr or {}
    kinds = [e["kind"] for e in events]
    departments = [e["department"] for e in events if e["kind"] == "queued"] or \
        ([call["department"]] if call.get("department") else [])
    transfers = [e for e in events if e["kind"] == "transferred"]
    promises = [e for e in events if e["kind"] == "promise-made"]
    results = [e["kind"] for e in events if e["kind"] in ("promise-kept", "promise-broken")]
    answers = [e for e in events if e["kind"] in ("answered", "callback-connected")]
    waits = [round(e["seconds"]) for e in answers if e["kind"] == "answered" and e.get("seconds") is not None]
    agents = [e["agent"] for e in answers]
    talk = round(sum(e.get("seconds") or 0 for e in events if e["kind"] == "talk-ended"))
    hold_answer = next((HOLD_ANSWERS.get(e["detail"]["answer"]) for e in events if e["kind"] == "hold-answer"
                        and e["detail"]["answer"] in HOLD_ANSWERS), None)
    outcome = (dispositions[-1]["outcome"] if dispositions
               else "callback-requested" if callback and callback["state"] in ("requested", "scheduled")
               else "connected" if agents
               else "abandoned" if "abandoned" in kinds
               else ivr.get("outcome") or call.get("status"))
    return {
        "call_sid": call["sid"], "caller": call["caller"], "name": customer_name, "line": call["called"],
        "direction": call.get("direction", "inbound"), "started_at": call["started_at"],
        "ended_at": call.get("ended_at"), "duration_seconds": call.get("duration_seconds"),
        "script_version": call.get("script_version"),
        # the language the caller was answered in ("es-US"), as the event log's entered-line tells it
        "language": next((e["detail"].get("language") for e in events if e["kind"] == "entered-line"),
                         call.get("language")),
        "ivr_path": list(ivr.get("path", [])), "words": list(ivr.get("said", [])),
        "keys": list(ivr.get("pressed", [])),
        "departments": departments,
        "first_department_right": not transfers if departments else None,
        "transfers": [{"from": t["department"], "to": t["detail"].get("to"), "by": t.get("agent")}
                      for t in transfers],
        "waits_seconds": waits,
        "permission_asked": "hold-asked" in kinds,
        "hold_answer": hold_answer,
        "promises": [{"seconds": round(p["figure"]), "at": round(p["at"], 3)} for p in promises],
        "promises_broken": results.count("promise-broken"),
        "promise_kept": "promise-kept" in results if promises else None,
        "callback": callback,
        "agents": agents, "talk_seconds": talk,
        "dispositions": dispositions,
        "notes": "\n".join(d["notes"] for d in dispositions if d.get("notes")),
        "actions_promised": [a for d in dispositions for a in d.get("promised", [])],
        "sms_sent": sms_sent, "survey_score": survey_score,
        "outcome": outcome,
    }
