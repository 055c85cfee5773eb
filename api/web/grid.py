"""The roster grid: agents x days with each cell's shift, colour class and rule problems.

Rule problems come from the independent checker (``wfm.rules.check_roster``) run on the shown
agents, with the days before the period passed as ``previous`` so runs of working days and
weekly rest are judged across the period's start as on import; the answer is kept until the
stored data changes. Cells come from one pivot of the roster rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

import numpy as np
import pandas as pd
from markupsafe import Markup

from api.store import Store
from api.web.cache import cached
from api.web.i18n import Translator
from wfm.config import SiteConfig
from wfm.errors import Violation
from wfm.rules import check_roster, days_rules_reach

NON_WORKING = ("OFF", "LEAVE")
PALETTE_SIZE = 6  # shift-type colour classes st0..st5 in style.css


@dataclass(frozen=True)
class Grid:
    days: list[date]
    rows: list[Markup]  # one escaped <tr> per agent
    counts: list[tuple[str, list[int]]]  # shift code -> agents per day, for the footer
    problems: list[Violation]
    total_agents: int
    version: int
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (code, class, hours)
    queues: list[str] = field(default_factory=list)


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


def site_queues(agents: pd.DataFrame, roster: pd.DataFrame) -> list[str]:
    """The queues the agents' skills and the roster name (what decides whether a working row
    must name its queue)."""
    queues: set[str] = set()
    for skills in agents["skills"]:
        queues.update(skills)
    if not roster.empty:
        queues.update(q for q in roster["queue"].astype(str).unique() if q)
    return sorted(queues)


def roster_problems(store: Store, inside: pd.DataFrame, earlier: pd.DataFrame,
                    agents: pd.DataFrame, queues: list[str], key: tuple[object, ...]
                    ) -> list[Violation]:
    """``check_roster`` of the shown rows with the days before as ``previous``, kept until the
    stored data changes (``api.web.cache``), so paging or re-opening the grid does not check
    again."""
    def check() -> list[Violation]:
        return check_roster(inside.reset_index(drop=True), agents, store.config,
                            previous=earlier.reset_index(drop=True) if len(earlier) else None,
                            requirement_queues=queues or None)
    return cached(store, ("grid", tuple(queues), *key), check)


def build_grid(store: Store, *, t: Translator, day_from: date, num_days: int,
               queue: str = "",
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
    # the rules look back a run of working days or nights, to the Monday of the first week,
    # and one day more (rest hours across midnight)
    lookback = days_rules_reach(config.rules) + 1
    everyone = len(ids) == len(all_agents)
    version, rows = store.roster_frame(agent_ids=None if everyone else ids,
                                       date_from=day_from - timedelta(days=lookback),
                                       date_to=day_to)
    inside = rows[rows["date"] >= day_from] if not rows.empty else rows
    earlier = rows[rows["date"] < day_from] if not rows.empty else rows
    queues = site_queues(all_agents, inside)
    problems: list[Violation] = []
    if not inside.empty:
        problems = roster_problems(store, inside, earlier, shown, queues,
                                   (day_from, num_days, tuple(ids)))
    return Grid(days, _rows(shown, inside, days, config, problems, t), _counts(inside, days),
                problems, total, version, _legend(config), queues)


def _rows(agents: pd.DataFrame, inside: pd.DataFrame, days: list[date], config: SiteConfig,
          problems: list[Violation], t: Translator) -> list[Markup]:
    """One ``<tr>`` per agent, built here rather than in the template: a 1,000 x 28 grid is
    28,000 cells, and joining escaped strings is several times cheaper than a template loop."""
    classes = shift_classes(config)
    position = {d: k for k, d in enumerate(days)}
    by_cell: dict[tuple[str, int], list[str]] = defaultdict(list)
    for v in problems:
        day = date.fromisoformat(v.date)
        k = position.get(day, 0 if day < days[0] else len(days) - 1)
        by_cell[(v.agent_id, k)].append(f"{t.t('rule.' + v.code)} ({v.code}): {t.explain(v)}")
    shifts: dict[str, list[str]] = {}
    if not inside.empty:  # agents x days of codes, filled by position (no groupby)
        agent_codes, agent_ids = pd.factorize(inside["agent_id"])
        day_index = inside["date"].map(position).to_numpy()
        table = np.full((len(agent_ids), len(days)), "", dtype=object)
        table[agent_codes, day_index] = inside["shift"].astype(str).to_numpy()
        shifts = dict(zip(map(str, agent_ids), table.tolist(), strict=True))
    plain = {code: f'<td class="{css}">{escape(code)}</td>' for code, css in classes.items()}
    plain[""] = '<td class="none"></td>'
    blank = [""] * len(days)
    out = []
    for agent_id, name, skills in zip(agents["agent_id"], agents["name"], agents["skills"],
                                      strict=True):
        parts = [f'<tr><th scope="row" title="{escape(";".join(skills))}">{escape(agent_id)} '
                 f'<span class="name">{escape(name or "")}</span></th>']
        for k, code in enumerate(shifts.get(agent_id, blank)):
            found = by_cell.get((agent_id, k))
            if found:
                problem = escape("; ".join(found))
                css = classes.get(code, "none" if not code else "unknown")
                parts.append(f'<td class="{css} problem" title="{problem}" tabindex="0">'
                             f'{escape(code)}<span class="sr-only"> {problem}</span></td>')
            else:
                parts.append(plain.get(code) or f'<td class="unknown">{escape(code)}</td>')
        parts.append("</tr>")
        out.append(Markup("".join(parts)))
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
