"""`callflow lint` and `callflow scripts`: check script files; move scripts between git and the live service."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from callflow.cli.connections import command_runtime
from callflow.domain.script import lint as script_lint
from callflow.domain.script.problems import ScriptInvalid, errors_in
from callflow.services import publishing
from callflow.settings import Settings


@click.command()
@click.argument("paths", nargs=-1)
def lint(paths: tuple[str, ...]) -> None:
    """Check IVR scripts; exit status 1 when any has an error."""
    settings = Settings.from_env()
    targets = list(paths) or [str(settings.ivr_scripts)]
    sys.exit(script_lint.main(targets, sys.stdout, frozenset(settings.callback_countries)))


@click.group()
def scripts() -> None:
    """Lines' scripts in the database: import files, export them back, publish a version, see the history."""


def _publish_error(error) -> click.ClickException:
    if isinstance(error, ScriptInvalid):
        return click.ClickException("not published:\n" + "\n".join(str(p) for p in errors_in(error.problems)))
    return click.ClickException(f"not published: {error}")


@scripts.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--reason", default="", help="why (kept in the history and the audit trail)")
@click.option("--by", default=lambda: os.environ.get("USER", "cli"), show_default="$USER")
def scripts_import(files, reason, by) -> None:
    """Publish script files as new versions (a git checkout going live); each is checked first."""
    runtime = command_runtime()
    for file in files:
        try:
            script = publishing.import_file(runtime, Path(file), by, reason)
        except (ScriptInvalid, publishing.PublishingError) as error:
            raise _publish_error(error) from error
        click.echo(f"published {Path(file).name}: {script.company}, version {script.version[:12]}")


@scripts.command("export")
@click.option("--to", "folder", default=None, help="folder (default: IVR_SCRIPTS)")
def scripts_export(folder) -> None:
    """Write every line published here back as its YAML file (git-friendly)."""
    runtime = command_runtime()
    written = publishing.export_to(runtime, Path(folder or runtime.settings.ivr_scripts))
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
    runtime = command_runtime()
    try:
        publishing.publish(runtime, version, by, reason, name=name)
    except publishing.NoSuchVersion as error:
        raise click.BadParameter(f"no version {version} of {name}", param_hint="VERSION") from error
    except (ScriptInvalid, publishing.PublishingError) as error:
        raise _publish_error(error) from error
    click.echo(f"published {name} version {version}")


@scripts.command("history")
@click.argument("name")
def scripts_history(name) -> None:
    """Who published which version of a line's script, when and why; then every saved version."""
    publications, versions, _ = publishing.history(command_runtime(), name)
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
