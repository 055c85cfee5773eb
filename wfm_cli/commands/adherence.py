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
    agents: Annotated[Path | None, typer.Option(
        "--agents", help="Agents CSV (agent_id, name, skills): names in the summary, teams "
        "for --exceptions; an event for an agent not in it is an error.")] = None,
    exceptions: Annotated[Path | None, typer.Option(
        "--exceptions", help="Exceptions CSV (agent_id or team, start, end, reason "
        "[, excused_by]): periods excused; their out-of-adherence minutes count as adherent "
        "(cause 'excused'). A team is its skills, ';'-separated (needs --agents).")] = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Adherence, conformance, late start, early leave, overtime and absence per agent-day,
    and the minutes lost to each cause."""
    from wfm.adherence import compute_adherence, reason_items, rounded_rows
    from wfm.states import map_states
    from wfm.tables import (
        ADHERENCE,
        ADHERENCE_EXCEPTIONS,
        AGENTS,
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
            {"--roster": roster, "--events": events, "--sessions": sessions, "--config": config,
             "--agents": agents, "--exceptions": exceptions})
        site = load_site(config, flags={"adherence.grace_minutes": "--grace-minutes"},
                         **{"adherence.grace_minutes": grace_minutes})
        first, last = _day(date_from, "--from"), _day(date_to, "--to")
        timezone = site.timezone
        roster_frame = read_table(roster, ROSTER, timezone=timezone)
        login_path = events if events is not None else sessions
        assert login_path is not None
        login_frame = read_table(login_path, LOGIN_EVENTS if events is not None
                                 else LOGIN_SESSIONS, timezone=timezone)
        if events is not None:   # the site's state names -> wfm's; unknown: exit 2
            login_frame = map_states(login_frame, site.adherence.states, label=str(login_path))
        names: dict[str, str] = {}
        teams = None
        if agents is not None:
            from wfm.teams import team_of

            people = read_table(agents, AGENTS)
            names = {a: n for a, n in zip(people["agent_id"], people["name"], strict=True)
                     if isinstance(n, str) and n}
            teams = {a: team_of(k) for a, k in zip(people["agent_id"], people["skills"],
                                                   strict=True)}
            _check_known(login_frame, set(people["agent_id"]), str(login_path), str(agents))
        excuses = (read_table(exceptions, ADHERENCE_EXCEPTIONS, timezone=timezone)
                   if exceptions is not None else None)
        report = compute_adherence(
            roster_frame, site,
            events=login_frame if events is not None else None,
            sessions=login_frame if sessions is not None else None,
            date_from=first, date_to=last, label=str(login_path), roster_label=str(roster),
            exceptions=excuses, teams=teams, exceptions_label=str(exceptions))
        # minutes to 2 decimals, as the percentages; the causes still sum to the lost minutes
        write_table(rounded_rows(report.rows), output, ADHERENCE)
        # always (re)written, even empty: a problems file left from an earlier run beside the
        # same output would otherwise pass for this run's
        problems_path = problems_out or default_sibling(output, ".problems.csv")
        write_csv_atomic(report.problems, problems_path)
    team = _named(report.team, names)
    team["agents_by_gap"] = reason_items(report.agents, site.adherence.target_pct, names)
    team["excused_minutes"] = team["lost_excused_minutes"]
    team["exceptions"] = _exception_items(excuses)
    emit(_summary(team, output, problems_path), output_format,
         _human(team, output, problems_path))


def _check_known(login: Any, known: set[str], label: str, agents_label: str) -> None:
    """An event (or session) for an agent the agents table does not know is an error naming
    its line and value (and how many other lines there are like it)."""
    unknown = ~login["agent_id"].isin(known).to_numpy()
    if not unknown.any():
        return
    rows = [i for i, bad in enumerate(unknown) if bad]
    value = login["agent_id"].iloc[rows[0]]
    more = f" ({len(rows) - 1} more line(s) with unknown agents)" if len(rows) > 1 else ""
    raise InvalidInput(f"unknown agent {value!r}: not in {agents_label}{more}", file=label,
                       line=int(login.index[rows[0]]) + 2, field="agent_id")


def _exception_items(excuses: Any) -> list[dict[str, Any]]:
    """The exceptions applied, as given: who or which team, when, why, excused by whom."""
    if excuses is None:
        return []
    out = []
    for record in excuses.to_dict("records"):
        out.append({key: (None if value is None or value != value else
                          value.isoformat() if hasattr(value, "isoformat") else str(value))
                    for key, value in record.items()})
    return out


def _named(team: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The team summary with each agent below target given a ``name`` (null when unknown)."""
    below = [{**b, "name": names.get(b["agent_id"])} for b in team["agents_below_target"]]
    return {**team, "agents_below_target": below}


