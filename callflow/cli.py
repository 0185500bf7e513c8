"""The `callflow` command: serve the app, run workers, upgrade the database, lint scripts."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from callflow.settings import Settings


@click.group()
@click.option("--instance", type=click.Path(file_okay=False), envvar="CALLFLOW_INSTANCE",
              help="the instance folder of the embedded defaults (`instance/demo`: the demo's calls and agents)")
def main(instance: str | None) -> None:
    """callflow: contact-centre call flows on Twilio."""
    if instance:  # every command, and the processes it starts, read the instance folder from the environment
        os.environ["CALLFLOW_INSTANCE"] = os.path.abspath(instance)


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema (Alembic migrations)."""
    from callflow.store import db as database

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
    from callflow.store import db as database
    from callflow.store.connections import redis_connection, redis_url_of

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
        subprocess.run([sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_config",
                        "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-",
                        "webapp:create_app()"], env=env, check=False)
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--rate", default=1.0, show_default=True, type=float,
              help="virtual seconds per real second (prompts, holds and estimates play this much faster)")
@click.option("--callers", default=0, show_default=True, type=int,
              help="simulated callers (with robot agents) to fill the queues")
@click.option("--instance", type=click.Path(file_okay=False), help="where the demo keeps its data (wiped)")
def demo(host, port, rate, callers, instance) -> None:
    """The whole product on this machine: local carrier, app, worker, demo agents and a phone in the browser."""
    import signal
    import threading
    from pathlib import Path

    from callflow import demo as demo_mode

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


@main.command()
@click.option("--burst", is_flag=True, help="stop when the queue is empty")
@click.option("--fork", is_flag=True,
              help="run each job in a forked work-horse (isolation, at the cost of cold connections per job)")
def worker(burst: bool, fork: bool) -> None:
    """Run an RQ worker (with its scheduler) for callbacks and summaries.

    Jobs run in the worker process itself by default: they are short and I/O-bound, and a fork per job threw
    away the database, Redis and Twilio connections and the compiled SQL each time (docs/benchmarks.md,
    Callbacks). A worker that dies mid-job loses nothing either way: claims, leases and the sweeper cover it.
    """
    import logging
    import threading
    import time

    import redis
    from rq import SimpleWorker, Worker

    from callflow.jobs import preload
    from callflow.runtime import JOB_QUEUE
    from callflow.services.worker import watch_due_callbacks, watch_sweeper

    settings = Settings.from_env()
    if not settings.database_url:  # the embedded default: its schema is ours to make, as `serve` does
        from callflow.store import db as database

        database.upgrade(settings.effective_database_url())
    runtime = preload()  # built once here and inherited by every job's work-horse
    from callflow import log_masking

    log_masking.install([runtime.settings.twilio_auth_token, runtime.settings.secret_key])
    if not burst:  # the callback sweeper (reclaims what dead workers or a lost Redis left) always runs
        threading.Thread(target=watch_sweeper, args=(runtime,), daemon=True, name="sweeper-watch").start()
        threading.Thread(target=watch_due_callbacks, args=(runtime,), daemon=True, name="callback-timer").start()
    while True:  # Redis going away ends RQ's worker loop ("unhandled exception, quitting"): start another
        rq_worker = (Worker if fork else SimpleWorker)([JOB_QUEUE], connection=runtime.redis)
        try:
            rq_worker.work(burst=burst, with_scheduler=True)
            if burst or rq_worker._stop_requested or rq_worker._shutdown_requested_date is not None:
                return  # asked to stop (SIGTERM, SIGINT), or the burst is done
        except (redis.ConnectionError, redis.TimeoutError):
            pass
        logging.getLogger("callflow.worker").warning("the RQ worker stopped (Redis lost?); starting another")
        while not _pings(runtime.redis):
            time.sleep(1)


def _pings(connection) -> bool:
    """Whether Redis answers now."""
    import redis

    try:
        return bool(connection.ping())
    except (OSError, redis.RedisError):
        return False


