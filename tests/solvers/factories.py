"""Tiny roster problems for per-rule tests: 1-2 agents, 2-3 days, a flat requirement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from solvers.roster.instances import InstanceParameters, make_instance
from solvers.roster.problem import RosterProblem, build_problem
from solvers.roster.settings import DEFAULT_SETTINGS, SolverSettings
from wfm.config import SiteConfig, build_config
from wfm.coverage import covered_offsets_minutes

MONDAY = date(2026, 3, 2)
# A wall-clock cap no test run reaches: the solver's work (sized from the time limit) alone
# decides the roster, so a test gives the same result on a slow or busy machine
ROOMY_CAP = 600.0


def site(**changes: Any) -> SiteConfig:
    """Default site with ``changes`` merged (e.g. ``rules={"max_consecutive_days": 2}``)."""
    data: dict[str, Any] = {"country": "", "roster": {"time_limit_seconds": 5,
                                                      "num_workers": 2, "random_seed": 0}}
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return build_config(data)


def requirement_frame(config: SiteConfig, *, start: date = MONDAY, num_days: int = 2,
                      need: int = 1, queues: tuple[str, ...] = ("sales",)) -> pd.DataFrame:
    """``need`` agents on every interval any shift covers, every day and queue."""
    minutes = sorted({int(m) for t in config.shifts
                      for m in covered_offsets_minutes(t, config.interval_minutes)})
    rows = []
    for d in range(num_days):
        midnight = pd.Timestamp(start + timedelta(days=d))
        for queue in queues:
            for m in minutes:
                stamp = (midnight + pd.Timedelta(minutes=m)).tz_localize(config.timezone)
                rows.append((stamp, queue, need))
    frame = pd.DataFrame(rows, columns=["interval_start", "queue", "scheduled_agents"])
    return frame.assign(contacts=0.0, aht_seconds=0.0, traffic_erlangs=0.0,
                        agents=frame["scheduled_agents"], service_level=float("nan"),
                        asa_seconds=float("nan"), occupancy=float("nan"))


def agents_frame(num_agents: int = 1, *, skills: tuple[str, ...] = ("sales",),
                 **columns: list[Any]) -> pd.DataFrame:
    """Agents A0, A1 ... with the same skills; extra columns by name."""
    ids = [f"A{i}" for i in range(num_agents)]
    frame = pd.DataFrame({"agent_id": ids, "name": ids, "skills": [skills] * num_agents})
    for name, values in columns.items():
        frame[name] = values
    return frame


def rows(records: list[tuple[str, date, str]], queue: str = "") -> pd.DataFrame:
    """A roster / fixed frame from (agent_id, date, shift) triples."""
    return pd.DataFrame([(a, d, s, queue) for a, d, s in records],
                        columns=["agent_id", "date", "shift", "queue"])


def leave_frame(records: list[tuple[str, date]]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=["agent_id", "date"])


def tiny_problem(*, num_agents: int = 1, num_days: int = 2, start: date = MONDAY, need: int = 1,
                 config: SiteConfig | None = None, agents: pd.DataFrame | None = None,
                 leave: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                 fixed: pd.DataFrame | None = None) -> RosterProblem:
    config = config or site()
    return build_problem(requirement_frame(config, start=start, num_days=num_days, need=need),
                         agents if agents is not None else agents_frame(num_agents), config,
                         leave=leave, previous=previous, fixed=fixed)


def day(offset: int, start: date = MONDAY) -> date:
    return start + timedelta(days=offset)


def generated_problem(config: SiteConfig, *, num_agents: int, num_days: int,
                      random_seed: int) -> RosterProblem:
    """A seeded two-queue instance (leave, previous week, uneven skills) as a problem."""
    instance = make_instance(InstanceParameters(num_agents=num_agents, num_days=num_days,
                                                queues=("sales", "service"),
                                                random_seed=random_seed), config)
    return build_problem(instance.requirement, instance.agents, config,
                         leave=instance.leave, previous=instance.previous)


def roster_arrays(problem: RosterProblem, assignments: pd.DataFrame
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The solver's (states, queues) arrays of a roster table (OFF -1, LEAVE -2)."""
    index = {c: i for i, c in enumerate(problem.shift_codes)}
    queue = {q: i for i, q in enumerate(problem.queues)}
    states = np.full((problem.num_agents, problem.num_days), -1)
    queues = np.full_like(states, -1)
    for row in assignments.itertuples():
        a, d = problem.agent_index[row.agent_id], problem.dates.index(row.date)
        states[a, d] = index.get(row.shift, -1 if row.shift == "OFF" else -2)
        queues[a, d] = queue.get(row.queue, -1)
    return states, queues


def decomposition_settings() -> SolverSettings:
    """Solver settings that skip the full model on any instance (the large-instance path)."""
    return replace(DEFAULT_SETTINGS,
                   search=replace(DEFAULT_SETTINGS.search, full_model_max_vars=0))
