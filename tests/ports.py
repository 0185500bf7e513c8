"""A free local TCP port for a server a test starts (Redis, gunicorn, the demo)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; the server started next binds it (the kernel rarely hands it out again
    in between)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
