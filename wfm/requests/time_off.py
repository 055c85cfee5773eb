"""Judge a time-off request on plain values: its shape, the agent's roster after it (by the
independent rule checker), the leave balance, the per-team daily limit, and the coverage impact
with the resulting service level of every affected interval.

A leave request turns each working date into ``LEAVE`` (``OFF`` dates in it are left alone and
cost nothing); with ``part`` it takes part of one shift (``start``-``end`` inside it, on the
interval grid) and leaves the roster row as it is. A ``rest_day`` request moves an ``OFF`` day
to a working day in the same Monday-Sunday week: ``dates = [off_date, new_off_date]``; the
shift of the new rest day moves to the old one. The coverage impact and service level are
computed in ``wfm.requests.time_off_impact``; the statuses are
``wfm.requests.status.TIME_OFF_MACHINE``.

The caller (``api/store/time_off.py``) loads the rows, the balance used and the team's leave,
and persists what the verdict says; nothing here reads or writes storage.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from wfm.config import SiteConfig, parse_clock
from wfm.coverage import NON_WORKING
from wfm.errors import InvalidInput, Violation
from wfm.requests.impact import Key
from wfm.requests.time_off_impact import Count, Part, impact_of, part_minutes
from wfm.rules import check_roster_rows

REST_DAY = "rest_day"
MAX_DATES = 31
Row = tuple[str, date, str, str]


@dataclass(frozen=True)
class TimeOffVerdict:
    """What a time-off request would do.

    Attributes
    ----------
    violations
        Refusals: shape (``no_assignment``, ``leave``, ``not_working``, ``not_off``,
        ``part_outside_shift``, ``other_week``), ``balance``, ``team_limit`` and the rule
        checker's codes the change adds.
    impact
        ``IMPACT_COLUMNS`` for every interval and queue the change touches.
    before, after
        The agent-days the request changes (``agent_id, date, shift, queue`` records).
    cost_millidays
        Leave it takes from the balance, per calendar year (thousandths of a day).
    starts_at
        When the earliest shift it touches starts (tz-aware, site time).
    """

    violations: list[Violation]
    impact: list[dict[str, Any]]
    before: list[dict[str, object]] = field(default_factory=list)
    after: list[dict[str, object]] = field(default_factory=list)
    cost_millidays: dict[int, int] = field(default_factory=dict)
    starts_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def keeps_coverage(self) -> bool:
        """In every affected interval, scheduled_after >= required."""
        return all(r["scheduled_after"] >= r["required"] for r in self.impact)

    @property
    def keeps_service_level(self) -> bool:
        """In every affected interval, the service level after >= the queue's target."""
        return all(r["service_level_after"] >= r["service_level_target"] - 1e-12
                   for r in self.impact)


def check_request_shape(config: SiteConfig, kind: str, dates: list[date],
                        part: Part | None) -> list[date]:
    """The request's dates, sorted; ``InvalidInput`` for a request that cannot be judged."""
    kinds = config.time_off.kinds
    if kind != REST_DAY and kind not in kinds:
        known = ", ".join([*sorted(kinds), REST_DAY])
        raise InvalidInput(f"kind must be one of {known}, got {kind!r}")
    if not 1 <= len(dates) <= MAX_DATES or len(set(dates)) != len(dates):
        raise InvalidInput(f"dates must hold 1 to {MAX_DATES} different dates, got "
                           f"{len(dates)}")
    if kind == REST_DAY:
        if len(dates) != 2:
            raise InvalidInput("a rest_day change needs dates = [off_date, new_off_date]")
        if part is not None:
            raise InvalidInput("part applies to leave, not to a rest_day change")
        return list(dates)  # order matters: from the OFF day to the new rest day
    if part is not None:
        if len(dates) != 1:
            raise InvalidInput("part of a shift takes one date")
        start, end = parse_clock(part.start, name="part.start"), parse_clock(part.end,
                                                                             name="part.end")
        if start == end:
            raise InvalidInput("part.start and part.end must differ")
        for name, text, minute in (("part.start", part.start, start),
                                   ("part.end", part.end, end)):
            if minute % config.interval_minutes:
                raise InvalidInput(f"{name} must lie on the {config.interval_minutes}-minute "
                                   f"interval grid, got {text!r}")
    return sorted(dates)


