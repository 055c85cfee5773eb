"""The roster grid: agents x days with each cell's shift, colour class and rule problems.

Rule problems come from the independent checker (``wfm.rules.check_roster``) run on the shown
agents, with the weeks before the period passed as ``previous`` so runs of working days and
weekly rest are judged across the period's start exactly as on import. Built with one pivot of
the roster rows, so a 1,000-agent, 4-week grid costs a few tens of milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from api.store import Store
from wfm.config import SiteConfig
from wfm.errors import Violation
from wfm.rules import check_roster

NON_WORKING = ("OFF", "LEAVE")
PALETTE_SIZE = 6  # shift-type colour classes st0..st5 in style.css


@dataclass(frozen=True)
class GridRow:
    agent_id: str
    name: str
    skills: str
    cells: list[tuple[str, str, str]]  # (shift text, css class, problem text) per day


@dataclass(frozen=True)
class Grid:
    days: list[date]
    rows: list[GridRow]
    counts: list[tuple[str, list[int]]]  # shift code -> agents per day, for the footer
    problems: list[Violation]
    total_agents: int
    version: int
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (code, class, hours)


def shift_classes(config: SiteConfig) -> dict[str, str]:
    """A colour class per shift code: shift types with the same hours share a colour (the
    meal-wave variants of one shift), OFF and LEAVE have their own."""
    hours: dict[tuple[str, str], str] = {}
    classes = {"OFF": "off", "LEAVE": "leave"}
    for template in config.shifts:
        key = (template.start, template.end)
        if key not in hours:
            hours[key] = f"st{len(hours) % PALETTE_SIZE}"
        classes[template.code] = hours[key]
    return classes


def filter_agents(agents: pd.DataFrame, *, queue: str = "", search: str = "") -> pd.DataFrame:
    """Agents with ``queue`` among their skills and ``search`` in their id or name."""
    keep = pd.Series(True, index=agents.index)
    if queue:
        keep &= agents["skills"].map(lambda skills: queue in skills)
    if search:
        needle = search.strip().lower()
        keep &= (agents["agent_id"].str.lower().str.contains(needle, regex=False)
                 | agents["name"].fillna("").str.lower().str.contains(needle, regex=False))
    return agents[keep]


def site_queues(store: Store, agents: pd.DataFrame, day_from: date, day_to: date) -> list[str]:
    """The queues of the requirement in the period and of the agents' skills."""
    requirement = store.requirement_frame(date_from=day_from, date_to=day_to)
    queues = set(requirement["queue"].astype(str)) if not requirement.empty else set()
    for skills in agents["skills"]:
        queues.update(skills)
    return sorted(queues)


def build_grid(store: Store, *, day_from: date, num_days: int, queue: str = "",
               search: str = "", offset: int = 0, limit: int | None = None) -> Grid:
    """The grid of the agents matching the filters (``limit`` rows from ``offset``)."""
    config = store.config
    day_to = day_from + timedelta(days=num_days - 1)
    days = [day_from + timedelta(days=k) for k in range(num_days)]
    all_agents = store.agents_frame()
    chosen = filter_agents(all_agents, queue=queue, search=search).sort_values("agent_id")
    total = len(chosen)
    shown = chosen.iloc[offset: None if limit is None else offset + limit]
    ids = shown["agent_id"].tolist()
    lookback = max(config.rules.max_consecutive_days, 7) + 7
    filtered = bool(queue or search)
    version, rows = store.roster_frame(agent_ids=ids if filtered or limit else None,
                                       date_from=day_from - timedelta(days=lookback),
                                       date_to=day_to)
    rows = rows[rows["agent_id"].isin(ids)] if not rows.empty else rows
    inside = rows[rows["date"] >= day_from] if not rows.empty else rows
    earlier = rows[rows["date"] < day_from] if not rows.empty else rows
    problems: list[Violation] = []
    if not inside.empty:
        queues = site_queues(store, all_agents, day_from, day_to)
        problems = check_roster(inside.reset_index(drop=True), shown, config,
                                previous=earlier.reset_index(drop=True) if len(earlier) else None,
                                requirement_queues=queues or None)
    return Grid(days, _rows(shown, inside, days, config, problems), _counts(inside, days),
                problems, total, version, _legend(config))


def _rows(agents: pd.DataFrame, inside: pd.DataFrame, days: list[date], config: SiteConfig,
          problems: list[Violation]) -> list[GridRow]:
    classes = shift_classes(config)
    position = {d: k for k, d in enumerate(days)}
    by_cell: dict[tuple[str, int], list[str]] = defaultdict(list)
    for v in problems:
        day = date.fromisoformat(v.date)
        k = position.get(day, 0 if day < days[0] else len(days) - 1)
        by_cell[(v.agent_id, k)].append(f"{v.code}: {v.message}")
    shifts: dict[str, list[str]] = {}
    if not inside.empty:
        table = inside.pivot_table(index="agent_id", columns="date", values="shift",
                                   aggfunc="first")
        table = table.reindex(columns=days)
        shifts = {str(a): [("" if pd.isna(s) else str(s)) for s in values]
                  for a, values in zip(table.index, table.to_numpy().tolist(), strict=True)}
    blank = [""] * len(days)
    out = []
    for agent_id, name, skills in zip(agents["agent_id"], agents["name"], agents["skills"],
                                      strict=True):
        codes = shifts.get(agent_id, blank)
        cells = []
        for k, code in enumerate(codes):
            problem = "; ".join(by_cell.get((agent_id, k), ()))
            css = classes.get(code, "none" if not code else "unknown")
            cells.append((code, css + (" problem" if problem else ""), problem))
        out.append(GridRow(agent_id, name or "", ";".join(skills), cells))
    return out


def _counts(inside: pd.DataFrame, days: list[date]) -> list[tuple[str, list[int]]]:
    """Agents per shift code and day (working codes first, then OFF and LEAVE)."""
    if inside.empty:
        return []
    table = (inside.groupby(["shift", "date"]).size().unstack(fill_value=0)
             .reindex(columns=days, fill_value=0))
    codes = sorted(c for c in table.index if c not in NON_WORKING)
    codes += [c for c in NON_WORKING if c in table.index]
    return [(str(c), [int(n) for n in table.loc[c].tolist()]) for c in codes]


def _legend(config: SiteConfig) -> list[tuple[str, str, str]]:
    classes = shift_classes(config)
    return [(s.code, classes[s.code], f"{s.start}-{s.end}") for s in config.shifts]
