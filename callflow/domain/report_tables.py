"""A report as a spreadsheet (CSV) or as a table to read in a terminal: the same rows the page shows.

Rows are each department's (per interval when the report has intervals), then the whole line's, whose
department is `ALL`. Empty cells are figures with no denominator (no answered call, no survey, ...).
"""

from __future__ import annotations

import csv
import io

from callflow.domain.reports import FIGURES

ALL = "all departments"
# What the terminal's table shows, with its heading: the figures a supervisor reads first.
TABLE = (("offered", "offered"), ("answered", "answered"), ("abandoned", "aband"), ("short_abandoned", "short"),
         ("service_level", "SL %"), ("asa_seconds", "ASA s"), ("aht_seconds", "AHT s"),
         ("longest_wait_seconds", "longest"), ("transfers_out", "transf"), ("callbacks_requested", "cb req"),
         ("callbacks_connected", "cb conn"), ("promise_kept_percent", "kept %"),
         ("first_time_right_percent", "FTR %"), ("csat_average", "CSAT"))


def report_rows(report: dict) -> list[dict]:
    """Every row: the departments' then the line's, per interval when there are intervals."""
    if report["rows"]:
        return report["rows"] + [{"department": ALL, **row} for row in report["totals_by_interval"]]
    rows = [{"department": name, "interval": None, **figures} for name, figures in report["departments"].items()]
    return rows + [{"department": ALL, "interval": None, **report["totals"]}]


def cell(value) -> str:
    """A figure as written: whole numbers as they are, others to two decimals, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def csv_text(report: dict) -> str:
    """The report's rows as CSV, one column per figure (docs/reports.md)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["department", "interval", *FIGURES])
    for row in report_rows(report):
        writer.writerow([row["department"], row["interval"] or "", *(cell(row[f]) for f in FIGURES)])
    return out.getvalue()


def table_text(report: dict) -> str:
    """The report for a terminal: the figures, the transfers and the estimate error."""
    period = report["period"]
    lines = [(f"{period['from']} to {period['to']} ({period['time_zone']}), "
             f"{period['interval'] or 'whole period'}; short abandons under {period['short_abandon_seconds']} s")]
    heads = ["department", *(["interval"] if period["interval"] else []), *(head for _, head in TABLE)]
    body = [[row["department"], *([(row["interval"] or "")[:16]] if period["interval"] else []),
             *(cell(row[key]) for key, _ in TABLE)] for row in report_rows(report)]
    widths = [max(len(str(r[i])) for r in [heads, *body]) for i in range(len(heads))]
    for row in [heads, *body]:
        lines.append("  ".join(str(v).ljust(w) if i < 2 else str(v).rjust(w)
                               for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    if report["transfers"]:
        lines += ["", "transfers (from -> to: transfers, warm, cold)"]
        lines += [f"  {t['from']} -> {t['to']}: {t['transfers']}, {t['warm']}, {t['cold']}"
                  for t in report["transfers"]]
    error = report["estimate_error"]
    if error["promises"]:
        lines += ["", (f"estimate error: {error['promises']} promises settled, {error['kept']} kept, "
                      f"{error['broken']} broken; mean error {cell(error['mean_error_seconds'])} s, "
                      f"mean absolute error {cell(error['mean_absolute_error_seconds'])} s")]
    return "\n".join(lines) + "\n"