def check_time_off(rows: Iterable[Row], agent: Mapping[str, object], config: SiteConfig, *,
                   kind: str, dates: list[date], part: Part | None = None,
                   requirement: Mapping[tuple[datetime, str], int],
                   load: Mapping[tuple[datetime, str], tuple[float, float | None]],
                   queues: list[str] | None, window_counts: Iterable[Count],
                   used_millidays: Mapping[int, int], team_off: Mapping[date, int],
                   offers: Mapping[tuple[str, date], Counter[Key]] | None = None,
                   ) -> TimeOffVerdict:
    """Judge a time-off request of one agent.

    Parameters
    ----------
    rows
        All roster rows of the agent (``agent_id, date, shift, queue``).
    agent
        The agent's record (``agent_id, skills, max_nights_per_week, start_date, end_date``).
    requirement, load
        ``scheduled_agents`` and ``(contacts, aht_seconds)`` by (local naive interval start,
        queue).
    window_counts
        Working agents per (date, shift, queue) on the request's dates and the days either
        side (a night shift may cross midnight).
    used_millidays
        The agent's used leave of ``kind`` by calendar year.
    team_off
        Agents of the agent's team already on ``LEAVE`` by date.
    offers
        Head counts accepted overtime extensions and VTO early ends add or take per
        (agent, date) on the window (``wfm.requests.offers.offer_head_deltas``): the impact
        counts the roster as worked.
    """
    days = check_request_shape(config, kind, dates, part)
    agent_id = str(agent["agent_id"])
    mine = sorted(((str(a), d, str(s), str(q or "")) for a, d, s, q in rows),
                  key=lambda r: (r[1]))
    cells = {d: (s, q) for _, d, s, q in mine}
    problems, before, after = _change(agent_id, kind, days, part, cells, config)
    starts_at = _earliest_start(before, after, days, part, config)
    cost = _cost(kind, before, part, config) if not problems else {}
    if problems:
        return TimeOffVerdict(problems, [], before, after, cost, starts_at)
    problems = _rule_violations(mine, after, agent, config, queues)
    problems += _balance_violations(agent_id, kind, cost, used_millidays, config, days)
    problems += _team_violations(agent_id, before, after, team_off, config)
    impact = impact_of(before, after, part, config, requirement, load, queues, window_counts,
                       offers)
    return TimeOffVerdict(problems, impact, before, after, cost, starts_at)


def _cell(agent_id: str, day: date, shift: str | None, queue: str) -> dict[str, object]:
    return {"agent_id": agent_id, "date": day, "shift": shift, "queue": queue}


def _change(agent_id: str, kind: str, days: list[date], part: Part | None,
            cells: dict[date, tuple[str, str]], config: SiteConfig,
            ) -> tuple[list[Violation], list[dict[str, object]], list[dict[str, object]]]:
    """Shape problems, and the cells before and after the change."""
    problems: list[Violation] = []
    before: list[dict[str, object]] = []
    after: list[dict[str, object]] = []
    for day in days:
        if day not in cells:
            problems.append(Violation("no_assignment", agent_id, day.isoformat(),
                                      f"{agent_id} has no roster row on {day}"))
        elif cells[day][0] == "LEAVE":
            problems.append(Violation("leave", agent_id, day.isoformat(),
                                      f"{agent_id} is already on leave on {day}"))
    if problems:
        return problems, before, after
    if kind == REST_DAY:
        off_day, work_day = days
        (off_shift, _), (work_shift, work_queue) = cells[off_day], cells[work_day]
        if off_shift != "OFF":
            problems.append(Violation("not_off", agent_id, off_day.isoformat(),
                                      f"{agent_id} is not OFF on {off_day} (rest_day)"))
        if work_shift in NON_WORKING:
            problems.append(Violation("not_working", agent_id, work_day.isoformat(),
                                      f"{agent_id} has no shift to move on {work_day}"))
        if off_day - timedelta(days=off_day.weekday()) != work_day - timedelta(
                days=work_day.weekday()):
            problems.append(Violation("other_week", agent_id, work_day.isoformat(),
                                      "a rest-day change stays in one Monday-Sunday week "
                                      f"({off_day} and {work_day} are not)"))
        before = [_cell(agent_id, off_day, off_shift, ""),
                  _cell(agent_id, work_day, work_shift, work_queue)]
        after = [_cell(agent_id, off_day, work_shift, work_queue),
                 _cell(agent_id, work_day, "OFF", "")]
        return problems, before, after
    working = [d for d in days if cells[d][0] not in NON_WORKING]
    if not working:
        problems.append(Violation("not_working", agent_id, days[0].isoformat(),
                                  f"{agent_id} has no shift on the requested date(s)"))
        return problems, before, after
    before = [_cell(agent_id, d, *cells[d]) for d in working]
    if part is None:
        after = [_cell(agent_id, d, "LEAVE", "") for d in working]
        return problems, before, after
    template = config.shift(cells[working[0]][0])
    start, end = part_minutes(part, template.start_minute)
    if start < template.start_minute or end > template.start_minute + template.duration_minutes:
        problems.append(Violation("part_outside_shift", agent_id, working[0].isoformat(),
                                  f"{part.start}-{part.end} is not inside the "
                                  f"{template.code} shift ({template.start}-{template.end})",
                                  {"from": part.start, "to": part.end, "shift": template.code,
                                   "start": template.start, "end": template.end}))
    return problems, before, list(before)


