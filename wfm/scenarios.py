"""What-if staffing scenarios: one forecast, a grid of targets and factors, the figures of each.

A grid maps keys to lists of values; the scenarios are every combination (the first key varies
slowest). Keys (``GRID_KEYS``):

``service_level``          fraction answered within the target time (every queue)
``answer_within_seconds``  the target time of phone queues (chat keeps first_response_seconds)
``max_occupancy``          occupancy cap (every queue)
``shrinkage``              share of paid time off the phones (every queue)
``volume_factor``          contacts x this factor
``aht_factor``             handle time x this factor
``patience_seconds``       > 0: phone queues are staffed with Erlang A (0: Erlang C)
``max_concurrency``        chats an agent holds (chat queues)

A key set in the grid applies to every queue, over the site's per-queue values; a key not in
the grid keeps the site's values. Each scenario is staffed through ``wfm.staffing.dispatch``
(the model ``wfm staff`` uses), all intervals of a queue in one vectorised call.

Figures per scenario (and per queue): ``agent_hours`` (agents answering, Σ N x interval
hours), ``scheduled_agent_hours`` (with shrinkage), ``fte`` (scheduled hours / ([cost]
fte_hours_per_week x the forecast's weeks, its calendar days / 7)), ``cost`` (scheduled
hours x the queue's ``[cost]`` rate; None without a rate), ``service_level_pct`` and
``asa_seconds`` weighted by contacts, ``occupancy_pct`` (Σ occupancy x N / Σ N) and
``abandon_pct`` (contact-weighted, Erlang A queues only; None when no queue abandons).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.config import SiteConfig, read_toml
from wfm.errors import Infeasible, InvalidInput

#: grid key -> the [service] key it sets (None: a factor on the load)
GRID_KEYS: dict[str, str | None] = {
    "service_level": "level",
    "answer_within_seconds": "answer_within_seconds",
    "max_occupancy": "max_occupancy",
    "shrinkage": "shrinkage",
    "volume_factor": None,
    "aht_factor": None,
    "patience_seconds": "patience_seconds",
    "max_concurrency": "max_concurrency",
}
SHORT_NAMES = {"service_level": "SL", "answer_within_seconds": "within",
               "max_occupancy": "occ", "shrinkage": "shrink", "volume_factor": "vol",
               "aht_factor": "aht", "patience_seconds": "patience",
               "max_concurrency": "chats"}
PHONE_ONLY = {"answer_within_seconds", "patience_seconds"}
CHAT_ONLY = {"max_concurrency"}
MAX_SCENARIOS = 1000


@dataclass(frozen=True)
class Scenario:
    """One combination of the grid: its position, a short name and the values it sets."""

    index: int
    values: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        if not self.values:
            return "site"
        return ", ".join(f"{SHORT_NAMES[key]} {value:g}" for key, value in self.values.items())


def check_grid(grid: dict[str, Any], *, label: str = "grid") -> dict[str, list[float]]:
    """Keys known and values numbers (a scalar is a one-value list); names a bad key/value."""
    out: dict[str, list[float]] = {}
    for key, raw in grid.items():
        if key not in GRID_KEYS:
            raise InvalidInput(f"unknown scenario key {key!r} (known: {', '.join(GRID_KEYS)})",
                               file=label, field=key)
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            raise InvalidInput(f"{key} has no value", file=label, field=key)
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(
                    value):
                raise InvalidInput(f"{key} values must be numbers, got {value!r}", file=label,
                                   field=key)
            if GRID_KEYS[key] is None and not value > 0:
                raise InvalidInput(f"{key} must be > 0, got {value!r}", file=label, field=key)
            if key == "max_concurrency" and value != int(value):
                raise InvalidInput(f"{key} must be a whole number, got {value!r}", file=label,
                                   field=key)
        out[key] = [float(v) for v in values]
    return out


def read_grid(path: str | Path) -> dict[str, list[float]]:
    """A grid file: TOML with one key per line, e.g. ``shrinkage = [0.25, 0.30]``."""
    return check_grid(read_toml(path, kind="grid"), label=str(path))


def expand_grid(grid: dict[str, list[float]], config: SiteConfig, *,
                limit: int = MAX_SCENARIOS) -> list[Scenario]:
    """Every combination of ``grid``, each checked against the site (a bad value names its
    key); at most ``limit`` of them."""
    keys = list(grid)
    count = int(np.prod([len(grid[k]) for k in keys])) if keys else 1
    if count > limit:
        raise InvalidInput(f"the grid makes {count} scenarios; at most {limit}")
    combos = list(itertools.product(*(grid[k] for k in keys)))
    scenarios = [Scenario(i, dict(zip(keys, combo, strict=True)))
                 for i, combo in enumerate(combos)]
    for scenario in scenarios:
        scenario_config(config, scenario)
    return scenarios


def scenario_config(config: SiteConfig, scenario: Scenario) -> SiteConfig:
    """The site configuration with the scenario's service keys set for every queue."""
    changes: dict[str, Any] = {}
    labels: dict[str, str] = {}
    chat = {name for name in config.queues if config.service_for(name).is_chat}
    for key, value in scenario.values.items():
        target = GRID_KEYS[key]
        if target is None:
            continue
        number: float | int = int(value) if key == "max_concurrency" else value
        changes[f"service.{target}"] = number
        labels[f"service.{target}"] = key
        for queue in config.queues:
            if (key in PHONE_ONLY and queue in chat) or (key in CHAT_ONLY and queue not in chat):
                continue
            changes[f"queues.{queue}.{target}"] = number
            labels[f"queues.{queue}.{target}"] = key
    return config.with_overrides(labels, **changes) if changes else config


