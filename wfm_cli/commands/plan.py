"""``wfm plan SITE_DIR...``: every site's forecast -> staff -> roster -> check -> report, one task
per site (Ray when installed), a failing site reported while the others finish, and a summary
table over all sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from wfm.errors import InvalidInput
from wfm_cli.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_DOMAIN,
    FormatOption,
    OutputFormat,
    cli_errors,
    emit,
    progress,
)

WorkersOption = Annotated[int | None, typer.Option(
    "--workers", help="Tasks at once: 1 runs in this process; default every core (Ray).")]
AddressOption = Annotated[str | None, typer.Option(
    "--address", help="A running Ray cluster (host:port of its head; default $RAY_ADDRESS, "
    "else a local instance).")]


def plan(
    sites: Annotated[list[Path], typer.Argument(
        help="Site folders: site.toml, history.csv, agents.csv [, leave.csv, "
        "previous_roster.csv, fixed.csv].", show_default=False)],
    out: Annotated[Path, typer.Option(
        "--out", help="Output folder (a subfolder per site).")] = Path("wfm-plan"),
    start: Annotated[str | None, typer.Option(
        "--start", help="First planned day, YYYY-MM-DD (default: the Monday after each "
        "site's history).")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Horizon in weeks (1-52).")] = 1,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Roster solver time limit per site, seconds (default: each "
        "site's site.toml).")] = None,
    wall_cap: Annotated[float | None, typer.Option(
        "--wall-cap", help="Wall-clock safety cap of each solve, seconds (default: the time "
        "limit); set it well above the time limit for rosters that do not depend on the "
        "machine's load.")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Roster random seed for every site (default: each site's).")] = None,
    workers: WorkersOption = None,
    address: AddressOption = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Reports' language: zh-CN or en (default: each site's).")] = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Plan several sites in parallel: forecast, staff, roster, check, report per site."""
    from wfm.parallel import TaskResult, engine_for, run_tasks
    from wfm_cli.commands.report import checked_language
    from wfm_cli.plan import SiteJob, plan_site

    with cli_errors(output_format):
        first = None
        if start is not None:
            from wfm.calendar import parse_date

            first = parse_date(start, "--start")
        if not 1 <= weeks <= 52:
            raise InvalidInput(f"--weeks must be 1-52, got {weeks}")
        if lang is not None:
            lang = checked_language(lang)
        names = [site.resolve().name for site in sites]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InvalidInput(f"two site folders are named {repeated[0]}: their outputs would "
                               f"share {out / repeated[0]}; rename one")
        jobs = [SiteJob(folder=str(site), out_dir=str(out / name), start=first, weeks=weeks,
                        time_limit_seconds=time_limit, wall_cap_seconds=wall_cap, seed=seed,
                        language=lang) for site, name in zip(sites, names, strict=True)]
        engine = engine_for(workers)
        progress(f"planning {len(jobs)} site(s) ({'Ray' if engine == 'ray' else 'in process'})")
        finished = [0]

        def done(result: TaskResult) -> None:
            finished[0] += 1
            name = jobs[result.index].name
            state = (f"done in {result.seconds:.1f} s" if result.ok
                     else f"FAILED: {result.error}")
            progress(f"[{finished[0]}/{len(jobs)}] {name}: {state}")

        results = run_tasks(plan_site, jobs, workers=workers, address=address, on_done=done)
    rows = [_row(job.name, result) for job, result in zip(jobs, results, strict=True)]
    failed = [row for row in rows if row["status"] == "failed"]
    summary = {"sites": rows, "failed": len(failed), "engine": results[0].engine if results
               else engine, "out_dir": str(out), "totals": _totals(rows)}
    emit(summary, output_format, _table(rows) + [f"outputs in {out}/<site>/"])
    if failed:
        bad_input = all(row.get("error_type") in ("SiteInputError", "InvalidInput")
                        for row in failed)
        raise typer.Exit(EXIT_BAD_INPUT if bad_input else EXIT_DOMAIN)


def _row(name: str, result: Any) -> dict[str, Any]:
    if result.ok:
        return {**result.value, "worker": result.worker}
    return {"site": name, "status": "failed", "error": result.error,
            "error_type": result.error_type, "worker": result.worker}


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [row for row in rows if row["status"] != "failed"]
    return {key: round(sum(float(row[key]) for row in ok), 2)
            for key in ("agents", "required_hours", "scheduled_hours", "shortfall_hours",
                        "rule_problems")}


def _table(rows: list[dict[str, Any]]) -> list[str]:
    head = (f"{'site':<16} {'agents':>6} {'required h':>11} {'scheduled h':>12} "
            f"{'shortfall h':>11} {'SL %':>6} {'rule problems':>13}  status")
    lines = [head]
    for row in rows:
        if row["status"] == "failed":
            lines.append(f"{row['site']:<16} failed: {row['error']}")
            continue
        level = row["service_level_pct"]
        lines.append(f"{row['site']:<16} {row['agents']:>6} {row['required_hours']:>11,.1f} "
                     f"{row['scheduled_hours']:>12,.1f} {row['shortfall_hours']:>11,.1f} "
                     f"{'-' if level is None else f'{level:.1f}':>6} "
                     f"{row['rule_problems']:>13}  {row['status']}")
    totals = _totals(rows)
    lines.append(f"{'all sites':<16} {int(totals['agents']):>6} "
                 f"{totals['required_hours']:>11,.1f} {totals['scheduled_hours']:>12,.1f} "
                 f"{totals['shortfall_hours']:>11,.1f} {'':>6} "
                 f"{int(totals['rule_problems']):>13}")
    return lines


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