def _earliest_start(before: list[dict[str, object]], after: list[dict[str, object]],
                    days: list[date], part: Part | None, config: SiteConfig) -> datetime:
    starts = []
    for cell in [*before, *after]:
        shift, day = cell["shift"], cell["date"]
        if shift is not None and shift not in NON_WORKING and isinstance(day, date):
            template = config.shift(str(shift))
            minute = template.start_minute
            if part is not None:
                minute = part_minutes(part, minute)[0]
            starts.append(datetime.combine(day, datetime.min.time(), tzinfo=config.tz)
                          .replace(tzinfo=None) + timedelta(minutes=minute))
    first = min(starts) if starts else datetime.combine(days[0], datetime.min.time())
    return first.replace(tzinfo=config.tz)


def _cost(kind: str, before: list[dict[str, object]], part: Part | None,
          config: SiteConfig) -> dict[int, int]:
    """Thousandths of a day per calendar year: 1000 per whole working day; a part of a shift
    its share of the shift's working minutes (rounded up)."""
    if kind == REST_DAY:
        return {}
    cost: Counter[int] = Counter()
    for cell in before:
        day = cell["date"]
        assert isinstance(day, date)
        if part is None:
            cost[day.year] += 1000
        else:
            template = config.shift(str(cell["shift"]))
            start, end = part_minutes(part, template.start_minute)
            share = 1000 * (end - start) / template.duration_minutes
            cost[day.year] += min(1000, math.ceil(share - 1e-9))
    return dict(cost)


def _rule_violations(rows: list[Row], after: list[dict[str, object]],
                     agent: Mapping[str, object], config: SiteConfig,
                     queues: list[str] | None) -> list[Violation]:
    """Violations the change adds to the agent's roster (the independent rule checker)."""
    changed = {c["date"]: (str(c["shift"]), str(c["queue"] or "")) for c in after}
    if all(rows_cell[1] not in changed or (rows_cell[2], rows_cell[3]) == changed[rows_cell[1]]
           for rows_cell in rows):
        return []
    agent_id = str(agent["agent_id"])
    new_rows = [(a, d, *changed[d]) if d in changed else (a, d, s, q) for a, d, s, q in rows]
    found_after = _check(new_rows, agent, config, queues)
    if not found_after:
        return []
    old = {(v.code, v.date) for v in _check(rows, agent, config, queues)}
    return [v for v in found_after if (v.code, v.date) not in old and v.agent_id == agent_id]


def _check(rows: list[Row], agent: Mapping[str, object], config: SiteConfig,
           queues: list[str] | None) -> list[Violation]:
    return list(check_roster_rows(rows, [dict(agent)], config, requirement_queues=queues,
                                  agent_ids=[str(agent["agent_id"])]))


def _balance_violations(agent_id: str, kind: str, cost: dict[int, int],
                        used: Mapping[int, int], config: SiteConfig,
                        days: list[date]) -> list[Violation]:
    settings = config.time_off.kinds.get(kind)
    if settings is None or not settings.limited:
        return []
    allowance = round(settings.allowance_days * 1000)
    problems = []
    for year, take in sorted(cost.items()):
        left = allowance - used.get(year, 0)
        if take > left:
            day = next(d for d in days if d.year == year)
            problems.append(Violation(
                "balance", agent_id, day.isoformat(),
                f"{kind}: {take / 1000:g} day(s) requested, {max(left, 0) / 1000:g} of "
                f"{settings.allowance_days:g} left in {year}",
                {"take": f"{take / 1000:g}", "left": f"{max(left, 0) / 1000:g}",
                 "allowance": f"{settings.allowance_days:g}", "year": year}))
    return problems


def _team_violations(agent_id: str, before: list[dict[str, object]],
                     after: list[dict[str, object]], team_off: Mapping[date, int],
                     config: SiteConfig) -> list[Violation]:
    limit = config.time_off.max_off_per_team_per_day
    if not limit:
        return []
    problems = []
    for old, new in zip(before, after, strict=True):
        day = old["date"]
        assert isinstance(day, date)
        if new["shift"] == "LEAVE" and team_off.get(day, 0) + 1 > limit:
            problems.append(Violation(
                "team_limit", agent_id, day.isoformat(),
                f"{team_off.get(day, 0)} agent(s) of the team are already off on {day} "
                f"(max_off_per_team_per_day = {limit})",
                {"off": team_off.get(day, 0), "limit": limit}))
    return problems
