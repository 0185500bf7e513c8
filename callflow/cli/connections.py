"""A command's runtime, once the database's schema is there, and database URLs fit to print."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from callflow.runtime import Runtime
from callflow.settings import Settings
from callflow.store import db as database


def command_runtime() -> Runtime:
    """This command's connections, once the database's schema is there."""
    settings = Settings.from_env()
    database_ready(settings)
    return Runtime(settings)


def database_ready(settings: Settings) -> None:
    """Make sure the schema is there before a command reads or writes the database.

    On the embedded default the command upgrades it, as `serve` does, so a fresh checkout just works. A
    server's schema is the operator's step (`callflow db upgrade`, compose's `migrate`): a command says so
    rather than failing in SQL halfway through.
    """
    url = settings.effective_database_url()
    if not settings.database_url:
        database.upgrade(url)
        return
    try:
        behind = database.behind(url)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database at {safe_url(url)}: {error.orig}") from error
    if behind:
        raise click.ClickException(f"the database at {safe_url(url)} has no schema or an older one: "
                                   "run `callflow db upgrade` first")


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
