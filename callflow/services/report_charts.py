"""The report's charts as SVG text: for the reports page (inline) and `callflow report --chart FILE`.

Drawn with matplotlib's Figure alone, off-screen and without pyplot's global state, so web threads may draw at
once; the words stay text in the SVG (small, searchable, read by screen readers).
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

matplotlib.rcParams["svg.fonttype"] = "none"


def _figure():
    figure = Figure(figsize=(8, 3.2))
    return figure, figure.subplots()


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # no XML prolog: the SVG is put inline in HTML


def _intervals(report: dict) -> tuple[list[str], list[dict]]:
    """Each interval's label and the line's figures; the whole period as one bar when there is no interval."""
    rows = report["totals_by_interval"] or [{"interval": "period", **report["totals"]}]
    short = [(r["interval"] or "")[5:16].replace("T", " ") if r["interval"] != "period" else "period"
             for r in rows]
    return short, rows


def _ticks(ax, labels: list[str]) -> None:
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right", fontsize=8)


def service_level_chart(report: dict) -> str:
    """Service level by interval, with the line's target (the strictest department's percent) drawn across."""
    labels, rows = _intervals(report)
    figure, ax = _figure()
    values = [r["service_level"] for r in rows]
    ax.plot(range(len(rows)), [v if v is not None else float("nan") for v in values], marker="o",
            markersize=3, label="service level")
    percents = [t["percent"] for t in report.get("targets", {}).values()]
    if percents:
        ax.axhline(max(percents), color="tab:red", linestyle="--", label=f"target {max(percents)}%")
    ax.set_ylim(0, 105)
    ax.set_ylabel("% answered within target")
    ax.set_title("Service level")
    _ticks(ax, labels)
    ax.legend(loc="lower right", fontsize=8)
    return _svg(figure)


def volumes_chart(report: dict) -> str:
    """Offered, answered and abandoned calls by interval."""
    labels, rows = _intervals(report)
    figure, ax = _figure()
    x = range(len(rows))
    ax.bar([i - 0.27 for i in x], [r["offered"] for r in rows], width=0.27, label="offered")
    ax.bar(list(x), [r["answered"] for r in rows], width=0.27, label="answered")
    ax.bar([i + 0.27 for i in x], [r["abandoned"] for r in rows], width=0.27, label="abandoned")
    ax.set_ylabel("calls")
    ax.set_title("Offered, answered and abandoned")
    _ticks(ax, labels)
    ax.legend(fontsize=8)
    return _svg(figure)


def estimate_error_chart(report: dict) -> str:
    """Settled promises by error (waited minus promised): the honesty of the waits callers were told."""
    bins = report["estimate_error"]["bins"]
    figure, ax = _figure()
    ax.bar(range(len(bins)), [b["promises"] for b in bins], color="tab:purple")
    ax.set_xticks(range(len(bins)))
    ax.set_xticklabels([b["error"] for b in bins], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("promises")
    mean = report["estimate_error"]["mean_error_seconds"]
    ax.set_title("Estimate error (waited - promised)" + (f", mean {mean:+.0f} s" if mean is not None else ""))
    return _svg(figure)


def waits_chart(report: dict) -> str:
    """Answered and abandoned waits in bins."""
    bins = report["waits"]
    figure, ax = _figure()
    x = range(len(bins))
    ax.bar([i - 0.2 for i in x], [b["answered"] for b in bins], width=0.4, label="answered")
    ax.bar([i + 0.2 for i in x], [b["abandoned"] for b in bins], width=0.4, label="abandoned")
    ax.set_xticks(list(x))
    ax.set_xticklabels([b["wait"] for b in bins], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("calls")
    ax.set_title("Waits")
    ax.legend(fontsize=8)
    return _svg(figure)


CHARTS = {"service_level": service_level_chart, "volumes": volumes_chart, "estimate_error": estimate_error_chart,
          "waits": waits_chart}


def charts(report: dict) -> dict[str, str]:
    """Every chart of a report, by name, as SVG text."""
    return {name: draw(report) for name, draw in CHARTS.items()}


def chart_page(report: dict) -> str:
    """All the charts in one SVG document, one under the other, for `--chart FILE`."""
    placed, top, width = [], 0.0, 0.0
    for svg in charts(report).values():
        w, h = (float(_attribute(svg, name).removesuffix("pt")) for name in ("width", "height"))
        head, rest = svg.split(">", 1)
        head = head.replace(_attribute(svg, "width") + '"', f'{w}"', 1).replace(_attribute(svg, "height") + '"',
                                                                               f'{h}"', 1)
        placed.append(f'{head} x="0" y="{top}">{rest}')
        top, width = top + h + 10, max(width, w)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width}pt" height="{top}pt" viewBox="0 0 {width} {top}">{"".join(placed)}</svg>\n')


def _attribute(svg: str, name: str) -> str:
    head = svg[:svg.index(">")]
    return head.split(f' {name}="', 1)[1].split('"', 1)[0]
