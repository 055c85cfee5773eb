"""One site's planning loop as one task: forecast -> staff -> roster -> check -> report.

``wfm plan`` runs ``plan_site`` for every site folder through ``wfm.parallel.run_tasks`` (a Ray
task per site when Ray is installed). A site folder holds (``docs/planner-guide.md``, "Many
sites"):

``site.toml``            the site configuration (required)
``history.csv``          interval history or contact records (required)
``agents.csv``           the agents (required)
``leave.csv``            approved leave (optional)
``previous_roster.csv``  the roster before the horizon (optional)
``fixed.csv``            assignments pinned before solving (optional)

The stages call the same library functions as ``wfm forecast``, ``wfm staff``, ``wfm roster``,
``wfm check-roster`` and ``wfm report`` (and ``wfm demo``); this module only chains them and
writes each table into the site's output folder. It never prints: the function returns the
site's summary row, and a missing file or a bad row raises ``InvalidInput`` naming the site and
the file. The roster solver (OR-Tools) is imported inside the roster stage, in the task.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import InvalidInput

REQUIRED_FILES = ("site.toml", "history.csv", "agents.csv")
OPTIONAL_FILES = ("leave.csv", "previous_roster.csv", "fixed.csv")
SUMMARY_COLUMNS = ("site", "agents", "days", "required_hours", "scheduled_hours",
                   "shortfall_hours", "service_level_pct", "rule_problems", "status", "seconds")


@dataclass(frozen=True)
class SiteJob:
    """What one site's task needs (plain data, so it travels to a Ray worker)."""

    folder: str
    out_dir: str
    start: date | None = None  # first planned day; default the Monday after the history
    weeks: int = 1
    time_limit_seconds: float | None = None  # default: the site's [roster] time_limit_seconds
    wall_cap_seconds: float | None = None  # default: the time limit (as wfm roster)
    seed: int | None = None  # default: the site's [roster] random_seed
    language: str | None = None

    @property
    def name(self) -> str:
        return Path(self.folder).resolve().name


class SiteInputError(InvalidInput):
    """A site folder misses a file or has a bad one (the message names the site and file)."""


def site_files(job: SiteJob) -> dict[str, Path | None]:
    """The site's input files by name; a missing required file raises ``SiteInputError``."""
    folder = Path(job.folder)
    if not folder.is_dir():
        raise SiteInputError(f"site {job.name}: folder {folder} not found")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise SiteInputError(f"site {job.name}: missing {', '.join(missing)} in {folder} "
                             f"(a site folder holds {', '.join(REQUIRED_FILES)} and optionally "
                             f"{', '.join(OPTIONAL_FILES)})")
    return {name: (folder / name if (folder / name).is_file() else None)
            for name in REQUIRED_FILES + OPTIONAL_FILES}


def plan_site(job: SiteJob) -> dict[str, Any]:
    """Run the site's loop and write forecast.csv, requirement.csv, roster.csv, coverage.csv,
    violations.csv and report.html into ``job.out_dir``; returns the summary row."""
    try:
        return _plan_site(job)
    except InvalidInput as error:
        if str(error).startswith(f"site {job.name}:"):
            raise
        raise SiteInputError(f"site {job.name}: {error}") from None


def _plan_site(job: SiteJob) -> dict[str, Any]:
    from wfm.config import load_config
    from wfm.forecast import forecast_contacts, load_history
    from wfm.report import build_report, headline_figures
    from wfm.rules import check_roster
    from wfm.staffing.requirements import compute_requirements
    from wfm.tables import (
        AGENTS,
        COVERAGE,
        FIXED,
        FORECAST,
        LEAVE,
        REQUIREMENT,
        ROSTER,
        read_table,
        write_csv_atomic,
        write_table,
    )
    from wfm.validation import check_known_agents

    started = time.perf_counter()
    files = site_files(job)
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(job.folder)
    config = load_config(folder / "site.toml")
    overrides = {key: value for key, value in (
        ("roster.random_seed", job.seed),
        ("roster.time_limit_seconds", job.time_limit_seconds)) if value is not None}
    if overrides:
        config = config.with_overrides(**overrides)
    tz = config.timezone

    def optional(name: str, spec: Any) -> pd.DataFrame | None:
        path = files[name]
        return None if path is None else read_table(path, spec, timezone=tz)

    agents = read_table(folder / "agents.csv", AGENTS, timezone=tz)
    leave, previous = optional("leave.csv", LEAVE), optional("previous_roster.csv", ROSTER)
    fixed = optional("fixed.csv", FIXED)
    for role, table in (("leave", leave), ("fixed", fixed)):
        check_known_agents(table, agents, table=f"{role} table", label=str(files[f"{role}.csv"]))

    history = load_history(folder / "history.csv", config)  # forecast
    last_day = history["interval_start"].max().date()
    start = job.start or last_day + timedelta(days=7 - last_day.weekday())  # next Monday
    forecast = forecast_contacts(history, config, start=start, weeks=job.weeks)
    write_table(forecast, out / "forecast.csv", FORECAST)

    requirement = compute_requirements(forecast, config, label=str(out / "forecast.csv"))
    write_table(requirement, out / "requirement.csv", REQUIREMENT)  # staff

    from solvers.roster import plan_roster  # roster (OR-Tools, imported in the task)

    solution = plan_roster(requirement, agents, config, leave=leave, previous=previous,
                           fixed=fixed, time_limit_seconds=config.roster.time_limit_seconds,
                           wall_cap_seconds=job.wall_cap_seconds)
    write_table(solution.assignments, out / "roster.csv", ROSTER)
    write_table(solution.coverage, out / "coverage.csv", COVERAGE)

    queues = sorted(requirement["queue"].astype(str).unique())  # check
    violations = check_roster(solution.assignments, agents, config, previous=previous,
                              leave=leave, fixed=fixed, requirement_queues=queues)
    write_csv_atomic(pd.DataFrame([v.as_dict() for v in violations],
                                  columns=["code", "agent_id", "date", "message"]),
                     out / "violations.csv")

    extra = {"roster_status": solution.status, "rule_violations": len(violations)}
    build_report(out, history=history, forecast=forecast, requirement=requirement,  # report
                 roster=solution.assignments, coverage=solution.coverage, agents=agents,
                 config=config, kpis=extra, previous=previous, leave=leave,
                 language=job.language)
    headline = headline_figures(requirement=requirement, coverage=solution.coverage,
                                config=config)
    hours = config.interval_minutes / 60
    coverage = solution.coverage
    return {
        "site": job.name, "agents": int(agents["agent_id"].nunique()),
        "days": int(solution.assignments["date"].nunique()),
        "start": start.isoformat(),
        "required_hours": round(float(coverage["required"].sum()) * hours, 2),
        "scheduled_hours": round(float(coverage["scheduled"].sum()) * hours, 2),
        "shortfall_hours": round(float(coverage["shortfall"].sum()) * hours, 2),
        "service_level_pct": headline.get("service_level_pct"),
        "rule_problems": len(violations),
        "status": solution.status,
        "time_limit_reached": list(solution.figures.get("wall_clock_capped") or []),
        "seconds": round(time.perf_counter() - started, 2),
        "out_dir": str(out),
    }
