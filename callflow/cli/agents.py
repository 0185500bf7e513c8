"""`callflow agent`: agents who take calls: add, list, set presence, set languages, remove."""

from __future__ import annotations

import click

from callflow.cli.connections import command_runtime
from callflow.services.agents import set_presence
from callflow.services.roster import languages_changed, retire
from callflow.store.agents import AgentError, add_agent, list_agents
from callflow.store.presence import PresenceBoard


@click.group()
def agent() -> None:
    """Agents who take calls: add, list, set presence, set languages, remove."""


@agent.command("add")
@click.argument("login")
@click.option("--name", required=True)
@click.option("--reach", required=True, help="E.164 number or client:identity to ring")
@click.option("--departments", required=True, help="comma-separated department ids, preferred first")
@click.option("--role", default="agent", type=click.Choice(["agent", "supervisor", "admin"]))
@click.option("--languages", default="", help="comma-separated language tags they take calls in (en-US,es-MX): "
                                            "callers of those languages are offered to them first; none: any caller")
@click.password_option(envvar="CALLFLOW_AGENT_PASSWORD")
def agent_add(login, name, reach, departments, role, languages, password) -> None:
    """Add an agent."""
    with command_runtime().sessions() as session:
        try:
            add_agent(session, login, name, password, reach, departments.split(","), role, languages)
        except AgentError as error:
            raise click.BadParameter(str(error), param_hint=f"--{error.field}") from error
    click.echo(f"added {role} {login}")


@agent.command("list")
def agent_list() -> None:
    """List agents with their presence."""
    runtime = command_runtime()
    board = PresenceBoard(runtime.redis)
    with runtime.sessions() as session:
        for person in list_agents(session):
            presence = board.get(person.login)
            state = presence.state.value if presence else "offline"
            click.echo(f"{person.login:16} {person.role:10} {state:10} {person.reach:24} {person.departments:24} "
                       f"{person.languages or 'any language'}")


@agent.command("set-presence")
@click.argument("login")
@click.argument("state", type=click.Choice(["available", "away"]))
@click.option("--back-in", type=click.IntRange(1, 8 * 60), metavar="MINUTES",
              help="Away on a break, back in this many minutes: callers' wait estimates count on it.")
def agent_set_presence(login, state, back_in) -> None:
    """Make an agent available (they are offered the next caller) or away (on a break, with --back-in)."""
    if back_in and state != "away":
        raise click.BadParameter("only an agent going away can say when they'll be back", param_hint="--back-in")
    try:
        set_presence(command_runtime(), login, state, back_in)
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="LOGIN") from error
    click.echo(f"{login} is {state}" + (f", back in {back_in} minutes" if back_in else ""))


@agent.command("set-languages")
@click.argument("login")
@click.argument("languages", default="")
def agent_set_languages(login, languages) -> None:
    """Set the languages an agent takes calls in (comma-separated tags, en-US,es-MX; none: any caller)."""
    try:
        agent = languages_changed(command_runtime(), login, languages)
    except AgentError as error:
        raise click.BadParameter(str(error), param_hint="LANGUAGES") from error
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="LOGIN") from error
    click.echo(f"{login} takes calls in {', '.join(agent.language_list()) or 'any language'}")


@agent.command("remove")
@click.argument("login")
def agent_remove(login) -> None:
    """Remove an agent."""
    runtime = command_runtime()
    with runtime.sessions() as session:
        try:
            retire(session, runtime.acd, login, runtime.clock.timestamp())
        except LookupError as error:
            raise click.BadParameter(str(error), param_hint="LOGIN") from error
        except ValueError as error:
            raise click.ClickException(f"not removed: {error}") from error
    click.echo(f"removed {login}")
