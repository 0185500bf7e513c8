"""The `callflow` command group, with each command in its subject's module, imported when it runs."""

from __future__ import annotations

import importlib
import os

import click

# command -> the module of callflow/cli/ that has it, and its name there
COMMANDS = {
    "agent": ("agents", "agent"),
    "calls": ("database", "calls"),
    "carrier": ("serving", "carrier"),
    "customers": ("database", "customers"),
    "db": ("database", "db"),
    "demo": ("serving", "demo"),
    "learned": ("steering", "learned"),
    "report": ("report", "report"),
    "lint": ("scripts", "lint"),
    "route": ("steering", "route"),
    "routing-eval": ("bench", "routing_eval"),
    "scripts": ("scripts", "scripts"),
    "serve": ("serving", "serve"),
    "simulate": ("bench", "simulate"),
    "worker": ("worker", "worker"),
}


class Commands(click.Group):
    """A group whose commands are loaded from their subject's module on first use (start-up stays light:
    the runtime, the database's and the job queue's libraries take over a second to import)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name]
        return getattr(importlib.import_module(f"callflow.cli.{module}"), attribute)


@click.group(cls=Commands)
@click.option("--instance", type=click.Path(file_okay=False), envvar="CALLFLOW_INSTANCE",
              help="the instance folder of the embedded defaults (`instance/demo`: the demo's calls and agents)")
def main(instance: str | None) -> None:
    """callflow: contact-centre call flows on Twilio."""
    if instance:  # every command, and the processes it starts, read the instance folder from the environment
        os.environ["CALLFLOW_INSTANCE"] = os.path.abspath(instance)
