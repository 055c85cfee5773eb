"""The planner's whole loop on the demo fixtures: forecast → staff → roster → check → adherence →
report.

``run_demo`` reads the committed fixtures (``fixtures/`` beside the package in a source checkout),
runs each stage with the library functions, writes every table as CSV plus ``report.html`` into
one directory, and returns what happened step by step. It never prints: progress goes to the
``progress`` callback.

Adherence is measured against ``fixtures/roster_week.csv``, the roster the ACD events were
generated from, not against the freshly solved roster: events record what agents did under the
roster they were given, so holding them against a different roster would only measure the
difference between two rosters. The solved roster is what the report shows for planning.

The service KPIs (``wfm kpi``) are computed in the adherence step from ``fixtures/actuals.csv``,
what the chat platform recorded in the same simulated week under the same roster and events,
with the forecast made in the first step for the daily forecast error; the report shows them.

The roster solver lives in ``solvers`` (it needs OR-Tools), so it is imported inside the roster
step, never at import time, as the CLI does (DESIGN.md, "Layout").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.config import SiteConfig, load_config
from wfm.errors import InvalidInput, WfmError
from wfm.tables import (
    ADHERENCE,
    AGENTS,
    COVERAGE,
    FORECAST,
    LEAVE,
    LOGIN_EVENTS,
    REQUIREMENT,
    ROSTER,
    read_table,
    write_csv_atomic,
    write_table,
)

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_FILES = ("site.toml", "history.csv", "agents.csv", "leave.csv", "previous_roster.csv",
                 "roster_week.csv", "events.csv", "actuals.csv")
DEFAULT_TIME_LIMIT_SECONDS = 20.0
VIOLATION_COLUMNS = ["code", "agent_id", "date", "message"]
PROBLEM_COLUMNS = ["file", "line", "agent_id", "problem", "action"]

Progress = Callable[[str], None]


@dataclass
class Step:
    """The outcome of one stage: ``done``, ``failed`` (with the error) or ``skipped``."""

    name: str
    status: str = "skipped"
    seconds: float = 0.0
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "seconds": round(self.seconds, 2),
                "detail": self.detail}


@dataclass
class DemoResult:
    """What ``run_demo`` produced: files written, step outcomes and headline figures."""

    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(step.status == "done" for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "out_dir": str(self.out_dir),
                "files": {k: str(v) for k, v in self.files.items()},
                "steps": [s.as_dict() for s in self.steps], **self.figures}


def locate_fixtures(fixtures_dir: str | Path | None = None) -> Path:
    """The fixtures directory: ``fixtures_dir`` or the checkout's ``fixtures/``.

    The fixtures are not shipped inside the wheel; an installed (non-editable) package finds
    them only when given ``fixtures_dir`` (``wfm demo --fixtures DIR``).
    """
    folder = Path(fixtures_dir) if fixtures_dir is not None else FIXTURES_DIR
    missing = [name for name in FIXTURE_FILES if not (folder / name).is_file()]
    if missing:
        raise InvalidInput(f"demo fixtures not found in {folder} (missing {', '.join(missing)}); "
                           "run from a source checkout installed with `pip install -e .`, or "
                           "pass --fixtures pointing at the repository's fixtures/ directory")
    return folder


class _Run:
    """Runs the stages in order, timing each and keeping going after a failure when it can."""

    def __init__(self, result: DemoResult, progress: Progress) -> None:
        self.result = result
        self.progress = progress
        self.total = 6

    def step(self, name: str, action: Callable[[], str], *, needs: tuple[Any, ...] = ()) -> None:
        number = len(self.result.steps) + 1
        step = Step(name)
        self.result.steps.append(step)
        if any(item is None for item in needs):
            step.detail = "skipped: an earlier step did not produce its input"
            self.progress(f"[{number}/{self.total}] {name}: {step.detail}")
            return
        self.progress(f"[{number}/{self.total}] {name} ...")
        started = time.perf_counter()
        try:
            step.detail = action()
            step.status = "done"
        except (WfmError, ImportError) as error:
            step.status = "failed"
            kind = "not available" if isinstance(error, ImportError) else type(error).__name__
            step.detail = f"{kind}: {error}"
        step.seconds = time.perf_counter() - started
        self.progress(f"[{number}/{self.total}] {name}: {step.status} in {step.seconds:.1f} s"
                      f" - {step.detail}")


def run_demo(out_dir: str | Path, *, fixtures_dir: str | Path | None = None,
             time_limit_seconds: float | None = DEFAULT_TIME_LIMIT_SECONDS,
             progress: Progress | None = None,
             planner: Callable[..., Any] | None = None,
             language: str | None = None) -> DemoResult:
    """Run the whole planning loop on the fixtures and write its outputs into ``out_dir``.

    Parameters
    ----------
    out_dir
        Output directory (created). Receives forecast.csv, requirement.csv, roster.csv,
        coverage.csv, violations.csv, adherence.csv, adherence_problems.csv, kpi.csv (the
        service KPIs of ``fixtures/actuals.csv``, computed in the adherence step) and
        report.html.
    fixtures_dir
        Where the fixtures are (default: ``fixtures/`` of the source checkout).
    time_limit_seconds
        Roster solver time limit (default 20 s; None: the site file's value).
    progress
        Called with one line of text as each step starts and ends.
    planner
        The roster planner (default: ``solvers.roster.plan_roster``, imported lazily).
    language
        The report's language (``zh-CN`` or ``en``; default: the site file's ``language``).

    Returns
    -------
    DemoResult
        Files written, the status of each step and the headline figures.
    """
    say = progress or (lambda _message: None)
    folder = locate_fixtures(fixtures_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = load_config(folder / "site.toml")
    tables = _read_fixtures(folder, config)
    result = DemoResult(out_dir=out)
    run = _Run(result, say)
    state: dict[str, Any] = {}

    def write(name: str, frame: pd.DataFrame, spec: Any = None) -> None:
        path = out / name
        if spec is None:
            write_csv_atomic(frame, path)
        else:
            write_table(frame, path, spec)
        result.files[name.removesuffix(".csv").replace(".", "_")] = path

    def forecast() -> str:
        from wfm.forecast import forecast_contacts, load_history

        history = load_history(folder / "history.csv", config)
        last_day = history["interval_start"].max().date()
        start = last_day + timedelta(days=7 - last_day.weekday())  # the next Monday
        state["history"] = history
        state["forecast"] = forecast_contacts(history, config, start=start, weeks=1)
        write("forecast.csv", state["forecast"], FORECAST)
        return (f"{state['forecast']['contacts'].sum():,.0f} contacts forecast for the week of "
                f"{start}")

    def staff() -> str:
        from wfm.staffing.requirements import compute_requirements

        state["requirement"] = compute_requirements(state["forecast"], config)
        write("requirement.csv", state["requirement"], REQUIREMENT)
        peak = state["requirement"].groupby("interval_start")["scheduled_agents"].sum().max()
        return f"peak {int(peak)} scheduled agents in one interval"

    def roster() -> str:
        plan = planner if planner is not None else _default_planner()
        solution = plan(state["requirement"], tables["agents"], config, leave=tables["leave"],
                        previous=tables["previous"], time_limit_seconds=time_limit_seconds,
                        progress=say)
        state["solution"] = solution
        state["roster"] = solution.assignments
        state["coverage"] = solution.coverage
        write("roster.csv", solution.assignments, ROSTER)
        write("coverage.csv", solution.coverage, COVERAGE)
        return (f"status {solution.status}, objective {_num(solution.objective)}, bound "
                f"{_num(solution.best_bound)}, gap {_num(solution.gap)}, "
                f"{solution.seconds:.1f} s")

    def check() -> str:
        from wfm.rules import check_roster

        queues = sorted(state["requirement"]["queue"].astype(str).unique())
        violations = check_roster(state["roster"], tables["agents"], config,
                                  previous=tables["previous"], leave=tables["leave"],
                                  requirement_queues=queues)
        state["violations"] = violations
        frame = pd.DataFrame([v.as_dict() for v in violations], columns=VIOLATION_COLUMNS)
        write("violations.csv", frame)
        if violations:
            raise _RosterBroken(f"{len(violations)} rule violation(s), first: "
                                f"{violations[0].message}")
        return "the roster breaks no rule"

    def adherence() -> str:
        from wfm.adherence import compute_adherence

        report = compute_adherence(tables["roster_week"], config, events=tables["events"],
                                   label=str(folder / "events.csv"))
        state["adherence"] = report.rows
        state["adherence_team"] = report.team
        write("adherence.csv", report.rows, ADHERENCE)
        problems = report.problems
        write("adherence_problems.csv",
              problems if len(problems.columns) else pd.DataFrame(columns=PROBLEM_COLUMNS))
        below = len(report.team["agents_below_target"])
        return (f"{len(report.rows)} agent-shifts measured against roster_week.csv, "
                f"{below} of {report.team['agents']} agents below the "
                f"{report.team['target_pct']:g}% target, "
                f"{len(report.problems)} data problem(s) reported; {kpis()}")

    def kpis() -> str:
        """The service KPIs of the week from the platform's actuals (part of the adherence
        step: both measure what happened under the fixture roster)."""
        from wfm.kpi import compute_kpis, read_actuals, write_kpi_table

        # the actuals and events were recorded under the fixture roster, as for adherence;
        # the forecast is the one made above for the same week
        actuals = read_actuals(folder / "actuals.csv", timezone=config.timezone)
        report = compute_kpis(actuals, config, roster=tables["roster_week"],
                              events=tables["events"], forecast=state.get("forecast"),
                              label=str(folder / "actuals.csv"),
                              events_label=str(folder / "events.csv"))
        state["kpi"] = report
        path = out / "kpi.csv"
        write_kpi_table(report.table, path)
        result.files["kpi"] = path
        misses = report.summary["day_misses"]
        return (f"service KPIs from actuals.csv: {len(report.table)} rows in kpi.csv, days "
                "missing a target: "
                + (", ".join(f"{k} {v}" for k, v in misses.items()) or "none"))

    def report() -> str:
        from wfm.report import build_report, headline_figures

        extra = _solve_figures(state.get("solution"))
        if "violations" in state:
            extra["rule_violations"] = len(state["violations"])
        if "adherence" in state:  # the events were recorded under the fixture roster
            extra["adherence_roster"] = "roster_week.csv"
            team = state["adherence_team"]
            extra["agents_below_adherence_target"] = len(team["agents_below_target"])
            extra["agents_measured"] = team["agents"]
        path = build_report(out, history=state.get("history"), forecast=state.get("forecast"),
                            requirement=state.get("requirement"), roster=state.get("roster"),
                            coverage=state.get("coverage"), adherence=state.get("adherence"),
                            agents=tables["agents"], config=config, kpis=extra,
                            kpi_table=state["kpi"].table if "kpi" in state else None,
                            language=language)
        result.files["report"] = path
        if "kpi" in state:
            result.figures["service_kpis"] = state["kpi"].summary["figures"]
        result.figures.update(extra)
        result.figures.update(headline_figures(
            requirement=state.get("requirement"), coverage=state.get("coverage"),
            adherence=state.get("adherence"), config=config))
        if state.get("coverage") is not None:
            from wfm.coverage import staffing_gap

            result.figures["staffing_gap"] = staffing_gap(
                state["coverage"], timezone=config.timezone,
                interval_minutes=config.interval_minutes).as_dict()
        return str(path)

    run.step("forecast", forecast)
    run.step("staff", staff, needs=(state.get("forecast"),))
    run.step("roster", roster, needs=(state.get("requirement"),))
    run.step("check", check, needs=(state.get("roster"),))
    run.step("adherence", adherence)
    run.step("report", report)
    return result


def _default_planner() -> Callable[..., Any]:
    from solvers.roster import plan_roster  # OR-Tools: imported only when a roster is solved

    return plan_roster  # type: ignore[no-any-return]


class _RosterBroken(WfmError):
    """The solved roster fails the independent checker."""


def _num(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return str(value)


def _solve_figures(solution: Any) -> dict[str, Any]:
    if solution is None:
        return {}
    figures = {"roster_status": solution.status}
    for name in ("objective", "best_bound", "gap", "lower_bound", "seconds"):
        value = getattr(solution, name, None)
        if value is not None:
            figures[f"roster_{name}" if name != "seconds" else "roster_seconds"] = value
    return figures


def _read_fixtures(folder: Path, config: SiteConfig) -> dict[str, pd.DataFrame]:
    tz = config.timezone
    return {
        "agents": read_table(folder / "agents.csv", AGENTS, timezone=tz),
        "leave": read_table(folder / "leave.csv", LEAVE, timezone=tz),
        "previous": read_table(folder / "previous_roster.csv", ROSTER, timezone=tz),
        "roster_week": read_table(folder / "roster_week.csv", ROSTER, timezone=tz),
        "events": read_table(folder / "events.csv", LOGIN_EVENTS, timezone=tz),
    }
