"""`callflow serve`, `callflow demo` and `callflow carrier`: the web app, the whole product on one machine, and
the local carrier standalone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import click
import redis
from sqlalchemy.exc import SQLAlchemyError

from callflow import demo as demo_mode
from callflow.carrier.__main__ import main as carrier_main
from callflow.runtime import Runtime
from callflow.services import metrics, warm_up
from callflow.settings import Settings
from callflow.store import db as database
from callflow.store.connections import redis_connection, redis_url_of


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--rq-worker/--no-rq-worker", default=None,
              help="also run an RQ worker (default: yes on the embedded default, no when REDIS_URL is set)")
def serve(host: str, port: int, workers: int, rq_worker: bool | None) -> None:
    """Serve the web app (gunicorn) after upgrading the database."""
    settings = Settings.from_env()
    database.upgrade(settings.effective_database_url())
    # One folder of metrics for gunicorn's workers and the RQ worker (docs/metrics.md), a previous run's forgotten.
    metrics.forget_dead(metrics.share_across_processes(settings.instance_path))
    env = dict(os.environ)
    if not settings.redis_url:
        # Start the embedded Redis here and hand its address to every child, so they share one server.
        env["REDIS_URL"] = redis_url_of(redis_connection(settings))
    env.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    _ready_before_traffic(settings)
    children = []
    if rq_worker or (rq_worker is None and not settings.redis_url):
        children.append(subprocess.Popen([sys.executable, "-m", "callflow.cli", "worker"], env=env))
    click.echo(f"callflow answering on http://{host}:{port}/voice/incoming (PUBLIC_URL={env['PUBLIC_URL']})")
    try:
        subprocess.run([sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_config",
                        "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-",
                        "webapp:create_app()"], env=env, check=False)
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)


def _ready_before_traffic(settings: Settings) -> None:
    """Every live script version's router trained and published before the web processes start, so each of
    them only loads it, and the customers' names copied into Redis if it has none (issue 22: no caller waits
    for a training, nor for the database, right after a start)."""
    runtime = Runtime(settings)
    try:
        trained = warm_up.publish_missing(runtime)
        if trained:
            click.echo(f"steering routers trained and published for {len(trained)} script versions")
        copied = warm_up.names_copied(runtime)
        if copied is not None:
            click.echo(f"{copied} customers' names copied into Redis for greetings")
    except redis.RedisError as error:  # each web process then trains its own before it serves
        click.echo(f"could not ready the steering routers and customers' names before start: {error}", err=True)
    except SQLAlchemyError as error:  # new calls read their own row until a worker copies the names
        click.echo(f"could not copy the customers' names before start: {error}", err=True)
    finally:
        runtime.close()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--rate", default=1.0, show_default=True, type=float,
              help="virtual seconds per real second (prompts, holds and estimates play this much faster)")
@click.option("--callers", default=0, show_default=True, type=int,
              help="simulated callers (with robot agents) to fill the queues")
@click.option("--instance", type=click.Path(file_okay=False), help="where the demo keeps its data (wiped)")
def demo(host, port, rate, callers, instance) -> None:
    """The whole product on this machine: local carrier, app, worker, demo agents and a phone in the browser."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    running = demo_mode.start(host, port, rate, Path(instance) if instance else None,
                              rq_workers=2 if callers else 1, out=click.echo)
    try:
        if callers:
            demo_mode.robots(running, min(9, max(3, callers // 8)), rate)
            demo_mode.callers(running, callers, stop)
            click.echo(f"{callers} simulated callers are ringing in; robot agents answer them.")
        while not stop.wait(1.0):
            if any(child.poll() is not None for child in running.children):
                raise click.ClickException(f"a demo process stopped; see {running.log}")
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        running.stop()


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def carrier(ctx: click.Context) -> None:
    """Run the local carrier (a Twilio look-alike) standalone; see --help of callflow.carrier."""
    sys.exit(carrier_main(ctx.args))
