"""``wfm scenarios``: staff one forecast under a grid of what-if scenarios (service level,
answer-within, occupancy cap, shrinkage, volume, AHT, patience, chat concurrency), each scenario
a task (Ray when installed); with ``--roster``, re-solve the roster per scenario with the
site's agents to show the shortfall."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from wfm_cli.commands.common import (
    ConfigOption,
    FormatOption,
    OutputFormat,
    cli_errors,
    emit,
    load_site,
    progress,
)
from wfm_cli.commands.plan import AddressOption, WorkersOption


def _values(text: str | None) -> list[float] | None:
    return None if text is None else [float(v) for v in text.split(",") if v.strip()]


def _list_option(flag: str, help_text: str) -> Any:
    return typer.Option(flag, help=f"{help_text} (comma-separated values).")


def scenarios(
    forecast: Annotated[Path, typer.Option("--forecast", help="Forecast CSV (DESIGN.md).")],
    grid: Annotated[Path | None, typer.Option(
        "--grid", help="Grid TOML, e.g. shrinkage = [0.25, 0.30]; flags add or replace "
        "keys.")] = None,
    service_level: Annotated[str | None, _list_option(
        "--service-level", "Service-level targets, e.g. 0.8,0.9")] = None,
    answer_within: Annotated[str | None, _list_option(
        "--answer-within", "Answer-within seconds of phone queues")] = None,
    max_occupancy: Annotated[str | None, _list_option(
        "--max-occupancy", "Occupancy caps")] = None,
    shrinkage: Annotated[str | None, _list_option("--shrinkage", "Shrinkage")] = None,
    volume_factor: Annotated[str | None, _list_option(
        "--volume-factor", "Contact volume factors, e.g. 0.9,1,1.1")] = None,
    aht_factor: Annotated[str | None, _list_option("--aht-factor", "AHT factors")] = None,
    patience: Annotated[str | None, _list_option(
        "--patience", "Patience seconds (> 0: Erlang A on phone queues)")] = None,
    max_concurrency: Annotated[str | None, _list_option(
        "--max-concurrency", "Chats per agent on chat queues")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write the scenario table as CSV.")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write DIR/scenarios.html (table and charts).")] = None,
    roster: Annotated[bool, typer.Option(
        "--roster", help="Also solve the roster per scenario (needs --agents) for its "
        "shortfall.")] = False,
    agents: Annotated[Path | None, typer.Option("--agents", help="Agents CSV.")] = None,
    leave: Annotated[Path | None, typer.Option("--leave", help="Approved leave CSV.")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="Previous roster CSV.")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Roster time limit per scenario, seconds.")] = None,
    workers: WorkersOption = None,
    address: AddressOption = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Report language: zh-CN or en (default: the site's).")] = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Compare staffing scenarios over one forecast: hours, FTE, cost, SL, ASA, occupancy."""
    from wfm.errors import InvalidInput
    from wfm.parallel import TaskResult, run_tasks
    from wfm.scenarios import check_grid, evaluate_task, expand_grid, prepare_load, read_grid
    from wfm.tables import FORECAST, read_table, write_csv_atomic

    with cli_errors(output_format):
        site = load_site(config)
        table: dict[str, Any] = dict(read_grid(grid)) if grid is not None else {}
        flags = {"service_level": service_level, "answer_within_seconds": answer_within,
                 "max_occupancy": max_occupancy, "shrinkage": shrinkage,
                 "volume_factor": volume_factor, "aht_factor": aht_factor,
                 "patience_seconds": patience, "max_concurrency": max_concurrency}
        for key, text in flags.items():
            try:
                values = _values(text)
            except ValueError:
                raise InvalidInput(f"--{key.replace('_', '-')} takes comma-separated numbers, "
                                   f"got {text!r}") from None
            if values is not None:
                table[key] = values
        checked = check_grid(table, label=str(grid) if grid else "command-line flags")
        cases = expand_grid(checked, site)
        if roster and agents is None:
            raise InvalidInput("--roster needs --agents (the site's agents CSV)")
        frame = read_table(forecast, FORECAST, timezone=site.timezone)
        load = prepare_load(frame, site, label=str(forecast))
        progress(f"{len(cases)} scenario(s) over {len(load.queues)} queue(s)")
        finished = [0]

        def done(result: TaskResult) -> None:
            finished[0] += 1
            state = "done" if result.ok else f"FAILED: {result.error}"
            progress(f"[{finished[0]}/{len(cases)}] {cases[result.index].name}: {state}")

        # staffing a grid takes seconds in process, less than a Ray instance takes to start:
        # it goes to Ray when asked (--workers, --address, RAY_ADDRESS); roster solves always
        asked = workers is not None or address or os.environ.get("RAY_ADDRESS")
        results = run_tasks(evaluate_task, cases, workers=workers if asked else 1,
                            address=address, shared=(load, site), on_done=done)
        rows = [r.value if r.ok else {"scenario": cases[r.index].name, "error": r.error}
                for r in results]
        if roster:
            _add_rosters(rows, cases, frame, site, agents=agents, leave=leave,
                         previous=previous, time_limit=time_limit, workers=workers,
                         address=address)
        flat = [{k: v for k, v in row.items() if k != "queues"} for row in rows]
        if output is not None:
            import pandas as pd

            write_csv_atomic(pd.DataFrame(flat), output)
        report_path = None
        if report is not None:
            from wfm.report.scenarios import write_scenarios_report
            from wfm_cli.commands.report import checked_language

            ok_rows = [row for row in rows if "error" not in row]
            report_path = write_scenarios_report(
                report, ok_rows, language=checked_language(lang) if lang else site.language,
                currency=site.cost.currency if site.cost.hourly_rate or site.cost.queue_rates
                else "")
    summary = {"scenarios": rows, "count": len(rows), "engine": results[0].engine
               if results else None, "output": output, "report": report_path}
    emit(summary, output_format, _lines(flat) + ([f"wrote {output}"] if output else [])
         + ([f"open {report_path} in a browser"] if report_path else []))
    if any("error" in row for row in rows):
        raise typer.Exit(1)