def _summary(team: dict[str, Any], output: Path, problems_path: Path) -> dict[str, Any]:
    return {**team, "output": str(output), "problems_out": str(problems_path)}


CAUSE_WORDS = {"late_start": "late start", "early_leave": "early leave", "absent": "absence",
               "break_overrun": "break overrun", "not_ready": "not ready",
               "other": "logged out mid-shift", "worked_break": "worked through a break",
               "excused": "excused"}
SHOWN = 20


def _below_line(b: dict[str, Any]) -> str:
    who = f"{b['agent_id']} {b['name']}" if b.get("name") else b["agent_id"]
    cause = (f", mostly {CAUSE_WORDS[b['main_cause']]} {b['main_cause_minutes']:.2f} of "
             f"{b['lost_minutes']:.2f} min lost" if b["main_cause"] else "")
    return f"  {who}: {b['adherence_pct']:.2f}% ({b['gap_pct']:.2f} below){cause}"


def _human(team: dict[str, Any], output: Path, problems_path: Path) -> list[str]:
    from wfm.adherence import coverage_warnings

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
    coverage = team["coverage"]
    if coverage.get("events_from"):
        lines.append(f"the login data covers {coverage['events_from']}.."
                     f"{coverage['events_to']} ({coverage['agents_with_events']} agent(s) "
                     "with data)")
    else:
        lines.append("the login data is empty")
    lines.extend(f"warning: {w}" for w in coverage_warnings(coverage))
    lost = team["lost_minutes"]
    if lost:
        values = {c: team["excused_minutes"] if c == "excused" else team[f"lost_{c}_minutes"]
                  for c in CAUSE_WORDS}
        parts = ", ".join(f"{CAUSE_WORDS[c]} {v:.2f}" for c, v in values.items() if v)
        lines.append(f"lost {lost:.2f} min: {parts}")
    if team["exceptions"]:
        lines.append(f"{len(team['exceptions'])} exception(s) applied: "
                     f"{team['excused_minutes']:.2f} min excused (counted as adherent)")
        for e in team["exceptions"][:SHOWN]:
            who = e.get("agent_id") or f"team {e.get('team')}"
            by = f", excused by {e['excused_by']}" if e.get("excused_by") else ""
            lines.append(f"  {who} {e['start']}..{e['end']}: {e['reason']}{by}")
    below = team["agents_below_target"]
    if below:
        lines.append(f"{len(below)} agent(s) below target, largest gap first:")
        lines.extend(_below_line(b) for b in below[:SHOWN])
        if len(below) > SHOWN:
            lines.append(f"  and {len(below) - SHOWN} more (all in --format json)")
    else:
        lines.append("no agent below target")
    if team["problems"]:
        kinds = "; ".join(f"{n} {kind}" for kind, n in team["problems_by_kind"].items())
        lines.append(f"{team['problems']} data problem(s) corrected or skipped ({kinds}), "
                     f"listed in {problems_path}")
    else:
        lines.append(f"no data problems ({problems_path} written with just its header)")
    return lines


def register(app: typer.Typer) -> None:
    """Add ``adherence`` to the ``wfm`` command."""
    app.command("adherence")(adherence_command)
