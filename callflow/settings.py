"""Configuration, read from the environment once at start-up and passed around as one object.

Secrets (the Twilio auth token, SECRET_KEY) only ever come from here, never from files in the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from callflow.domain.callback_guard import destination_refusal, why_not_dial

TWILIO_DEFAULT_API_URL = "https://api.twilio.com"


@dataclass(frozen=True)
class Settings:
    """Everything a web process, worker or CLI command needs to know about its surroundings."""

    database_url: str | None = None
    redis_url: str | None = None
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: str = ""
    twilio_api_url: str = TWILIO_DEFAULT_API_URL
    public_url: str = "http://127.0.0.1:5000"
    ivr_scripts: Path = Path("ivr_scripts")
    secret_key: str = ""
    clock_rate: float = 1.0
    # Where virtual time begins (ISO 8601), for demos and tests; None = now.
    clock_start: datetime | None = None
    instance_path: Path = Path("instance")
    # Where a caller goes when everything else fails: a number that always reaches a person.
    fallback_number: str | None = None
    # Outbound calls per real second for the whole account (Twilio's default is 1), shared by every worker.
    outbound_calls_per_second: float = 1.0
    # Countries callbacks may ring (ISO 3166 codes), and how many callbacks one number may ask for a day.
    callback_countries: tuple[str, ...] = ("US", "CA", "GB")
    callback_daily_limit: int = 3
    # Real seconds a worker's claim to dial a callback lasts once its outbound slot comes (then it is reclaimed).
    callback_lease_seconds: float = 20.0
    # `callflow demo`: the softphone page and demo data; never on in production.
    demo: bool = False
    # The bearer token Prometheus sends for /metrics (docs/metrics.md); without one /metrics answers 404.
    metrics_token: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None, **overrides) -> Settings:
        """Read CALLFLOW's configuration from the environment; keyword overrides win (tests)."""
        env = os.environ if environ is None else environ
        values = {
            "database_url": env.get("DATABASE_URL") or None,
            "redis_url": env.get("REDIS_URL") or None,
            "twilio_account_sid": env.get("TWILIO_ACCOUNT_SID") or cls.twilio_account_sid,
            "twilio_auth_token": env.get("TWILIO_AUTH_TOKEN", ""),
            "twilio_api_url": (env.get("TWILIO_API_URL") or TWILIO_DEFAULT_API_URL).rstrip("/"),
            "public_url": (env.get("PUBLIC_URL") or cls.public_url).rstrip("/"),
            "ivr_scripts": Path(env.get("IVR_SCRIPTS") or "ivr_scripts"),
            "secret_key": env.get("SECRET_KEY", ""),
            "clock_rate": float(env.get("CALLFLOW_CLOCK_RATE") or 1.0),
            "clock_start": _instant(env.get("CALLFLOW_CLOCK_START")),
            "instance_path": Path(env.get("CALLFLOW_INSTANCE") or "instance").resolve(),
            "fallback_number": env.get("CALLFLOW_FALLBACK_NUMBER") or None,
            "outbound_calls_per_second": float(env.get("CALLFLOW_OUTBOUND_RATE") or 1.0),
            "callback_countries": tuple(c.strip().upper() for c in
                                        (env.get("CALLFLOW_CALLBACK_COUNTRIES") or "US,CA,GB").split(",")
                                        if c.strip()),
            "callback_daily_limit": int(env.get("CALLFLOW_CALLBACK_DAILY_LIMIT") or 3),
            "callback_lease_seconds": float(env.get("CALLFLOW_CALLBACK_LEASE_SECONDS") or 20.0),
            "demo": env.get("CALLFLOW_DEMO", "") in ("1", "true", "yes"),
            "metrics_token": env.get("CALLFLOW_METRICS_TOKEN", ""),
        }
        values.update(overrides)
        _check_fallback(values)
        return cls(**values)

    @property
    def local_carrier(self) -> bool:
        """Calls go through the local carrier (tests, the demo), whose control API drives in-browser phones."""
        return self.twilio_api_url.rstrip("/") != TWILIO_DEFAULT_API_URL

    def effective_database_url(self) -> str:
        """DATABASE_URL, or SQLite in the instance folder (the embedded default)."""
        if self.database_url:
            url = self.database_url
            # Accept the common postgres:// spelling and use psycopg 3.
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://"):]
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            return url
        return f"sqlite:///{self.instance_path / 'callflow.sqlite3'}"


def _check_fallback(values: dict) -> None:
    """The fallback number passes the toll-fraud guard every number we call passes (not with the local
    carrier, whose numbers are fictional)."""
    number = values.get("fallback_number")
    if not number or values.get("twilio_api_url", TWILIO_DEFAULT_API_URL) != TWILIO_DEFAULT_API_URL:
        return
    countries = frozenset(values["callback_countries"])
    refusal = destination_refusal(number, countries)
    if refusal is not None:
        raise ValueError(f"CALLFLOW_FALLBACK_NUMBER: {why_not_dial(number, refusal, countries)}")


def _instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant from the environment; naive means UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"CALLFLOW_CLOCK_START: not an ISO 8601 time: {text!r}") from error
    return value if value.tzinfo else value.replace(tzinfo=UTC)