@dataclass(frozen=True)
class Load:
    """A forecast reduced to what staffing reads, per queue: the open intervals' contacts and
    AHT (intervals without contacts need nobody and are left out), and the horizon's weeks
    (its calendar days / 7)."""

    interval_minutes: int
    weeks: float
    queues: dict[str, tuple[np.ndarray, np.ndarray]]


def prepare_load(forecast: pd.DataFrame, config: SiteConfig, *,
                 label: str = "forecast") -> Load:
    """The load of ``forecast`` (the DESIGN.md forecast table) on the site's grid."""
    from wfm.staffing.requirements import check_interval_grid

    if forecast.empty:
        raise InvalidInput("the forecast has no rows", file=label)
    check_interval_grid(forecast, config.interval_minutes, label=label)
    contacts = forecast["contacts"].to_numpy(dtype=float)
    aht = forecast["aht_seconds"].to_numpy(dtype=float)
    bad = (contacts > 0) & ~(np.isfinite(aht) & (aht > 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidInput("aht_seconds must be > 0 where contacts > 0", file=label,
                           line=row + 2, field="aht_seconds")
    days = forecast["interval_start"].dt.date.nunique()  # local dates (site timezone)
    queues = {}
    names = forecast["queue"].astype(str).to_numpy()
    for queue in sorted(set(names.tolist())):
        keep = (names == queue) & (contacts > 0)
        queues[queue] = (contacts[keep], aht[keep])
    return Load(config.interval_minutes, days / 7, queues)


def evaluate(scenario: Scenario, load: Load, config: SiteConfig) -> dict[str, Any]:
    """The figures of one scenario (module docstring), overall and per queue."""
    from wfm.staffing.dispatch import required

    site = scenario_config(config, scenario)
    volume = scenario.values.get("volume_factor", 1.0)
    aht_factor = scenario.values.get("aht_factor", 1.0)
    hours = load.interval_minutes / 60
    per_queue: dict[str, dict[str, Any]] = {}
    sums = _Sums()
    for queue, (contacts, aht) in load.queues.items():
        c, h = contacts * volume, aht * aht_factor
        staffing = required(site.service_for(queue), c * h / (load.interval_minutes * 60), h)
        rate = config.cost.rate_for(queue)
        queue_sums = _Sums()
        queue_sums.add(c, staffing, rate)
        sums.add(c, staffing, rate)
        per_queue[queue] = {"model": staffing.model,
                            **queue_sums.figures(hours, load.weeks, config)}
    return {"scenario": scenario.name, "index": scenario.index, **scenario.values,
            **sums.figures(hours, load.weeks, config), "queues": per_queue}


class _Sums:
    """Running sums over queues for the ratio-of-sums figures."""

    def __init__(self) -> None:
        self.contacts = self.agents = self.scheduled = self.busy = 0.0
        self.answered_in_target = self.wait = self.abandoned = self.cost = 0.0
        self.any_abandon = False
        self.priced = True

    def add(self, contacts: np.ndarray, staffing: Any, rate: float) -> None:
        agents = staffing.agents.astype(float)
        self.contacts += float(contacts.sum())
        self.agents += float(agents.sum())
        scheduled = float(staffing.scheduled.sum())
        self.scheduled += scheduled
        self.busy += float((np.nan_to_num(staffing.occupancy) * agents).sum())
        self.answered_in_target += float((staffing.service_level * contacts).sum())
        self.wait += float((np.nan_to_num(staffing.asa_seconds) * contacts).sum())
        if staffing.abandon_rate is not None:
            self.any_abandon = True
            self.abandoned += float((staffing.abandon_rate * contacts).sum())
        self.cost += scheduled * rate
        self.priced = self.priced and rate > 0

    def figures(self, hours: float, weeks: float, config: SiteConfig) -> dict[str, Any]:
        scheduled_hours = self.scheduled * hours
        per_contact = (lambda total: total / self.contacts) if self.contacts else (
            lambda total: None)
        level, asa = per_contact(self.answered_in_target), per_contact(self.wait)
        abandon = per_contact(self.abandoned) if self.any_abandon else None
        return {
            "contacts": round(self.contacts, 1),
            "agent_hours": round(self.agents * hours, 2),
            "scheduled_agent_hours": round(scheduled_hours, 2),
            "fte": round(scheduled_hours / (config.cost.fte_hours_per_week * weeks), 2),
            "cost": round(self.cost * hours, 2) if self.priced else None,
            "service_level_pct": None if level is None else round(100 * level, 2),
            "asa_seconds": None if asa is None else round(asa, 2),
            "occupancy_pct": round(100 * self.busy / self.agents, 2) if self.agents else None,
            "abandon_pct": None if abandon is None else round(100 * abandon, 2),
        }


def evaluate_task(scenario: Scenario, shared: tuple[Load, SiteConfig]) -> dict[str, Any]:
    """``evaluate`` in the form ``wfm.parallel.run_tasks(..., shared=(load, config))`` calls."""
    load, config = shared
    return evaluate(scenario, load, config)


def compare(forecast: pd.DataFrame, config: SiteConfig, grid: dict[str, Any], *,
            label: str = "forecast", limit: int = MAX_SCENARIOS) -> list[dict[str, Any]]:
    """Every scenario of ``grid`` over ``forecast``, in this process (the API and the planner
    page; ``wfm scenarios`` runs the same ``evaluate`` as parallel tasks)."""
    scenarios = expand_grid(check_grid(grid, label="grid"), config, limit=limit)
    load = prepare_load(forecast, config, label=label)
    rows = []
    for scenario in scenarios:
        try:
            rows.append(evaluate(scenario, load, config))
        except Infeasible as error:  # a target no head count meets: name the scenario
            raise InvalidInput(f"scenario {scenario.name!r} cannot be staffed: {error}") from None
    return rows
