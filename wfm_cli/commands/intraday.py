"""``wfm intraday``: today's forecast, actuals so far, re-forecast and staffing per interval."""

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


def intraday_command(
    forecast: Annotated[Path, typer.Option("--forecast", help="Forecast CSV (wfm forecast).")],
    actuals: Annotated[Path, typer.Option(
        "--actuals", help="Actuals CSV so far (the wfm kpi --actuals table).")],
    roster: Annotated[Path, typer.Option("--roster", help="Roster CSV of the day.")],
    day: Annotated[str, typer.Option("--date", help="The day to run, YYYY-MM-DD.")],
    leave: Annotated[Path | None, typer.Option(
        "--leave", help="Leave CSV (agent_id, date): these agents are not scheduled.")] = None,
    queue: Annotated[str | None, typer.Option("--queue", help="Only this queue.")] = None,
    events: Annotated[Path | None, typer.Option(
        "--events", help="Login events CSV: adds working_agents, the agents of each queue "
        "whose last state of the day by --now is a working one (on the current interval's "
        "rows), as GET /api/v1/intraday shows.")] = None,
    now: Annotated[str | None, typer.Option(
        "--now", help="Time of the view, HH:MM site time: actuals of intervals ending later "
        "are ignored (default: the end of the last interval with actuals).")] = None,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="Intraday CSV to write.")] = Path("intraday.csv"),
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Per interval and queue: forecast, re-forecast and actual contacts, AHT, agents required,
    scheduled and net, projected service level; the day's totals and the coming short and long
    periods."""
    import pandas as pd

    from wfm.calendar import local_midnight, parse_date
    from wfm.config import parse_clock
    from wfm.csv_writer import format_frame, write_csv_atomic
    from wfm.errors import InvalidInput
    from wfm.intraday import describe_periods, intraday_view, working_column, working_now
    from wfm.kpi.actuals import read_actuals
    from wfm.states import map_states
    from wfm.tables import FORECAST, LEAVE, LOGIN_EVENTS, ROSTER, read_table

    with cli_errors(output_format):
        check_distinct_paths({"-o/--output": output},
                             {"--forecast": forecast, "--actuals": actuals, "--roster": roster,
                              "--leave": leave, "--events": events, "--config": config})
        site = load_site(config)
        tz = site.timezone
        first = parse_date(day, "--date")
        at = None
        if now is not None:
            try:
                minutes = parse_clock(now, name="--now")
            except ValueError as error:
                raise InvalidInput(str(error), field="--now") from error
            at = local_midnight(first, site.tz) + pd.Timedelta(minutes=minutes)
        forecast_frame = read_table(forecast, FORECAST, timezone=tz)
        actuals_frame = read_actuals(actuals, timezone=tz)
        roster_frame = read_table(roster, ROSTER, timezone=tz)
        leave_frame = None if leave is None else read_table(leave, LEAVE, timezone=tz)
        if queue is not None and queue not in set(forecast_frame["queue"].astype(str)):
            raise InvalidInput(f"--queue {queue}: the forecast has no such queue",
                               file=str(forecast), field="queue")
        view = intraday_view(forecast_frame, actuals_frame, roster_frame, site, day=first,
                             now=at, leave=leave_frame, queue=queue,
                             actuals_label=str(actuals))
        table = view.table
        working: dict[str, int] | None = None
        if events is not None:
            event_frame = map_states(read_table(events, LOGIN_EVENTS, timezone=tz),
                                     site.adherence.states, label=str(events))
            known = table[table["status"] == "actual"]
            when = at if at is not None else (
                known["interval_start"].max() + pd.Timedelta(minutes=site.interval_minutes)
                if len(known) else local_midnight(first, site.tz))
            queues = sorted(table["queue"].astype(str).unique())
            working = working_now(event_frame, roster_frame, first, when, queues)
            counts = working_column(table, working, when, site.interval_minutes)
            columns = list(table.columns)
            columns.insert(columns.index("effective_agents") + 1, "working_agents")
            table = table.assign(working_agents=pd.Series(counts, index=table.index)
                                 .astype("Int64"))[columns]
        write_csv_atomic(format_frame(table), output)
    totals = view.totals.to_dict(orient="records")
    known = view.table[view.table["status"] == "actual"]
    through = (known["interval_start"].max() + pd.Timedelta(minutes=site.interval_minutes)
               if len(known) else None)
    summary: dict[str, Any] = {
        "output": str(output), "date": first, "rows": len(view.table),
        "actuals_through": None if through is None else f"{through:%H:%M}",
        "totals": totals,
        "intraday_update": {q: u.record(site.interval_minutes) for q, u in view.updates.items()
                            if u is not None},
        "periods": [p.as_dict() for p in view.periods],
        "working_now": working,
        "text": describe_periods(view.periods)}
    human = [f"wrote {output}: {len(view.table)} rows, {first}, actuals through "
             f"{summary['actuals_through'] or 'none yet'}"]
    for row in totals:
        level = row["projected_service_level"]
        shown = "-" if level != level else f"{100 * level:.1f}%"
        human.append(f"  {row['queue']}: {row['forecast_contacts']:.0f} forecast, "
                     f"{row['reforecast_contacts']:.0f} re-forecast, "
                     f"{row['actual_offered']:.0f} offered so far; short "
                     f"{row['short_agent_hours']:g} / long {row['long_agent_hours']:g} "
                     f"agent-hours; projected service level {shown}")
    for name, update in summary["intraday_update"].items():
        human.append(f"  {name}: {update['arrived']:.0f} arrived by {update['through']} "
                     f"against {update['expected']:.0f} expected: the rest of the day "
                     f"x{update['factor']:.3f}")
    if working is not None:
        human.append("  working now: " + ", ".join(f"{q} {n}" for q, n in working.items()))
    human.append(f"  coming: {summary['text']}")
    emit(summary, output_format, human)


def register(app: typer.Typer) -> None:
    """Add ``intraday`` to the ``wfm`` command."""
    app.command("intraday")(intraday_command)
