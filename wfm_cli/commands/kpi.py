"""``wfm kpi``: the service KPIs from actuals (+ roster and login data, + forecast)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wfm_cli.commands.common import (
    ConfigOption,
    FormatOption,
    OutputFormat,
    check_distinct_paths,
    cli_errors,
    emit,
    load_site,
)


def kpi_command(
    actuals: Annotated[Path, typer.Option(
        "--actuals", help="Actuals CSV per interval and queue (DESIGN.md).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="KPI CSV to write.")],
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="Roster CSV worked in the period (attendance, adherence, staffed "
        "time).")] = None,
    events: Annotated[Path | None, typer.Option(
        "--events", help="Login events CSV (agent_id, timestamp, state).")] = None,
    sessions: Annotated[Path | None, typer.Option(
        "--sessions", help="Login sessions CSV (agent_id, login_time, logout_time).")] = None,
    forecast: Annotated[Path | None, typer.Option(
        "--forecast", help="Forecast CSV: the daily forecast error.")] = None,
    levels: Annotated[str, typer.Option(
        "--levels", help="Comma-separated levels to write: interval, day, period.")]
    = "interval,day,period",
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Service level, ASA, abandon rate, occupancy, AHT, ACW, contacts per agent-hour,
    attendance, adherence and forecast error, each against its target."""
    from wfm.errors import InvalidInput
    from wfm.kpi import compute_kpis, read_actuals, write_kpi_table
    from wfm.states import map_states
    from wfm.tables import FORECAST, LOGIN_EVENTS, LOGIN_SESSIONS, ROSTER, read_table

    with cli_errors(output_format):
        check_distinct_paths({"-o/--output": output},
                             {"--actuals": actuals, "--roster": roster, "--events": events,
                              "--sessions": sessions, "--forecast": forecast,
                              "--config": config})
        if events is not None and sessions is not None:
            raise InvalidInput("give --events or --sessions, not both")
        if (events is not None or sessions is not None) and roster is None:
            raise InvalidInput("--events/--sessions need --roster (the roster they were worked "
                               "under)")
        chosen = tuple(part.strip() for part in levels.split(",") if part.strip())
        site = load_site(config)
        tz = site.timezone
        frame = read_actuals(actuals, timezone=tz, label=str(actuals))
        roster_frame = None if roster is None else read_table(roster, ROSTER, timezone=tz)
        events_frame = None if events is None else map_states(
            read_table(events, LOGIN_EVENTS, timezone=tz), site.adherence.states,
            label=str(events))   # the site's state names -> wfm's; unknown: exit 2
        sessions_frame = (None if sessions is None
                          else read_table(sessions, LOGIN_SESSIONS, timezone=tz))
        forecast_frame = None if forecast is None else read_table(forecast, FORECAST,
                                                                  timezone=tz)
        login = events if events is not None else sessions
        report = compute_kpis(frame, site, roster=roster_frame, events=events_frame,
                              sessions=sessions_frame, forecast=forecast_frame,
                              levels=chosen, label=str(actuals), roster_label=str(roster),
                              events_label=str(login))
        write_kpi_table(report.table, output)
    summary = {**report.summary, "output": str(output)}
    emit(summary, output_format, _human(summary))


def _human(summary: dict[str, Any]) -> list[str]:
    lines = [f"KPIs {summary['date_from']}..{summary['date_to']}: {summary['rows']} rows -> "
             f"{summary['output']}"]
    for group, figures in summary["figures"].items():
        shown = []
        for name, figure in figures.items():
            mark = "" if figure["met"] is None else " ok" if figure["met"] else " MISSED"
            target = "" if figure["target"] is None else f" (target {figure['target']:g})"
            shown.append(f"{name} {figure['value']:g}{target}{mark}")
        lines.append(f"  {group}: " + ", ".join(shown))
    misses = summary["day_misses"]
    lines.append("  days missing a target: " + (", ".join(f"{k} {v}" for k, v in misses.items())
                                                if misses else "none"))
    for name, agents in summary["agents_below_target"].items():
        more = f" and {len(agents) - 10} more" if len(agents) > 10 else ""
        lines.append(f"  {len(agents)} agent(s) below the {name} target: "
                     f"{', '.join(agents[:10])}{more}")
    for note in summary["not_computed"]:
        lines.append(f"  not computed: {note}")
    return lines


def register(app: typer.Typer) -> None:
    """Add ``kpi`` to the ``wfm`` command."""
    app.command("kpi")(kpi_command)