@main.command()
@click.argument("paths", nargs=-1)
def lint(paths: tuple[str, ...]) -> None:
    """Check IVR scripts; exit status 1 when any has an error."""
    from callflow.domain.script import lint as script_lint

    settings = Settings.from_env()
    targets = list(paths) or [str(settings.ivr_scripts)]
    sys.exit(script_lint.main(targets, sys.stdout, frozenset(settings.callback_countries)))


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
    from callflow.store.customers import import_customers_csv

    with _runtime().sessions() as session:
        count = import_customers_csv(session, csv_file)
    click.echo(f"imported {count} customers")


@main.group()
def agent() -> None:
    """Agents who take calls: add, list, set presence, remove."""


@agent.command("add")
@click.argument("login")
@click.option("--name", required=True)
@click.option("--reach", required=True, help="E.164 number or client:identity to ring")
@click.option("--departments", required=True, help="comma-separated department ids, preferred first")
@click.option("--role", default="agent", type=click.Choice(["agent", "supervisor", "admin"]))
@click.password_option(envvar="CALLFLOW_AGENT_PASSWORD")
def agent_add(login, name, reach, departments, role, password) -> None:
    """Add an agent."""
    from callflow.store.agents import AgentError, add_agent

    with _runtime().sessions() as session:
        try:
            add_agent(session, login, name, password, reach, departments.split(","), role)
        except AgentError as error:
            raise click.BadParameter(str(error), param_hint=f"--{error.field}") from error
    click.echo(f"added {role} {login}")


@agent.command("list")
def agent_list() -> None:
    """List agents with their presence."""
    from callflow.store.agents import list_agents
    from callflow.store.presence import PresenceBoard

    runtime = _runtime()
    board = PresenceBoard(runtime.redis)
    with runtime.sessions() as session:
        for person in list_agents(session):
            presence = board.get(person.login)
            state = presence.state.value if presence else "offline"
            click.echo(f"{person.login:16} {person.role:10} {state:10} {person.reach:24} {person.departments}")


@agent.command("set-presence")
@click.argument("login")
@click.argument("state", type=click.Choice(["available", "away"]))
@click.option("--back-in", type=click.IntRange(1, 8 * 60), metavar="MINUTES",
              help="Away on a break, back in this many minutes: callers' wait estimates count on it.")
def agent_set_presence(login, state, back_in) -> None:
    """Make an agent available (they are offered the next caller) or away (on a break, with --back-in)."""
    from callflow.services.agents import set_presence

    if back_in and state != "away":
        raise click.BadParameter("only an agent going away can say when they'll be back", param_hint="--back-in")
    try:
        set_presence(_runtime(), login, state, back_in)
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="LOGIN") from error
    click.echo(f"{login} is {state}" + (f", back in {back_in} minutes" if back_in else ""))


@agent.command("remove")
@click.argument("login")
def agent_remove(login) -> None:
    """Remove an agent."""
    from callflow.services.roster import retire

    runtime = _runtime()
    with runtime.sessions() as session:
        try:
            retire(session, runtime.acd, login, runtime.clock.timestamp())
        except LookupError as error:
            raise click.BadParameter(str(error), param_hint="LOGIN") from error
        except ValueError as error:
            raise click.ClickException(f"not removed: {error}") from error
    click.echo(f"removed {login}")


@main.command()
@click.argument("utterances", nargs=-1)
@click.option("--script", "script_path", type=click.Path(exists=True, dir_okay=False),
              help="an IVR script file (default: the default line in IVR_SCRIPTS)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per utterance")
def route(utterances, script_path, as_json) -> None:
    """Show where call steering sends what a caller says, and what they would hear next.

    Reads one utterance per line from standard input when none is given.
    """
    import json
    from datetime import UTC, datetime

    from callflow.domain.script.library import load_library
    from callflow.domain.script.loader import load_script
    from callflow.domain.script.preview import preview
    from callflow.domain.steering.training import router_for_script

    if script_path:
        script = load_script(script_path)
    else:
        script = load_library(Settings.from_env().ivr_scripts).for_number("")
        if script is None:
            raise click.UsageError("no default line in IVR_SCRIPTS; give --script FILE")
    router = router_for_script(script)
    if router is None:
        raise click.UsageError("the script's departments give no example phrases to steer with")
    lines = utterances or tuple(line.strip() for line in sys.stdin if line.strip())
    now = datetime.now(UTC)
    for text in lines:
        result = preview(script, router.steer, text, now)
        if as_json:
            click.echo(json.dumps(result.as_dict()))
        else:
            click.echo(f"{text}\n  {result.decision}: {result.department or '-'} ({result.confidence:.2f})"
                       + (f" or {result.alternative}" if result.alternative else "")
                       + f"\n  caller hears: {result.caller_hears}")


