"""A call's summary: everything that happened to the caller, from first word to outcome, as one JSON-ready dict.

Pure, so that the supervisor's figures and the agent's screen read one agreed account of the call; the service
that closes calls gathers its inputs (`services.summaries.summary_input`) and stores what this returns.
"""

from __future__ import annotations


def build_summary(call: dict, ivr: dict | None, timeline: list[dict], dispositions: list[dict],
                  callback: dict | None, customer_name: str | None, sms_sent: bool = False,
                  survey_score: int | None = None) -> dict:
    """Assemble a call's summary from its record, IVR state, event timeline, dispositions and callback, and
    what followed the call: whether the SMS of the actions promised went, and the survey's answer (1-5)."""
    ivr = ivr or {}
    events = [e["event"] for e in timeline]
    departments = [e["department"] for e in timeline if e["event"] == "routed"] or \
        ([call["department"]] if call.get("department") else [])
    transfers = [e for e in timeline if e["event"] == "transfer"]
    promises = [e for e in timeline if e["event"] == "promise"]
    waits = [round(e["waited"]) for e in timeline if e["event"] == "agent-answered" and "waited" in e]
    agents = [e["agent"] for e in timeline if e["event"] == "agent-answered"]
    talk = sum(e.get("duration", 0) for e in timeline if e["event"] == "agent-left")
    outcome = (dispositions[-1]["outcome"] if dispositions
               else "callback-requested" if callback and callback["state"] in ("requested", "scheduled")
               else "connected" if agents
               else "abandoned" if "abandoned" in events
               else ivr.get("outcome") or call.get("status"))
    return {
        "call_sid": call["sid"], "caller": call["caller"], "name": customer_name, "line": call["called"],
        "direction": call.get("direction", "inbound"), "started_at": call["started_at"],
        "ended_at": call.get("ended_at"), "duration_seconds": call.get("duration_seconds"),
        "script_version": call.get("script_version"),
        "ivr_path": list(ivr.get("path", [])), "words": list(ivr.get("said", [])),
        "keys": list(ivr.get("pressed", [])),
        "departments": departments,
        "first_department_right": not transfers if departments else None,
        "transfers": [{"from": t.get("from"), "to": t.get("to"), "by": t.get("agent")} for t in transfers],
        "waits_seconds": waits,
        "permission_asked": "permission-asked" in events,
        "hold_answer": next((e for e in events if e in ("hold-accepted", "held-without-answer",
                                                      "callback-accepted")), None),
        "promises": [{"seconds": p["seconds"], "at": p["at"]} for p in promises],
        "promises_broken": events.count("promise-broken") + events.count("promise-broken-at-answer"),
        "promise_kept": "promise-kept" in events if promises else None,
        "callback": callback,
        "agents": agents, "talk_seconds": talk,
        "dispositions": dispositions,
        "notes": "\n".join(d["notes"] for d in dispositions if d.get("notes")),
        "actions_promised": [a for d in dispositions for a in d.get("promised", [])],
        "sms_sent": sms_sent, "survey_score": survey_score,
        "outcome": outcome,
    }