def _add_rosters(rows: list[dict[str, Any]], cases: list[Any], frame: Any, site: Any,
                 **options: Any) -> None:
    """Solve the roster of each scenario's requirement (one task each) and add its shortfall."""
    from wfm.parallel import run_tasks
    from wfm.tables import AGENTS, LEAVE, ROSTER, read_table
    from wfm_cli.scenario_roster import RosterCase, roster_task

    tz = site.timezone
    tables = {"agents": read_table(options["agents"], AGENTS, timezone=tz),
              "leave": read_table(options["leave"], LEAVE, timezone=tz)
              if options["leave"] else None,
              "previous": read_table(options["previous"], ROSTER, timezone=tz)
              if options["previous"] else None}
    jobs = [RosterCase(scenario=case, time_limit_seconds=options["time_limit"])
            for case in cases]

    def done(result: Any) -> None:
        state = "roster done" if result.ok else f"roster FAILED: {result.error}"
        progress(f"{cases[result.index].name}: {state}")

    results = run_tasks(roster_task, jobs, workers=options["workers"],
                        address=options["address"], shared=(frame, site, tables), on_done=done)
    for row, result in zip(rows, results, strict=True):
        if result.ok:
            row.update(result.value)
        else:
            row["error"] = f"roster: {result.error}"


def _lines(rows: list[dict[str, Any]]) -> list[str]:
    def show(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    lines = [f"{'#':>3} {'scenario':<40} {'agent-h':>10} {'sched-h':>10} {'FTE':>8} "
             f"{'cost':>12} {'SL %':>6} {'ASA s':>6} {'occ %':>6} {'aband %':>7}"
             + (f" {'short h':>8}" if any("shortfall_hours" in r for r in rows) else "")]
    for i, row in enumerate(rows, 1):
        if "error" in row and "fte" not in row:
            lines.append(f"{i:>3} {row['scenario']:<40} failed: {row['error']}")
            continue
        line = (f"{i:>3} {row['scenario'][:40]:<40} {row['agent_hours']:>10,.0f} "
                f"{row['scheduled_agent_hours']:>10,.0f} {row['fte']:>8,.1f} "
                f"{show(row['cost'], ',.0f'):>12} {show(row['service_level_pct'], '.1f'):>6} "
                f"{show(row['asa_seconds'], '.1f'):>6} {show(row['occupancy_pct'], '.1f'):>6} "
                f"{show(row['abandon_pct'], '.2f'):>7}")
        if "shortfall_hours" in row:
            line += f" {show(row.get('shortfall_hours'), ',.1f'):>8}"
        if "error" in row:
            line += f"  {row['error']}"
        lines.append(line)
    return lines


def register(app: typer.Typer) -> None:
    app.command("scenarios")(scenarios)
