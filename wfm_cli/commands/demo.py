"""``wfm demo``: the whole planning loop on the bundled fixtures, with an HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wfm_cli.commands.common import (
    EXIT_DOMAIN,
    FormatOption,
    OutputFormat,
    cli_errors,
    emit,
    progress,
)
from wfm_cli.commands.report import checked_language


def demo(
    out: Annotated[Path, typer.Option("--out", help="Directory for the CSVs and report.html.")]
    = Path("wfm-demo"),
    fixtures: Annotated[Path | None, typer.Option(
        "--fixtures", help="Fixtures directory (default: fixtures/ of the source checkout).")]
    = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Roster solver time limit, seconds.")] = 20.0,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Report language: zh-CN or en (default: the site's language).")] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Forecast, staff, roster, check and measure adherence on demo data; write a report."""
    from wfm_cli.demo import run_demo

    with cli_errors(output_format):
        if lang is not None:
            lang = checked_language(lang)
        result = run_demo(out, fixtures_dir=fixtures, time_limit_seconds=time_limit,
                          progress=progress, language=lang)
    summary = result.as_dict()
    human = [f"{'demo finished' if result.ok else 'demo finished with problems'}: {out}/"]
    human += [f"  {s.name:<10} {s.status:<8} {s.seconds:6.1f} s  {s.detail}"
              for s in result.steps]
    for key, label, unit in (("service_level_pct", "service level", "%"),
                             ("occupancy_pct", "occupancy", "%"),
                             ("adherence_pct", "adherence", "%"),
                             ("conformance_pct", "conformance", "%"),
                             ("shortfall_agent_hours", "shortfall", " agent-hours")):
        if result.figures.get(key) is not None:
            human.append(f"  {label}: {result.figures[key]:,.2f}{unit}"
                         + (_below_target(result.figures) if key == "adherence_pct" else ""))
    gap = result.figures.get("staffing_gap") or {}
    if gap.get("agent_hours"):
        human.append(f"  short: {gap['text']}")
    for queue, figures in result.figures.get("service_kpis", {}).items():
        shown = ", ".join(f"{name.removesuffix('_pct')} {f['value']:g}{f['unit']}"
                          + ("" if f["met"] is None else " ok" if f["met"] else " MISSED")
                          for name, f in figures.items() if f["target"] is not None)
        human.append(f"  actuals {queue}: {shown}")
    if "report" in result.files:
        human.append(f"open {result.files['report']} in a browser")
    emit(summary, output_format, human)
    if not result.ok:
        raise typer.Exit(EXIT_DOMAIN)


def _below_target(figures: dict[str, object]) -> str:
    below, measured = figures.get("agents_below_adherence_target"), figures.get("agents_measured")
    if below is None or measured is None:
        return ""
    return f" ({below} of {measured} agents below target)"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
