"""`callflow route` and `callflow learned`: where call steering sends callers, and what it learned."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click

from callflow.cli.connections import command_runtime
from callflow.domain.script.loader import load_script
from callflow.domain.script.preview import preview
from callflow.services import learning, routers


@click.command()
@click.argument("utterances", nargs=-1)
@click.option("--script", "script_path", type=click.Path(exists=True, dir_okay=False),
              help="an IVR script file (default: the default line in IVR_SCRIPTS)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per utterance")
def route(utterances, script_path, as_json) -> None:
    """Show where call steering sends what a caller says, and what they would hear next.

    Reads one utterance per line from standard input when none is given.
    """
    runtime = command_runtime()
    if script_path:
        script = load_script(script_path)
    else:
        script = runtime.script_for_number("")  # the default line as callers get it (files and publications)
        if script is None:
            raise click.UsageError("no default line in IVR_SCRIPTS; give --script FILE")
    steer = routers.preview_router(runtime, script)  # the router callers get: with what steering learned
    if steer is None:
        raise click.UsageError("the script's departments give no example phrases to steer with")
    lines = utterances or tuple(line.strip() for line in sys.stdin if line.strip())
    now = datetime.now(UTC)
    for text in lines:
        result = preview(script, steer, text, now)
        if as_json:
            click.echo(json.dumps(result.as_dict()))
        else:
            click.echo(f"{text}\n  {result.decision}: {result.department or '-'} ({result.confidence:.2f})"
                       + (f" or {result.alternative}" if result.alternative else "")
                       + f"\n  caller hears: {result.caller_hears}")


@click.group()
def learned() -> None:
    """Examples call steering learned from transfers: review and remove."""


@learned.command("list")
def learned_list() -> None:
    """Learned examples, newest first."""
    for example in learning.examples(command_runtime()):
        said_in = f" [{example.language}]" if example.language else ""
        click.echo(f"{example.id:6} {example.label:16} ({example.origin}){said_in}: {example.text}")


@learned.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8"))
def learned_import(csv_file) -> None:
    """Import labelled past calls (CSV: text,department[,topic][,language]); the routers are retrained.

    The topic is the reason code agents filed, where the centre keeps one: steering learns it too. The language
    (es-US) puts the row in that language's router on a line of several; without it, the words' language does.
    """
    try:
        count = learning.import_history(command_runtime(), csv_file, csv_file.name)
    except learning.HistoryRejected as rejected:
        raise click.ClickException(f"nothing imported: {rejected}") from rejected
    click.echo(f"imported {count} examples; routers are being retrained")


@learned.command("remove")
@click.argument("example_id", type=int)
def learned_remove(example_id: int) -> None:
    """Take a learned example out of training; the routers are retrained."""
    if not learning.remove_example(command_runtime(), example_id):
        raise click.BadParameter(f"no learned example {example_id}", param_hint="EXAMPLE_ID")
    click.echo(f"removed example {example_id}; routers are being retrained")
