"""The `callflow` command: serve the app, run workers, upgrade the database, lint scripts."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from callflow.settings import Settings


@click.group()
def main() -> None:
    """callflow: contact-centre call flows on Twilio."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema (Alembic migrations)."""
    from callflow import db as database

    settings = Settings.from_env()
    database.upgrade(settings.effective_database_url(), revision)
    click.echo(f"database at revision {revision}: {_safe_url(settings.effective_database_url())}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--rq-worker/--no-rq-worker", default=None,
              help="also run an RQ worker (default: yes on the embedded default, no when REDIS_URL is set)")
def serve(host: str, port: int, workers: int, rq_worker: bool | None) -> None:
    """Serve the web app (gunicorn) after upgrading the database."""
    from callflow import db as database
    from callflow.connections import redis_connection, redis_url_of

    settings = Settings.from_env()
    database.upgrade(settings.effective_database_url())
    env = dict(os.environ)
    if not settings.redis_url:
        # Start the embedded Redis here and hand its address to every child, so they share one server.
        env["REDIS_URL"] = redis_url_of(redis_connection(settings))
    env.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    children = []
    if rq_worker or (rq_worker is None and not settings.redis_url):
        children.append(subprocess.Popen([sys.executable, "-m", "callflow.cli", "worker"], env=env))
    click.echo(f"callflow answering on http://{host}:{port}/voice/incoming (PUBLIC_URL={env['PUBLIC_URL']})")
    try:
        subprocess.run([sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
                        "--worker-class", "gthread", "--threads", "8", "--access-logfile", "-",
                        "webhooks:create_app()"], env=env, check=False)
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)


@main.command()
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
def worker(burst: bool) -> None:
    """Run an RQ worker (with its scheduler) for callbacks and summaries."""
    from rq import Worker

    from callflow.runtime import JOB_QUEUE, Runtime

    runtime = Runtime(Settings.from_env())
    Worker([JOB_QUEUE], connection=runtime.redis).work(burst=burst, with_scheduler=True)


@main.command()
@click.argument("paths", nargs=-1)
def lint(paths: tuple[str, ...]) -> None:
    """Check IVR scripts; exit status 1 when any has an error."""
    from callflow.script import lint as script_lint

    targets = list(paths) or [str(Settings.from_env().ivr_scripts)]
    sys.exit(script_lint.main(targets, sys.stdout))


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def carrier(ctx: click.Context) -> None:
    """Run the local carrier (a Twilio look-alike) standalone; see --help of callflow.carrier."""
    from callflow.carrier.__main__ import main as carrier_main

    sys.exit(carrier_main(ctx.args))


@main.group()
def customers() -> None:
    """Known customers (greeted by name)."""


@customers.command("import")
@click.argument("csv_file", type=click.File("r"))
def customers_import(csv_file) -> None:
    """Import customers from a CSV with `phone,name` columns."""
    from callflow.customers import import_customers_csv
    from callflow.runtime import Runtime

    runtime = Runtime(Settings.from_env())
    with runtime.sessions() as session:
        count = import_customers_csv(session, csv_file)
    click.echo(f"imported {count} customers")


def _safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
