"""Published call-steering routers in Redis, one per script version, and the note that a worker has been asked
to train one."""

from __future__ import annotations

import redis

ROUTER_KEY = "callflow:router:"  # script version -> the published router's bytes
ROUTER_ID_KEY = "callflow:router-id:"  # script version -> the published router's version
ROUTER_TTL_SECONDS = 7 * 24 * 3600
ROUTER_TRAINING_KEY = "callflow:router-training:"  # script version -> a worker has been asked to train it
ROUTER_TRAINING_SECONDS = 300  # asked again after this, if its router has still not been published


def published_id(connection: redis.Redis, script_version: str) -> str | None:
    """The version of the router published for a script version, if any."""
    raw = connection.get(ROUTER_ID_KEY + script_version)
    return raw.decode() if raw is not None else None


def published_bytes(connection: redis.Redis, script_version: str) -> bytes | None:
    """The published router's bytes for a script version, if any."""
    return connection.get(ROUTER_KEY + script_version)


def publish(connection: redis.Redis, script_version: str, router_bytes: bytes, router_id: str) -> None:
    """Publish a router for a script version to every process."""
    with connection.pipeline() as pipe:
        pipe.set(ROUTER_KEY + script_version, router_bytes, ex=ROUTER_TTL_SECONDS)
        pipe.set(ROUTER_ID_KEY + script_version, router_id, ex=ROUTER_TTL_SECONDS)
        pipe.execute()


def claim_training(connection: redis.Redis, script_version: str) -> bool:
    """Whether this process is the one to ask a worker to train the version's router (once a while)."""
    return bool(connection.set(ROUTER_TRAINING_KEY + script_version, "1", nx=True, ex=ROUTER_TRAINING_SECONDS))


def published_ids(connection: redis.Redis, script_versions: list[str]) -> dict[str, str | None]:
    """The versions of the routers published for several script versions, in one round trip."""
    if not script_versions:
        return {}
    raw = connection.mget([ROUTER_ID_KEY + version for version in script_versions])
    return {version: value.decode() if value is not None else None for version, value in zip(script_versions, raw)}
