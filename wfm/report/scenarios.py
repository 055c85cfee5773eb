"""The what-if scenarios report: one table and two bar charts (FTE, service level) side by
side per scenario, as a standalone ``scenarios.html`` (inline SVG, no scripts)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from wfm.report.build import CSS, _write_atomic
from wfm.report.svg import Axes, bar_chart
from wfm.report.words import Words

COLUMNS = (("scenario", "Scenario"), ("agent_hours", "Agent-hours answering"),
           ("scheduled_agent_hours", "Scheduled agent-hours"), ("fte", "FTE"),
           ("cost", "Cost"), ("service_level_pct", "Service level %"),
           ("asa_seconds", "ASA (s)"), ("occupancy_pct", "Occupancy %"),
           ("abandon_pct", "Abandon rate %"), ("shortfall_hours", "Roster shortfall (h)"))


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return escape(str(value))


def scenarios_html(rows: list[dict[str, Any]], *, language: str = "zh-CN",
                   currency: str = "") -> str:
    """The page for ``rows`` (``wfm.scenarios.evaluate`` results, optionally with
    ``shortfall_hours`` from ``--roster``)."""
    w = Words(language)
    columns = [(key, title) for key, title in COLUMNS
               if any(row.get(key) is not None for row in rows) or key == "scenario"]
    labels = [str(i + 1) for i in range(len(rows))]
    head = "".join(f"<th>{escape(w(title))}</th>" for _, title in columns)
    body = "".join("<tr>" + "".join(
        f"<td>{escape(labels[i])}. {_cell(row[key])}</td>" if key == "scenario"
        else f"<td class=\"num\">{_cell(row.get(key))}</td>" for key, _ in columns) + "</tr>"
        for i, row in enumerate(rows))
    tips = [f"{i + 1}. {row['scenario']}" for i, row in enumerate(rows)]
    fte = bar_chart(w("FTE per scenario"), labels, [float(r["fte"]) for r in rows],
                    ["#4C78A8"] * len(rows), Axes(w("Scenario"), w("FTE")),
                    tooltips=[f"{t}: {r['fte']:,.2f}" for t, r in zip(tips, rows, strict=True)])
    levels = [float(r["service_level_pct"] or 0) for r in rows]
    service = bar_chart(w("Service level per scenario"), labels, levels,
                        ["#54A24B"] * len(rows), Axes(w("Scenario"), w("Service level %")),
                        y_max=100.0,
                        tooltips=[f"{t}: {v:.2f}%" for t, v in zip(tips, levels, strict=True)])
    title = escape(w("What-if scenarios"))
    note = escape(w("Cost in {currency}: scheduled agent-hours × the [cost] hourly rate.",
                    currency=currency)) if currency else ""
    return (f"<!DOCTYPE html>\n<html lang=\"{w.language}\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{CSS}</style></head><body><h1>{title}</h1>"
            f"<p class=\"meta\">{escape(w('{n} scenarios', n=len(rows)))}</p>"
            f"<section>{fte}</section><section>{service}</section>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p class=\"meta\">{note}</p></body></html>\n")


def write_scenarios_report(out_dir: str | Path, rows: list[dict[str, Any]], *,
                           language: str = "zh-CN", currency: str = "") -> Path:
    """Write ``out_dir/scenarios.html`` (atomically); returns its path."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenarios.html"
    _write_atomic(path, scenarios_html(rows, language=language, currency=currency))
    return path
