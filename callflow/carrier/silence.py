"""What a caller heard, as sound and silence: the longest silence on a call that the caller did not cause.

A caller who hears nothing for long thinks they were cut off and hangs up, so a call flow must never leave
them in silence: between hold updates, while an agent is rung, while a worker does something. The session
notes every stretch of the call as it happens (`Call.span`): sound (a <Say>, a <Play>, ringback, queue
music), the caller's turn (a Gather waiting for their answer, their keys and words, a recording), and the
carrier's requests to the app. A bridge (bridged ... unbridged in the transcript) is a conversation, sound too.
Everything else while the call is up is silence. A request to the app is silence for as long as it really
took, not for its virtual length: at a fast clock rate a 20 ms webhook lasts a virtual second, which a caller
on a real line would never hear.
"""

from __future__ import annotations

from dataclasses import dataclass

SOUND, TURN, REQUEST = "sound", "turn", "request"


@dataclass(frozen=True)
class Span:
    """A stretch of a call, in virtual seconds since the call was created; `real` for a request."""

    start: float
    end: float
    kind: str
    real: float = 0.0


@dataclass(frozen=True)
class Silence:
    """The longest silence: how long (virtual seconds), when it began, and what the caller heard last."""

    seconds: float
    at: float
    after: str

    def __str__(self) -> str:
        return f"{self.seconds:.1f} s of silence at {self.at:.1f} s, after {self.after!r}"


def longest_silence(call) -> Silence:
    """The longest silence the caller heard between answer and hang-up, requests counted at their real length."""
    if call.answered_at is None:
        return Silence(0.0, 0.0, "")
    begin = call.answered_at - call.created_at
    end = (call.ended_at if call.ended_at is not None else call.carrier.clock.timestamp()) - call.created_at
    spans, transcript = list(call.spans), list(call.transcript)
    heard = sorted([s for s in spans if s.kind != REQUEST] + _bridges(transcript, end), key=lambda s: s.start)
    requests = [s for s in spans if s.kind == REQUEST]
    longest, cursor = Silence(0.0, begin, ""), begin
    for span in heard + [Span(end, end, SOUND)]:
        if span.start > cursor:
            quiet = _quiet(cursor, min(span.start, end), requests)
            if quiet > longest.seconds:
                longest = Silence(round(quiet, 2), cursor, _last_heard(transcript, cursor))
        cursor = max(cursor, span.end)
    return longest


def _bridges(transcript, end: float) -> list[Span]:
    """Conversations: from each `bridged` entry to its `unbridged` (or the call's end)."""
    spans, since = [], None
    for entry in transcript:
        if entry.kind == "bridged" and since is None:
            since = entry.at
        elif entry.kind == "unbridged" and since is not None:
            spans.append(Span(since, entry.at, SOUND))
            since = None
    if since is not None:
        spans.append(Span(since, end, SOUND))
    return spans


def _quiet(start: float, end: float, requests: list[Span]) -> float:
    """Virtual seconds from start to end, with the requests in it counted at their real length."""
    quiet = end - start
    for request in requests:
        overlap = min(end, request.end) - max(start, request.start)
        if overlap > 0:
            length = request.end - request.start
            quiet -= overlap - (request.real * overlap / length if length > 0 else 0.0)
    return max(0.0, quiet)


def _last_heard(transcript, at: float) -> str:
    before = [e for e in transcript if e.at <= at and e.kind in ("heard", "played", "pressed", "said", "unbridged",
                                                                  "enqueued", "pause", "conference")]
    return f"{before[-1].kind}: {before[-1].text}"[:120] if before else ""
