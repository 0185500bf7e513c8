"""The wallboard: the supervisors' screen across the room, each line's departments now and today, refreshed
every second by polling `/wallboard/data`.

Supervisors and administrators only: agents keep their own queue panel on the console. Every figure is put
into words here, once, for both the first render and the JSON the page polls (`cells`: the cell's text and its
rating), so the script only copies text and a colour class into place.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from callflow.services import wallboard
from pages import auth, runtime
from pages.auth import login_required
from pages.console import duration, refuse

bp = Blueprint("wallboard", __name__)
auth.protect(bp)
bp.register_error_handler(HTTPException, refuse)  # the console's: JSON for the script, a page for a person

POLL_MS = 1000
NOW = (("waiting", "Waiting"), ("longest_wait", "Longest wait"), ("callbacks_waiting", "Callbacks"),
       ("available", "Available"), ("on_call", "On a call"), ("wrap_up", "Wrap-up"), ("away", "Away"))
TODAY = (("offered", "Offered"), ("answered", "Answered"), ("abandoned", "Abandoned"),
         ("service_level", "Service level"), ("asa_seconds", "ASA"), ("aht_seconds", "AHT"),
         ("promises_kept_percent", "Promises kept"), ("first_time_right_percent", "First time right"),
         ("callbacks_connected_percent", "Callbacks connected"))
TILES = ("waiting", "longest_wait", "callbacks_waiting", "available", "on_call", "service_level", "abandoned",
         "asa_seconds")  # a line's total, in big figures above its departments
LABELS = dict(NOW + TODAY)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _shown(row: dict) -> dict[str, tuple[str, str]]:
    """A row's figures as the board shows them: figure -> (text, rating class, '' for none)."""
    now, today, agents, rated = row["now"], row["today"], row["now"]["agents"], row["ratings"]
    texts = {
        "waiting": str(now["waiting"]),
        "longest_wait": duration(now["longest_wait"]),
        "callbacks_waiting": str(now["callbacks_waiting"]),
        "available": str(agents["available"]),
        "on_call": str(agents["on_call"] + agents["ringing"]),  # being rung counts as taken
        "wrap_up": str(agents["wrap_up"]),
        "away": str(agents["away"]),
        "offered": str(today["offered"]),
        "answered": str(today["answered"]),
        "abandoned": "—" if today["abandoned_percent"] is None else
                     f"{_percent(today['abandoned_percent'])} ({today['abandoned']})",
        "service_level": _percent(today["service_level"]),
        "asa_seconds": duration(today["asa_seconds"]),
        "aht_seconds": duration(today["aht_seconds"]),
        "promises_kept_percent": _percent(today["promises_kept_percent"]),
        "first_time_right_percent": _percent(today["first_time_right_percent"]),
        "callbacks_connected_percent": _percent(today["callbacks_connected_percent"]),
    }
    figure_of = {"abandoned": "abandoned_percent"}
    return {figure: (text, rated.get(figure_of.get(figure, figure), "")) for figure, text in texts.items()}


def _keyed(board: dict) -> list[tuple[str, dict]]:
    """Every row with the key its cells are found by: departments by id, lines' totals, the centre's."""
    rows = [("centre", board["total"])]
    for number, line in enumerate(board["lines"]):
        rows.append((f"line-{number}", line["total"]))
        rows += [(department["id"], department) for department in line["departments"]]
    return rows


def _today(board: dict) -> str:
    """Since when today's figures count, and the time they are of (a worker reads them every second or so)."""
    if not board["today_ready"]:
        return "Today's figures are not available yet"
    since = datetime.fromisoformat(board["today_from"])
    of = datetime.fromtimestamp(board["today_at"], since.tzinfo)
    return f"Today since {since:%H:%M}, as of {of:%H:%M:%S}"


def cells(board: dict) -> dict[str, list[str]]:
    """'<row>:<figure>' -> [text, rating] for every figure on the board, and the line saying what today is."""
    figures = {f"{key}:{figure}": list(shown) for key, row in _keyed(board) for figure, shown in _shown(row).items()}
    return figures | {"board:today": [_today(board), ""]}


@bp.get("/wallboard")
@login_required("supervisor")
def page():
    """The wallboard (`?line=` one line's name, for a screen above that line's team)."""
    board = wallboard.board(runtime())
    only = request.args.get("line")
    lines = [(number, line) for number, line in enumerate(board["lines"]) if not only or line["line"] == only]
    return render_template("wallboard.html", board=board, lines=lines, cells=cells(board), now_figures=NOW,
                           today_figures=TODAY, tiles=TILES, labels=LABELS, poll_ms=POLL_MS,
                           show_centre=len(lines) > 1)


@bp.get("/wallboard/data")
@login_required("supervisor")
def data():
    """The board as JSON (the figures and their words), polled by the page every second."""
    board = wallboard.board(runtime())
    return jsonify(board=board, cells=cells(board))
