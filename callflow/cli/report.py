"""`callflow report`: a period's figures per department and interval, as a table, CSV or JSON, with charts."""

from __future__ import annotations

import json
from datetime import datetime

import click

from callflow.cli.connections import command_runtime
from callflow.domain.report_tables import csv_text, table_text
from callflow.domain.reports import INTERVALS
from callflow.services import reports
from callflow.services.report_charts import chart_page


def _moment(option: str, value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, the line's "
                                 "local time unless an offset is given)", param_hint=option) from None


@click.command()
@click.option("--from", "start", required=True, metavar="WHEN",
              help="start of the period, included (YYYY-MM-DD[THH:MM], the line's local time)")
@click.option("--to", "end", required=True, metavar="WHEN", help="end of the period, excluded")
@click.option("--department", help="one department (default: every department of every line)")
@click.option("--interval", type=click.Choice(list(INTERVALS)), help="figures per interval (default: the period)")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--chart", type=click.Path(dir_okay=False, writable=True),
              help="write the charts (service level, volumes, estimate error, waits) to this SVG file")
@click.option("--short-abandon", type=click.FloatRange(min=0), default=5, show_default=True,
              help="abandons under this many seconds are short: left out of service level and abandons")
def report(start, end, department, interval, output, chart, short_abandon) -> None:
    """Figures per department and interval over a period (docs/reports.md defines each one)."""
    begins, ends = _moment("--from", start), _moment("--to", end)
    try:
        result = reports.report(command_runtime(), begins, ends, department, interval, short_abandon)
    except reports.ReportInvalid as invalid:
        hint = {"to": "--to", "interval": "--interval", "department": "--department"}.get(invalid.option)
        raise click.BadParameter(str(invalid), param_hint=hint or f"--{invalid.option}") from invalid
    if chart:
        with open(chart, "w", encoding="utf-8") as file:
            file.write(chart_page(result))
    if output == "json":
        click.echo(json.dumps(result, indent=2))
    elif output == "csv":
        click.echo(csv_text(result), nl=False)
    else:
        click.echo(table_text(result), nl=False)
    if chart:
        click.echo(f"charts written to {chart}", err=True)
