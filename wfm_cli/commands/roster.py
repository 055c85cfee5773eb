"""``wfm roster``: plan a roster with the CP-SAT solver and write it with its coverage table."""

from __future__ import annotations

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
    progress,
)


def register(app: typer.Typer) -> None:
    app.command("roster")(roster)


def roster(
    requirement: Annotated[Path, typer.Option("--requirement", help="Requirement CSV.")],
    agents: Annotated[Path, typer.Option("--agents", help="Agents CSV.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Roster CSV to write.")],
    leave: Annotated[Path | None, typer.Option("--leave", help="Approved leave CSV.")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="Previous roster CSV (its tail counts for the rules).")] = None,
    fixed: Annotated[Path | None, typer.Option(
        "--fixed", help="Assignments to pin before solving.")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Solver time limit in seconds.")] = None,
    coverage_out: Annotated[Path | None, typer.Option(
        "--coverage-out", help="Coverage CSV (default <roster stem>.coverage.csv).")] = None,
    address: Annotated[str | None, typer.Option(
        "--address", help="A running Ray cluster (host:port of its head; default "
        "$RAY_ADDRESS) for a large site's team tasks; default: processes on this machine.")
    ] = None,
    config_path: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Plan a roster (agent x day -> shift, queue) for the requirement's dates.

    A large site (see "Large sites, solved team by team" in the planner guide) is solved team
    by team as parallel tasks: on this machine's cores by default, on a Ray cluster with
    --address or RAY_ADDRESS (Ray comes with the "distributed" extra of wfm)."""
    from wfm.staffing.requirements import check_interval_grid
    from wfm.tables import (
        AGENTS,
        COVERAGE,
        FIXED,
        LEAVE,
        REQUIREMENT,
        ROSTER,
        read_table,
        write_table,
    )
    from wfm.validation import check_known_agents

    with cli_errors(output_format):
        check_distinct_paths(
            {"-o/--output": output,
             "--coverage-out": coverage_out or default_sibling(output, ".coverage.csv")},
            {"--requirement": requirement, "--agents": agents, "--leave": leave,
             "--previous": previous, "--fixed": fixed, "--config": config_path})
        config = load_site(config_path, flags={"roster.time_limit_seconds": "--time-limit"},
                           **{"roster.time_limit_seconds": time_limit})
        tz = config.timezone
        tables: dict[str, Any] = {
            "requirement": read_table(requirement, REQUIREMENT, timezone=tz),
            "agents": read_table(agents, AGENTS, timezone=tz),
            "leave": read_table(leave, LEAVE, timezone=tz) if leave else None,
            "previous": read_table(previous, ROSTER, timezone=tz) if previous else None,
            "fixed": read_table(fixed, FIXED, timezone=tz) if fixed else None,
        }
        check_interval_grid(tables["requirement"], config.interval_minutes,
                            label=str(requirement))
        for role, path in (("leave", leave), ("fixed", fixed)):
            check_known_agents(tables[role], tables["agents"], table=f"{role} table",
                               label=str(path))
        warnings = _days_without_requirement(tables["requirement"], config)
        for text in warnings:
            progress(f"warning: {text}")
        from solvers.roster import plan_roster
        from wfm.coverage import describe_gap, staffing_gap

        paths = {"requirement": requirement, "agents": agents, "leave": leave,
                 "previous": previous, "fixed": fixed}
        try:
            solution = plan_roster(tables["requirement"], tables["agents"], config,
                                   leave=tables["leave"], previous=tables["previous"],
                                   fixed=tables["fixed"],
                                   time_limit_seconds=config.roster.time_limit_seconds,
                                   progress=progress, map_tasks=_cluster_tasks(address))
        except InvalidInput as error:  # the solver names inputs by role: name the file
            if error.file in paths and paths[error.file] is not None:
                raise InvalidInput(error.reason, file=str(paths[error.file]), line=error.line,
                                   field=error.field) from None
            raise
        coverage_path = coverage_out or default_sibling(output, ".coverage.csv")
        write_table(solution.assignments, output, ROSTER)
        write_table(solution.coverage, coverage_path, COVERAGE)

        figures = solution.figures
        gap = staffing_gap(solution.coverage, timezone=config.timezone,
                           interval_minutes=config.interval_minutes)
        worst: dict[str, Any] = dict(figures.get("worst_interval") or {})
        capped: list[str] = [str(stage) for stage in figures.get("wall_clock_capped") or []]
        summary = {
            "status": solution.status, "objective": solution.objective,
            "best_bound": solution.best_bound, "gap": solution.gap,
            "lower_bound": solution.lower_bound, "seconds": round(solution.seconds, 3),
            "method": solution.method,
            "shortfall_agent_hours": figures.get("shortfall_agent_hours"),
            "staffing_gap": gap.as_dict(),
            "worst_interval": worst, "penalties": solution.penalties,
            "roster": str(output), "coverage": str(coverage_path), "warnings": warnings,
            "rows": len(solution.assignments),
            "time_limit_reached": capped,
            "fairness": figures.get("fairness"),
        }
        worst_text = (f"{worst.get('interval_start')} {worst.get('queue')} "
                      f"({worst.get('shortfall')} short)" if worst.get("shortfall") else "none")
        emit(summary, output_format, [
            f"status {solution.status} ({solution.method}), objective {solution.objective:g}, "
            f"bound {solution.best_bound:g}, gap {100 * solution.gap:.2f}%, "
            f"{solution.seconds:.1f} s",
            f"coverage lower bound {solution.lower_bound:g}; shortfall "
            f"{figures.get('shortfall_agent_hours', 0):g} agent-hours; worst interval "
            f"{worst_text}",
            *([f"short: {describe_gap(gap)}"] if gap.short else []),
            *[str(line) for line in figures.get("fairness_lines") or []],
            f"wrote {output} ({len(solution.assignments)} rows) and {coverage_path}",
            *([f"time limit reached in {', '.join(capped)}: the roster may differ between "
               "runs (a longer --time-limit or a quieter machine avoids it)"] if capped else []),
        ])  # the warnings went to stderr before solving


def _cluster_tasks(address: str | None) -> Any:
    """Ray's task map when a cluster is named (flag or ``RAY_ADDRESS``), else None: the
    solver's own process pool, which on one machine does what a local Ray instance would
    without its start-up (seconds, more than a team task's share on a small machine)."""
    import os

    address = address or os.environ.get("RAY_ADDRESS") or None
    if address is None:
        return None
    from wfm.parallel import task_map

    return task_map(address=address)


def _days_without_requirement(requirement: Any, config: Any) -> list[str]:
    """Runs of days inside the requirement's span that have no interval at all: they are planned
    as if nobody were needed, which is right for a closed day and wrong for a cut-off export."""
    from datetime import timedelta

    from wfm.calendar import local_naive

    if requirement.empty:
        return []
    days = sorted(set(local_naive(requirement["interval_start"]).date))
    present = set(days)
    missing = [days[0] + timedelta(days=k) for k in range((days[-1] - days[0]).days + 1)
               if days[0] + timedelta(days=k) not in present]
    runs: list[list[Any]] = []
    for day in missing:
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [f"the requirement has no interval on {run[0]}" + (f"..{run[-1]}" if len(run) > 1
                                                              else "")
            + "; those days are planned as if nobody were needed" for run in runs]
