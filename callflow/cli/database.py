"""`callflow db`, `callflow customers` and `callflow calls`: the schema, known customers and call summaries."""

from __future__ import annotations

import json
import os
from datetime import UTC

import click

from callflow.cli.connections import command_runtime, safe_url
from callflow.settings import Settings
from callflow.store import db as database
from callflow.store.caller_memory import CallerMemory
from callflow.store.customers import import_customers_csv
from callflow.store.summaries import list_summaries


@click.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema (Alembic migrations)."""
    settings = Settings.from_env()
    database.upgrade(settings.effective_database_url(), revision)
    click.echo(f"database at revision {revision}: {safe_url(settings.effective_database_url())}")


@click.group()
def customers() -> None:
    """Known customers (greeted by name)."""


@customers.command("import")
@click.argument("csv_file", type=click.File("r"))
def customers_import(csv_file) -> None:
    """Import customers from a CSV with `phone,name` columns, and optionally `language` (es-US)."""
    runtime = command_runtime()
    with runtime.sessions() as session:
        count = import_customers_csv(session, csv_file)
    CallerMemory(runtime.redis).forget_names()  # new calls copy the names into Redis again
    click.echo(f"imported {count} customers")


@click.command()
@click.option("--since", type=click.DateTime(), help="only calls that started at or after this time (UTC)")
@click.option("--department", help="only calls that ended with this department")
@click.option("--caller", help="only calls from this number")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON summary per line")
def calls(since, department, caller, limit, as_json) -> None:
    """List call summaries, newest first."""
    runtime = command_runtime()
    with runtime.sessions() as session:
        found = list_summaries(session, since.replace(tzinfo=UTC) if since else None, department, caller, limit)
    if not found and not as_json:
        click.echo(f"no call summaries in {safe_url(runtime.settings.effective_database_url())}")
        if not runtime.settings.database_url and not os.environ.get("CALLFLOW_INSTANCE") \
                and os.path.exists(os.path.join("instance", "demo", "callflow.sqlite3")):
            click.echo("the demo's calls: callflow --instance instance/demo calls")
    for summary in found:
        if as_json:
            click.echo(json.dumps(summary))
            continue
        who = summary["name"] or summary["caller"]
        where = " -> ".join(summary["departments"]) or "-"
        click.echo(f"{summary['started_at'][:19]}  {who:24} {where:32} {summary['outcome'] or '-':18} "
                   f"agents: {', '.join(summary['agents']) or '-'}")
