"""Seeded synthetic roster instances (agents, requirement, leave, previous week) for tests and
the benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.coverage import covered_offsets_minutes
from wfm.tables import WEEKDAYS


@dataclass(kw_only=True, frozen=True)
class InstanceParameters:
    """What to generate; ``load`` is the requirement as a share of what the agents can cover."""

    num_agents: int = 20
    num_days: int = 7
    queues: tuple[str, ...] = ("sales",)
    start: date = date(2026, 3, 2)  # a Monday
    load: float = 0.95
    leave_share: float = 0.02
    multi_skill_share: float = 0.3
    night_cap_share: float = 0.1
    preference_share: float = 0.3
    with_previous: bool = True
    random_seed: int = 7


@dataclass(frozen=True)
class Instance:
    requirement: pd.DataFrame
    agents: pd.DataFrame
    leave: pd.DataFrame
    previous: pd.DataFrame | None


def _curve(num: int) -> np.ndarray:
    x = np.linspace(0, 1, num)
    return 0.6 + np.exp(-((x - 0.25) / 0.12) ** 2) + 0.8 * np.exp(-((x - 0.7) / 0.15) ** 2)


def make_instance(params: InstanceParameters, config: SiteConfig | None = None) -> Instance:
    """A random but realistic instance: two demand peaks a day, weekends lighter."""
    config = config or SiteConfig()
    rng = np.random.default_rng(params.random_seed)
    ids = [f"A{i:04d}" for i in range(params.num_agents)]
    skills = []
    for _ in ids:
        if len(params.queues) > 1 and rng.random() < params.multi_skill_share:
            skills.append(tuple(params.queues))
        else:
            skills.append((params.queues[int(rng.integers(len(params.queues)))],))
    caps = [int(rng.integers(1, 4)) if rng.random() < params.night_cap_share else None
            for _ in ids]
    prefs = [tuple(sorted({WEEKDAYS[int(rng.integers(7))]}))
             if rng.random() < params.preference_share else () for _ in ids]
    agents = pd.DataFrame({"agent_id": ids, "name": ids, "skills": skills,
                           "preferred_rest_days": prefs,
                           "max_nights_per_week": pd.array(caps, dtype="Int64")})

    interval = config.interval_minutes
    opening = sorted({int(m) for t in config.shifts
                      for m in covered_offsets_minutes(t, interval)})
    shape = _curve(len(opening))
    paid = np.mean([len(covered_offsets_minutes(t, interval)) for t in config.shifts])
    capacity = params.num_agents * (6 / 7) * paid  # agent-intervals a day
    rows = []
    for d in range(params.num_days):
        day = params.start + timedelta(days=d)
        weekend = 0.8 if day.weekday() >= 5 else 1.0
        for q_index, queue in enumerate(params.queues):
            share = (1.0 + 0.3 * q_index) / sum(1.0 + 0.3 * k for k in range(len(params.queues)))
            scale = params.load * capacity * share * weekend / shape.sum()
            noise = rng.normal(1.0, 0.08, len(opening))
            need = np.maximum(0, np.round(shape * scale * noise)).astype(int)
            for minute, agents_needed in zip(opening, need, strict=True):
                stamp = pd.Timestamp(day) + pd.Timedelta(minutes=minute)
                rows.append((stamp.tz_localize(config.timezone), queue, agents_needed))
    frame = pd.DataFrame(rows, columns=["interval_start", "queue", "scheduled_agents"])
    requirement = frame.assign(contacts=0.0, aht_seconds=0.0, traffic_erlangs=0.0,
                               agents=frame["scheduled_agents"], service_level=np.nan,
                               asa_seconds=np.nan, occupancy=np.nan)[
        ["interval_start", "queue", "contacts", "aht_seconds", "traffic_erlangs", "agents",
         "service_level", "asa_seconds", "occupancy", "scheduled_agents"]]

    leave_rows = [(a, params.start + timedelta(days=d)) for a in ids
                  for d in range(params.num_days) if rng.random() < params.leave_share]
    leave = pd.DataFrame(leave_rows, columns=["agent_id", "date"])

    previous = None
    if params.with_previous:
        prev_rows = []
        codes = [t.code for t in config.shifts]
        for a in ids:
            rest = int(rng.integers(7))
            code = codes[int(rng.integers(len(codes)))]
            for k in range(7):
                day = params.start - timedelta(days=7 - k)
                prev_rows.append((a, day, "OFF" if k == rest else code, ""))
        previous = pd.DataFrame(prev_rows, columns=["agent_id", "date", "shift", "queue"])
    return Instance(requirement, agents, leave, previous)
