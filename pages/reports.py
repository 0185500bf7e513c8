"""The reports page: a period's figures per department and interval, with charts, the transfers between
departments and a CSV download, for supervisors and administrators.

The same report as `callflow report` (`services/reports.py`); the form is a GET, so a report is a URL a
supervisor can bookmark or send. The charts are matplotlib's SVG put inline, whose drawing is styled by
`style` attributes: this page alone lets inline styles through its Content-Security-Policy (scripts stay
forbidden).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import HTTPException

from callflow.domain.report_tables import TABLE, cell, csv_text, report_rows
from callflow.domain.reports import INTERVALS
from callflow.services import report_charts, reports
from pages import auth, runtime
from pages.auth import login_required
from pages.console import refuse

bp = Blueprint("reports", __name__, url_prefix="/reports")
auth.protect(bp)
bp.register_error_handler(HTTPException, refuse)
PAGE_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"


class Refused(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _asked() -> dict:
    """The form's values as sent, defaulting to today (the line's local day, not the server's)."""
    rt = runtime()
    department = request.args.get("department") or None
    zone = reports.report_zone(rt, reports.line_departments(rt), department)
    today = datetime.fromtimestamp(rt.clock.timestamp(), zone).date()
    return {"from": request.args.get("from") or today.isoformat(),
            "to": request.args.get("to") or (today + timedelta(days=1)).isoformat(),
            "department": request.args.get("department") or "", "interval": request.args.get("interval") or "",
            "short_abandon": request.args.get("short_abandon") or "5"}


def _report(asked: dict) -> dict:
    moments = {}
    for field in ("from", "to"):
        try:
            moments[field] = datetime.fromisoformat(asked[field])
        except ValueError:
            raise Refused(field, f"{field.capitalize()}: {asked[field]!r} is not a date (YYYY-MM-DD or "
                                 "YYYY-MM-DDTHH:MM)") from None
    try:
        short = float(asked["short_abandon"])
    except ValueError:
        raise Refused("short_abandon", "Short abandons: a number of seconds") from None
    try:
        return reports.report(runtime(), moments["from"], moments["to"], asked["department"] or None,
                              asked["interval"] or None, short)
    except reports.ReportInvalid as invalid:
        field = {"short-abandon": "short_abandon"}.get(invalid.option, invalid.option)
        raise Refused(field, f"{field.replace('_', ' ').capitalize()}: {invalid}") from invalid


@bp.get("/")
@login_required("supervisor")
def page():
    """The form, and the report it asks for."""
    asked = _asked()
    names = reports.department_names(runtime())
    context = {"asked": asked, "names": names, "intervals": list(INTERVALS), "columns": TABLE, "cell": cell,
               "report": None, "error": None, "field": None, "charts": {}, "rows": []}
    status = 200
    try:
        result = _report(asked)
        context.update(report=result, rows=report_rows(result), charts=report_charts.charts(result))
    except Refused as refused:
        context.update(error=str(refused), field=refused.field)
        status = 400
    response = Response(render_template("reports.html", **context), status)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


@bp.get("/report.csv")
@login_required("supervisor")
def csv_download():
    """The report's rows as a CSV file, for a spreadsheet."""
    asked = _asked()
    try:
        result = _report(asked)
    except Refused as refused:
        return Response(str(refused) + "\n", 400, mimetype="text/plain")
    name = f"callflow-report-{asked['from'][:10]}-{asked['to'][:10]}.csv"
    return Response(csv_text(result), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
