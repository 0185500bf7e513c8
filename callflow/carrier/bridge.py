"""Bridges: two or more call legs connected so their phones can talk.

The thread that made the bridge (the one running <Dial>) drives the conversation: the scripted phones take
turns saying their `talk` phrases, and the bridge ends when the first phone hangs up (its `hang_up_after`,
or by default the dialled party once everyone has had their say), when a leg is interrupted from outside,
or at the Dial's timeLimit. With a person on the bridge (an interactive phone) there is no default end:
people hang up when they are done, so only `hang_up_after`, a hang-up or the timeLimit ends it.
"""

from __future__ import annotations

import math

from callflow.carrier.calls import Call, HangUp
from callflow.carrier.phones import speaking_time


def party(call: Call) -> str:
    """The number of the scripted phone on a leg: the caller for inbound calls, the callee otherwise."""
    return call.from_ if call.direction == "inbound" else call.to


class Bridge:
    """Legs in one conversation."""

    def __init__(self, carrier, legs: list[Call], kind: str, name: str = ""):
        self.carrier = carrier
        self.legs = list(legs)
        self.kind, self.name = kind, name
        self.connected = self.ended = False
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.ended_by: Call | None = None

    @property
    def duration(self) -> int:
        """Whole virtual seconds the legs were connected."""
        if self.started_at is None:
            return 0
        end = self.ended_at if self.ended_at is not None else self.carrier.clock.timestamp()
        return round(end - self.started_at)

    def connect(self) -> None:
        """Connect the legs and note it in every transcript."""
        with self.carrier.cond:
            if self.connected or self.ended:
                return
            self.connected = True
            self.started_at = self.carrier.clock.timestamp()
            for leg in self.legs:
                leg.bridge = self
                others = [party(other) for other in self.legs if other is not leg]
                leg.record("bridged", ", ".join(others), via=self.kind, name=self.name)
            self.carrier.cond.notify_all()

    def end(self, by: Call | None) -> None:
        """Disconnect; idempotent, because both sides may notice the end at once."""
        with self.carrier.cond:
            if self.ended:
                return
            self.ended = True
            self.ended_by = by
            self.ended_at = self.carrier.clock.timestamp()
            for leg in self.legs:
                leg.bridge = None
                if self.connected:
                    leg.record("unbridged", party(by) if by else "", duration=self.duration)
            self.carrier.cond.notify_all()

    def converse(self, driver: Call, dialled: Call, time_limit: float) -> Call | None:
        """Play the conversation out on the driver's thread; return the leg whose phone hung up."""
        schedule, t = [], 0.0
        phones = [(leg, leg.phone) for leg in self.legs if leg.phone is not None]
        for turn in range(max((len(p.talk) for _, p in phones), default=0)):
            for leg, phone in phones:
                if turn < len(phone.talk):
                    schedule.append((t, leg, phone.talk[turn]))
                    t += speaking_time(phone.talk[turn])
        limits = [(p.hang_up_after, leg) for leg, p in phones if p.hang_up_after is not None]
        if limits:
            end_at, leaver = min(limits, key=lambda x: x[0])
        elif any(p.interactive for _, p in phones):
            end_at, leaver = math.inf, dialled
        else:
            end_at, leaver = t + 1.0, dialled
        if time_limit < end_at:
            end_at, leaver = time_limit, dialled
        start = self.carrier.clock.timestamp()
        for at, speaker, phrase in [e for e in schedule if e[0] < end_at] + [(end_at, None, "")]:
            wait = start + at - self.carrier.clock.timestamp()
            if driver.hold(wait, until=lambda: self.ended):
                return None  # a leg was hung up or redirected from outside
            if speaker is not None:
                for leg in self.legs:
                    leg.record("talk", phrase, speaker=party(speaker))
        with self.carrier.cond:  # hang up and disconnect at once, so the other side sees both together
            if leaver is not driver:
                leaver.interrupt(HangUp("hung up after talking"))
            self.end(by=leaver)
        return leaver