@main.group()
def learned() -> None:
    """Examples call steering learned from transfers: review and remove."""


@learned.command("list")
def learned_list() -> None:
    """Learned examples, newest first."""
    from callflow.store.learning import learned_examples

    with _runtime().sessions() as session:
        for example in learned_examples(session):
            click.echo(f"{example.id:6} {example.label:16} ({example.origin}): {example.text}")


@learned.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8"))
def learned_import(csv_file) -> None:
    """Import labelled past calls (CSV: text,department[,topic]); the routers are retrained.

    The topic is the reason code agents filed, where the centre keeps one: steering learns it too.
    """
    from callflow.services.routers import retrain_every_line
    from callflow.store.learning import HistoryRejected, import_history

    runtime = _runtime()
    departments = runtime.scripts.departments()
    with runtime.sessions() as session:
        try:
            count = import_history(session, csv_file, departments, runtime.clock.now(), name=csv_file.name)
        except HistoryRejected as rejected:
            raise click.ClickException(f"nothing imported: {rejected}") from rejected
    retrain_every_line(runtime)
    click.echo(f"imported {count} examples; routers are being retrained")


@learned.command("remove")
@click.argument("example_id", type=int)
def learned_remove(example_id: int) -> None:
    """Take a learned example out of training; the routers are retrained."""
    from callflow.services.routers import retrain_every_line
    from callflow.store.learning import remove_example

    runtime = _runtime()
    with runtime.sessions() as session:
        if not remove_example(session, example_id):
            raise click.BadParameter(f"no learned example {example_id}", param_hint="EXAMPLE_ID")
    retrain_every_line(runtime)
    click.echo(f"removed example {example_id}; routers are being retrained")


@main.group()
def scripts() -> None:
    """Lines' scripts in the database: import files, export them back, publish a version, see the history."""


def _publish_error(error) -> click.ClickException:
    from callflow.domain.script.problems import ScriptInvalid, errors_in

    if isinstance(error, ScriptInvalid):
        return click.ClickException("not published:\n" + "\n".join(str(p) for p in errors_in(error.problems)))
    return click.ClickException(f"not published: {error}")


@scripts.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--reason", default="", help="why (kept in the history and the audit trail)")
@click.option("--by", default=lambda: os.environ.get("USER", "cli"), show_default="$USER")
def scripts_import(files, reason, by) -> None:
    """Publish script files as new versions (a git checkout going live); each is checked first."""
    from pathlib import Path

    from callflow.domain.script.problems import ScriptInvalid
    from callflow.services import publishing

    runtime = _runtime()
    for file in files:
        with runtime.sessions() as session:
            try:
                script = publishing.import_file(session, Path(file), by, runtime.clock.now(), runtime.scripts,
                                                reason)
            except (ScriptInvalid, publishing.PublishingError) as error:
                raise _publish_error(error) from error
        runtime.scripts_changed()
        click.echo(f"published {Path(file).name}: {script.company}, version {script.version[:12]}")


@scripts.command("export")
@click.option("--to", "folder", default=None, help="folder (default: IVR_SCRIPTS)")
def scripts_export(folder) -> None:
    """Write every line published here back as its YAML file (git-friendly)."""
    from pathlib import Path

    from callflow.services import publishing

    runtime = _runtime()
    with runtime.sessions() as session:
        written = publishing.export_to(session, Path(folder or runtime.settings.ivr_scripts))
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo("nothing published here yet: the files are what is in service")


