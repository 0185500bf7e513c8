"""Requests too large to take (a huge script pasted in the editor, a flood): answered 413, saying why, and
the client's kept-alive connection still works afterwards.

Flask refuses a body over MAX_CONTENT_LENGTH without reading it, so its bytes would still be on the
connection behind the 413: gunicorn, which drains at most 64 KiB, would then drop a connection it had just
announced as kept alive, and the client's next request on it fails. So a body of up to DRAIN_BYTES is read and
thrown away first (within DRAIN_SECONDS), and the connection stays usable; past that gunicorn closes it,
announced by `Connection: close` (an application may not send hop-by-hop headers: the `pre_request` hook in
`gunicorn_config.py` asks gunicorn with `must_close`). Werkzeug's server closes every connection after its
answer, and says so.
"""

from __future__ import annotations

import time

from flask import Flask, abort, request

DRAIN_BYTES = 1024 * 1024  # 16 times the largest body taken: a paste gone wrong, not a flood
DRAIN_SECONDS = 10.0  # a client trickling its body does not hold a thread longer than this
CHUNK = 64 * 1024


def init_app(app: Flask) -> None:
    """Refuse bodies over MAX_CONTENT_LENGTH before any view or check reads them."""
    app.before_request(_refuse_oversized)


def _refuse_oversized() -> None:
    length, limit = request.content_length, request.max_content_length
    if length is not None and limit is not None and length > limit:
        if length <= DRAIN_BYTES:  # else the server closes the connection (`must_close`)
            discard(request.environ["wsgi.input"], length, time.monotonic() + DRAIN_SECONDS)
        abort(413)


def discard(stream, length: int, deadline: float, now=time.monotonic) -> bool:
    """Read and drop `length` bytes of a request body; False if it ended early or took past `deadline`."""
    left = length
    while left > 0:
        if now() > deadline:
            return False
        data = stream.read(min(CHUNK, left))
        if not data:
            return False
        left -= len(data)
    return True


def must_close(content_length: int | None, chunked: bool) -> bool:
    """For the server, before the app runs: a body too long to drain (or of unknown length) may be left
    unread, so the connection cannot carry another request after it."""
    return chunked or (content_length is not None and content_length > DRAIN_BYTES)
