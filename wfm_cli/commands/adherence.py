"""``wfm adherence``: schedule adherence per agent and date from a roster and login data."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from wfm.errors import InvalidInput
from wfm_cli.commands.common import (
    ConfigOption,
    FormatOption,
    OutputFormat,
    check_distinct_paths,
    cli_errors,
    default_sibling,
    emit,
    load_site,
)


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    from wfm.calendar import parse_date  # the date forms every table and flag takes

    return parse_date(text, flag)


def adherence_command(
    roster: Annotated[Path, typer.Option("--roster", help="Roster CSV (agent_id, date, shift).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Adherence CSV to write.")],
    events: Annotated[Path | None, typer.Option(
        "--events", help="Login events CSV (agent_id, timestamp, state).")] = None,
    sessions: Annotated[Path | None, typer.Option(
        "--sessions", help="Login sessions CSV (agent_id, login_time, logout_time).")] = None,
    grace_minutes: Annotated[float | None, typer.Option(
        "--grace-minutes", help="Out-of-adherence episodes this short count as adherent.")
    ] = None,
    date_from: Annotated[str | None, typer.Option(
        "--from", help="First date of the period (default: the roster's first date).")] = None,
    date_to: Annotated[str | None, typer.Option(
        "--to", help="Last date of the period (default: the roster's last date).")] = None,
    problems_out: Annotated[Path | None, typer.Option(
        "--problems-out", help="Where to write the data problems (default: "
        "<output stem>.problems.csv beside the output; always written, with just the header "
        "when there are none, so it never holds an earlier run's problems).")] = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Adherence, conformance, late start, early leave, overtime and absence per agent-day."""
    from wfm.adherence import compute_adherence
    from wfm.tables import (
        ADHERENCE,
        LOGIN_EVENTS,
        LOGIN_SESSIONS,
        ROSTER,
        read_table,
        write_csv_atomic,
        write_table,
    )

    with cli_errors(output_format):
        if (events is None) == (sessions is None):
            raise InvalidInput("give --events or --sessions (exactly one of them)")
        check_distinct_paths(
            {"-o/--output": output,
             "--problems-out": problems_out or default_sibling(output, ".problems.csv")},
            {"--roster": roster, "--events": events, "--sessions": sessions, "--config": config})
        site = load_site(config, flags={"adherence.grace_minutes": "--grace-minutes"},
                         **{"adherence.grace_minutes": grace_minutes})
        first, last = _day(date_from, "--from"), _day(date_to, "--to")
        timezone = site.timezone
        roster_frame = read_table(roster, ROSTER, timezone=timezone)
        login_path = events if events is not None else sessions
        assert login_path is not None
        login_frame = read_table(login_path, LOGIN_EVENTS if events is not None
                                 else LOGIN_SESSIONS, timezone=timezone)
        report = compute_adherence(
            roster_frame, site,
            events=login_frame if events is not None else None,
            sessions=login_frame if sessions is not None else None,
            date_from=first, date_to=last, label=str(login_path), roster_label=str(roster))
        write_table(report.rows, output, ADHERENCE)
        # always (re)written, even empty: a problems file left from an earlier run beside the
        # same output would otherwise pass for this run's
        problems_path = problems_out or default_sibling(output, ".problems.csv")
        write_csv_atomic(report.problems, problems_path)
    emit(_summary(report.team, output, problems_path), output_format,
         _human(report.team, output, problems_path))


def _summary(team: dict[str, Any], output: Path, problems_path: Path) -> dict[str, Any]:
    return {**team, "output": str(output), "problems_out": str(problems_path)}


def _human(team: dict[str, Any], output: Path, problems_path: Path) -> list[str]:
    def pct(value: float) -> str:
        return "n/a" if value != value else f"{value:.2f}%"

    lines = [
        f"adherence {team['date_from']}..{team['date_to']}: {team['agents']} agents, "
        f"{team['agent_days_scheduled']} scheduled agent-days -> {output}",
        f"team adherence {pct(team['adherence_pct'])}, conformance "
        f"{pct(team['conformance_pct'])} (target {team['target_pct']:g}%, grace "
        f"{team['grace_minutes']:g} min)",
        f"scheduled {team['scheduled_minutes']:.1f} min, in adherence "
        f"{team['in_adherence_minutes']:.1f} min, worked on shifts "
        f"{team['working_minutes']:.1f} min, overtime {team['overtime_minutes']:.1f} min, "
        f"absent days {team['absent_days']}, episodes {team['episodes']}",
    ]
    if team["unscheduled_working_minutes"]:
        lines.append(f"unscheduled work {team['unscheduled_working_minutes']:.1f} min "
                     "(attributed to no shift: rest days, agents not on the roster; not in "
                     "conformance or overtime)")
    below = team["agents_below_target"]
    if below:
        shown = ", ".join(f"{b['agent_id']} {b['adherence_pct']:.2f}%" for b in below[:20])
        more = f" and {len(below) - 20} more" if len(below) > 20 else ""
        lines.append(f"{len(below)} agent(s) below target: {shown}{more}")
    else:
        lines.append("no agent below target")
    if team["problems"]:
        lines.append(f"{team['problems']} data problem(s) corrected or skipped, listed in "
                     f"{problems_path}")
    else:
        lines.append(f"no data problems ({problems_path} written with just its header)")
    return lines


def register(app: typer.Typer) -> None:
    """Add ``adherence`` to the ``wfm`` command."""
    app.command("adherence")(adherence_command)