@scripts.command("publish")
@click.argument("name")
@click.argument("version", type=int)
@click.option("--reason", default="")
@click.option("--by", default=lambda: os.environ.get("USER", "cli"), show_default="$USER")
def scripts_publish(name, version, reason, by) -> None:
    """Put a saved version of a line's script in service (an older one: a rollback)."""
    from callflow.domain.script.problems import ScriptInvalid
    from callflow.services import publishing
    from callflow.store.models import ScriptVersion

    runtime = _runtime()
    with runtime.sessions() as session:
        saved = session.get(ScriptVersion, version)
        if saved is None or saved.name != name:
            raise click.BadParameter(f"no version {version} of {name}", param_hint="VERSION")
        try:
            publishing.publish(session, version, by, runtime.clock.now(), runtime.scripts, reason)
        except (ScriptInvalid, publishing.PublishingError) as error:
            raise _publish_error(error) from error
    runtime.scripts_changed()
    click.echo(f"published {name} version {version}")


@scripts.command("history")
@click.argument("name")
def scripts_history(name) -> None:
    """Who published which version of a line's script, when and why; then every saved version."""
    from callflow.services import publishing

    with _runtime().sessions() as session:
        publications = publishing.publications_of(session, name)
        versions = publishing.versions_of(session, name)
    if not versions:
        click.echo(f"{name}: never saved here; the file in IVR_SCRIPTS is in service")
        return
    for index, (publication, saved) in enumerate(publications):
        live = "  (in service)" if index == 0 else ""
        click.echo(f"{publication.published_at:%Y-%m-%d %H:%M}  published version {saved.id} by "
                   f"{publication.published_by}: {publication.reason or '-'}{live}")
    for saved in versions:
        click.echo(f"{saved.created_at:%Y-%m-%d %H:%M}  saved version {saved.id} by {saved.author}: "
                   f"{saved.note or '-'}")


@main.command("routing-eval", add_help_option=False,
              context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def routing_eval(ctx: click.Context) -> None:
    """Measure call steering on Banking77 and CLINC150 (bench/routing_eval.py; --help for its options)."""
    sys.exit(_bench("routing_eval").main(ctx.args))


@main.command("simulate", add_help_option=False,
              context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def simulate(ctx: click.Context) -> None:
    """Score every wait estimator in a simulated contact centre (bench/simulate.py; --help for its options)."""
    sys.exit(_bench("simulate").main(ctx.args))


def _bench(name: str):
    """A benchmark module from the repository's bench/ folder (benchmarks ship with the source, not the wheel)."""
    import importlib.util
    from pathlib import Path

    for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
        path = root / "bench" / f"{name}.py"
        if path.exists():
            spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
            module = importlib.util.module_from_spec(spec)
            sys.path.insert(0, str(root))
            spec.loader.exec_module(module)
            return module
    raise click.UsageError(f"bench/{name}.py not found: run from a checkout of the callflow repository")


@main.command()
@click.option("--since", type=click.DateTime(), help="only calls that started at or after this time (UTC)")
@click.option("--department", help="only calls that ended with this department")
@click.option("--caller", help="only calls from this number")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON summary per line")
def calls(since, department, caller, limit, as_json) -> None:
    """List call summaries, newest first."""
    import json
    from datetime import UTC

    from callflow.store.summaries import list_summaries

    runtime = _runtime()
    with runtime.sessions() as session:
        found = list_summaries(session, since.replace(tzinfo=UTC) if since else None, department, caller, limit)
    if not found and not as_json:
        click.echo(f"no call summaries in {_safe_url(runtime.settings.effective_database_url())}")
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


def _runtime():
    """This command's connections, once the database's schema is there."""
    from callflow.runtime import Runtime

    settings = Settings.from_env()
    _database_ready(settings)
    return Runtime(settings)


def _database_ready(settings: Settings) -> None:
    """Make sure the schema is there before a command reads or writes the database.

    On the embedded default the command upgrades it, as `serve` does, so a fresh checkout just works. A
    server's schema is the operator's step (`callflow db upgrade`, compose's `migrate`): a command says so
    rather than failing in SQL halfway through.
    """
    from sqlalchemy.exc import OperationalError

    from callflow.store import db as database

    url = settings.effective_database_url()
    if not settings.database_url:
        database.upgrade(url)
        return
    try:
        behind = database.behind(url)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database at {_safe_url(url)}: {error.orig}") from error
    if behind:
        raise click.ClickException(f"the database at {_safe_url(url)} has no schema or an older one: "
                                   "run `callflow db upgrade` first")


def _safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
