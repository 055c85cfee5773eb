"""``wfm report``: build report.html from existing CSV tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wfm_cli.commands.common import (
    ConfigOption,
    FormatOption,
    OutputFormat,
    cli_errors,
    emit,
    load_site,
)

_CSV = "CSV (DESIGN.md columns)."


def checked_language(value: str) -> str:
    """``zh-CN`` or ``en`` from ``--lang`` (``zh``, ``zh_CN``, ``en-GB`` ...); bad input
    otherwise (exit 2 naming the flag)."""
    from wfm.config import report_language
    from wfm.errors import InvalidInput

    try:
        return report_language(value)
    except ValueError as error:
        raise InvalidInput(str(error), field="--lang") from None


def report(
    out: Annotated[Path, typer.Option("--out", help="Directory to write report.html into.")],
    forecast: Annotated[Path | None, typer.Option("--forecast", help=f"Forecast {_CSV}")] = None,
    requirement: Annotated[Path | None, typer.Option(
        "--requirement", help=f"Requirement {_CSV}")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help=f"Roster {_CSV}")] = None,
    coverage: Annotated[Path | None, typer.Option("--coverage", help=f"Coverage {_CSV}")] = None,
    adherence: Annotated[Path | None, typer.Option(
        "--adherence", help=f"Adherence {_CSV}")] = None,
    agents: Annotated[Path | None, typer.Option("--agents", help=f"Agents {_CSV}")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help=f"Previous roster {_CSV} (fairness running totals)")] = None,
    leave: Annotated[Path | None, typer.Option("--leave", help=f"Approved leave {_CSV}")] = None,
    history: Annotated[Path | None, typer.Option(
        "--history", help="Interval or record history CSV.")] = None,
    kpi: Annotated[Path | None, typer.Option(
        "--kpi", help="KPI CSV written by `wfm kpi`: adds the service-KPI section.")] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Report language: zh-CN or en (default: the site's language, "
                       "zh-CN unless site.toml says otherwise).")] = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Build one self-contained report.html from whichever tables are given."""
    import pandas as pd

    from wfm.report import build_report, headline_figures
    from wfm.report.inputs import canonical_shift_codes, check_interval_tables
    from wfm.tables import (
        ADHERENCE,
        AGENTS,
        COVERAGE,
        FORECAST,
        LEAVE,
        REQUIREMENT,
        ROSTER,
        TableSpec,
        read_table,
    )

    with cli_errors(output_format):
        site = load_site(config)
        language = checked_language(lang) if lang is not None else site.language

        def read(path: Path | None, spec: TableSpec) -> pd.DataFrame | None:
            return None if path is None else read_table(path, spec, timezone=site.timezone,
                                                        label=str(path))

        tables = {"forecast": read(forecast, FORECAST), "requirement": read(requirement,
                                                                            REQUIREMENT),
                  "roster": read(roster, ROSTER), "coverage": read(coverage, COVERAGE),
                  "adherence": read(adherence, ADHERENCE), "agents": read(agents, AGENTS),
                  "previous": read(previous, ROSTER), "leave": read(leave, LEAVE)}
        # the figures read shift codes and the interval length from the site: refuse tables
        # that do not match it rather than computing with the defaults
        check_interval_tables(site, {str(path): tables[name] for name, path in (
            ("forecast", forecast), ("requirement", requirement), ("coverage", coverage))})
        if tables["roster"] is not None:
            tables["roster"] = canonical_shift_codes(tables["roster"], site, label=str(roster))
        if history is not None:
            from wfm.forecast import load_history

            tables["history"] = load_history(history, site)
        kpi_table = None
        if kpi is not None:
            from wfm.kpi import read_kpi_table

            kpi_table = read_kpi_table(kpi, timezone=site.timezone, label=str(kpi))
        path = build_report(out, config=site, history=tables.get("history"),
                            forecast=tables["forecast"], requirement=tables["requirement"],
                            roster=tables["roster"], coverage=tables["coverage"],
                            adherence=tables["adherence"], agents=tables["agents"],
                            kpi_table=kpi_table,
                            previous=tables["previous"], leave=tables["leave"],
                            language=language)
        figures = headline_figures(requirement=tables["requirement"],
                                   coverage=tables["coverage"], adherence=tables["adherence"],
                                   config=site)
    given = sorted([name for name, table in tables.items() if table is not None]
                   + (["kpi"] if kpi is not None else []))
    summary = {"report": str(path), "tables": given, "language": language, **figures}
    human = [f"wrote {path} from {', '.join(given) or 'no tables'}"]
    human += [f"  {key}: {value}" for key, value in figures.items()]
    emit(summary, output_format, human)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
