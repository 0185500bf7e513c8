"""Fault injection for the REST API: the carrier answers some requests with an error or late, as Twilio
sometimes does, so tests can show that callflow retries with backoff and never places a call twice.

A fault matches a method and a path ending (e.g. POST `Calls.json`) and fires `times` times:
- `status` (500, 503, 429...): the error answered, in Twilio's JSON error shape;
- `applied`: the request takes effect first (the call is placed) and the error is answered anyway: the
  client cannot know whether it worked, the hardest case;
- `delay`: real seconds to wait before answering (longer than the client's timeout = a timeout); an
  `applied` request takes effect at once and only its answer is late.

Set from Python (`carrier.faults.add(...)`) or over the control API (`POST /carrier/faults`,
`DELETE /carrier/faults`); `carrier.faults.fired` lists what fired.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    method: str
    path_suffix: str
    status: int = 500
    times: int = 1
    applied: bool = False
    delay: float = 0.0

    def to_dict(self) -> dict:
        return {"method": self.method, "path": self.path_suffix, "status": self.status, "times": self.times,
                "applied": self.applied, "delay": self.delay}


@dataclass
class Faults:
    pending: list[Fault] = field(default_factory=list)
    fired: list[dict] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str = "POST", path: str = "Calls.json", status: int = 500, times: int = 1,
            applied: bool = False, delay: float = 0.0) -> Fault:
        if not 400 <= int(status) <= 599 or int(times) < 1 or float(delay) < 0:
            raise ValueError("status must be 4xx/5xx, times at least 1 and delay not negative")
        fault = Fault(method.upper(), path, int(status), int(times), bool(applied), float(delay))
        with self._lock:
            self.pending.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first pending fault matching this request, counted as fired."""
        with self._lock:
            for fault in self.pending:
                if fault.method == method.upper() and path.endswith(fault.path_suffix):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.pending.remove(fault)
                    self.fired.append({**fault.to_dict(), "request": f"{method} {path}"})
                    return fault
        return None
