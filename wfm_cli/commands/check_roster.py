"""``wfm check-roster``: list every hard-rule violation of a roster; exit 1 when there is one.
It also prints each team's night and weekend-rest spread and the agents outside the fair-share
band (notes, or violations with ``[roster] fairness_band = "hard"``). With ``--list-rules``,
print the rules themselves (the registry of ``wfm.rules``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wfm.errors import InvalidInput
from wfm_cli.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_DOMAIN,
    ConfigOption,
    FormatOption,
    OutputFormat,
    cli_errors,
    emit,
    fail,
    load_site,
)

if TYPE_CHECKING:
    import pandas as pd

    from wfm.tables import TableSpec


def _read(path: Path | None, spec: TableSpec, timezone: str) -> pd.DataFrame | None:
    from wfm.tables import read_table

    return None if path is None else read_table(path, spec, timezone=timezone)


def check_roster_command(
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="Roster CSV to check (required unless --list-rules).")] = None,
    agents: Annotated[Path | None, typer.Option(
        "--agents", help="Agents CSV (required unless --list-rules).")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="Previous roster CSV (its tail extends runs and weeks).")] = None,
    leave: Annotated[Path | None, typer.Option("--leave", help="Approved leave CSV.")] = None,
    fixed: Annotated[Path | None, typer.Option(
        "--fixed", help="Pinned assignments CSV.")] = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="Print every rule (code, configuration key, statement) and exit.")
    ] = False,
) -> None:
    """Check a roster against every hard rule; exit 1 when any rule is broken."""
    from wfm.rules import RULES, check_roster, rules_table_lines
    from wfm.rules.fairness import check_fairness, fairness_figures, fairness_lines
    from wfm.tables import AGENTS, FIXED, LEAVE, ROSTER, read_table
    from wfm.validation import check_known_agents

    if list_rules:
        emit({"rules": [rule.as_dict() for rule in RULES], "count": len(RULES)}, output_format,
             rules_table_lines())
        return
    if roster is None or agents is None:
        missing = " and ".join(f for f, v in (("--roster", roster), ("--agents", agents))
                               if v is None)
        fail(f"missing option {missing} (or give --list-rules)", EXIT_BAD_INPUT, output_format)
    assert roster is not None and agents is not None
    with cli_errors(output_format):
        site = load_site(config)
        timezone = site.timezone
        roster_frame = read_table(roster, ROSTER, timezone=timezone)
        if roster_frame.empty:  # "no violations (0 agents x 0 days)" would read as a pass
            raise InvalidInput("no rows: the roster has a header but no assignments to check",
                               file=str(roster))
        agents_frame = read_table(agents, AGENTS, timezone=timezone)
        previous_frame = _read(previous, ROSTER, timezone)
        leave_frame, fixed_frame = _read(leave, LEAVE, timezone), _read(fixed, FIXED, timezone)
        check_known_agents(leave_frame, agents_frame, table="leave table", label=str(leave))
        check_known_agents(fixed_frame, agents_frame, table="fixed table", label=str(fixed))
        violations = check_roster(
            roster_frame, agents_frame, site, previous=previous_frame,
            leave=leave_frame, fixed=fixed_frame)
        fairness = check_fairness(roster_frame, agents_frame, site, previous=previous_frame,
                                  leave=leave_frame, fixed=fixed_frame)
    notes = []
    if previous_frame is not None and len(roster_frame):
        first_day = min(roster_frame["date"])
        inside = int((previous_frame["date"] >= first_day).sum())
        if inside:
            notes.append(f"note: {inside} row(s) of {previous} fall on or after the roster's "
                         f"first day {first_day}; the roster's own rows are checked there")
    num_agents = int(roster_frame["agent_id"].nunique())
    num_days = int(roster_frame["date"].nunique())
    summary = {"violations": [v.as_dict() for v in violations], "count": len(violations),
               "agents": num_agents, "days": num_days, "notes": notes,
               "fairness": fairness_figures(fairness)}
    fair_lines = fairness_lines(fairness)
    if fairness.hard:  # the agents outside the band are listed with the violations
        fair_lines = [line for line in fair_lines if not line.startswith("violation:")]
    lines = ([f"{v.agent_id}  {v.date}  {v.code}: {v.message}" for v in violations] + notes
             + fair_lines)
    if violations:
        rules = sorted({v.code for v in violations})
        lines.append(f"{len(violations)} violation(s) of {len(rules)} rule(s) "
                     f"({', '.join(rules)}) in {roster} ({num_agents} agents x {num_days} days)")
    else:
        lines.append(f"{roster}: no violations ({num_agents} agents x {num_days} days)")
    emit(summary, output_format, lines)
    if violations:
        raise typer.Exit(EXIT_DOMAIN)


def register(app: typer.Typer) -> None:
    """Add ``check-roster`` to the ``wfm`` command."""
    app.command("check-roster")(check_roster_command)
