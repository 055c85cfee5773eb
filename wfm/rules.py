"""The independent roster rule checker: is this roster legal, and if not, why.

``check_roster`` verifies every hard rule of DESIGN.md on a roster table (``agent_id, date,
shift[, queue]``) and returns one ``Violation`` per broken rule, each with a sentence a planner
understands. It shares no code with the solver: the solver encodes the same rules as constraints
and its output is held against this module.

Known days
----------
A day is *known* for an agent when the roster (or, before the horizon, the previous roster) has
a row for it with a valid shift (a template code, ``OFF`` or ``LEAVE``). The *horizon* runs from
the first to the last date in the roster. Previous-roster rows on or after the horizon start are
ignored (the roster supersedes them). Unknown days break runs of working days and keep a week
from being judged for rest days, because nothing can be said about them. Rules are only reported
when the roster's own days take part in breaking them: previous-roster facts are context, not the
subject. So a run of working days is reported when it goes over the limit on a horizon day, a
week's rest days when the week has a horizon day, a week's nights when one of them is in the
horizon, and a short rest when the shift after it is in the horizon.

A row with an unknown shift or a second row for the same agent and date is reported, and (for
the second row) the first row is the one the other rules see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instant
from wfm.config import MINUTES_PER_DAY, ShiftTemplate, SiteConfig
from wfm.errors import InvalidInput, Violation

__all__ = ["NIGHT_END_MINUTE", "NIGHT_START_MINUTE", "RULE_CODES", "check_roster",
           "check_roster_rows", "is_night_shift", "violations_frame"]

RULE_CODES: dict[str, str] = {
    "unknown_agent": "every roster row names an agent of the agents table",
    "unknown_shift": "every shift is a configured shift template code, OFF or LEAVE",
    "one_shift_per_day": "at most one roster row per agent and date",
    "leave": "no working shift on approved leave; LEAVE only where leave is approved",
    "skill": "an agent works only queues in its skills",
    "missing_queue": "a working row names its queue when the site has several queues",
    "outside_contract": "no working shift before the agent's start_date or after its end_date",
    "max_consecutive_days": "no more working days in a row than rules.max_consecutive_days "
                            "(counting the previous roster)",
    "min_rest_days_per_week": "at least rules.min_rest_days_per_week OFF/LEAVE days in every "
                              "fully known Monday-Sunday week",
    "min_rest_hours": "at least rules.min_rest_hours between the end of one shift and the "
                      "start of the next",
    "max_nights_per_week": "no more night shifts in a Monday-Sunday week than the agent's "
                           "max_nights_per_week",
    "fixed": "assignments pinned in the fixed table are kept (shift and, when given, queue)",
}

NIGHT_START_MINUTE = 20 * 60
"""A night shift works at least one minute after 20:00 ..."""
NIGHT_END_MINUTE = 6 * 60
"""... or before 06:00 (see ``is_night_shift``)."""

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_OFF, _LEAVE, _UNKNOWN = -1, -2, -3  # grid states; >= 0 is the index of a shift template


def is_night_shift(template: ShiftTemplate) -> bool:
    """Whether a shift template is a night shift.

    A night shift works at least one minute in the night window 20:00-06:00, i.e. it ends after
    20:00, crosses midnight, or starts before 06:00. With the default templates ``NIGHT``
    (16:00-23:30) is a night shift and ``DAY`` (08:30-16:00) is not.

    Parameters
    ----------
    template
        The shift template.

    Returns
    -------
    bool
        True when ``[start, end)`` overlaps ``[20:00, 06:00)``.
    """
    start = template.start_minute
    end = start + template.duration_minutes  # may pass midnight (< 2 days)
    windows = ((0, NIGHT_END_MINUTE),
               (NIGHT_START_MINUTE, MINUTES_PER_DAY + NIGHT_END_MINUTE),
               (MINUTES_PER_DAY + NIGHT_START_MINUTE, 3 * MINUTES_PER_DAY))
    return any(start < high and low < end for low, high in windows)


# ---- input normalisation ---------------------------------------------------------------------

def _day_numbers(values: pd.Series, label: str, first_line: int = 2) -> np.ndarray:
    """Days since 1970-01-01 of date-like values (``date``, ``Timestamp`` or ISO text)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    items = values.tolist()
    if all(type(item) is date for item in items):  # as read_table returns them: the fast path
        return np.fromiter((item.toordinal() for item in items), dtype=np.int64,
                           count=len(items)) - _EPOCH_ORDINAL
    parsed = pd.to_datetime(values.map(_date_text), format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidInput(f"expected a date YYYY-MM-DD, got {values.iloc[row]!r}", file=label,
                           line=row + first_line, field="date")
    return parsed.to_numpy().astype("datetime64[D]").astype(np.int64)


def _date_text(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()[:10]
    return value


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[column]
    return values.where(values.notna(), "").astype(str).str.strip()


def _rows(frame: pd.DataFrame, label: str, columns: tuple[str, ...] = ("agent_id", "date",
                                                                       "shift")) -> pd.DataFrame:
    """A roster-like frame as plain columns: agent_id, day (days since 1970-01-01), shift,
    queue ("" when absent)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInput(f"missing column(s) {', '.join(missing)} in the {label} table",
                           file=label)
    frame = frame.reset_index(drop=True)
    return pd.DataFrame({
        "agent_id": _text(frame, "agent_id"),
        "day": _day_numbers(frame["date"], label),
        "shift": _text(frame, "shift"),
        "queue": _text(frame, "queue"),
    })


def _skills(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(p).strip() for p in value if str(p).strip())
    return ()


def _optional_days(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Day numbers of an optional date column, NaN where empty or absent."""
    out = np.full(len(frame), np.nan)
    if column not in frame.columns:
        return out
    present = frame[column].map(lambda v: v is not None and not pd.isna(v) and v != "")
    present_array = present.to_numpy(dtype=bool)
    if present_array.any():
        out[present_array] = _day_numbers(frame[column][present_array], "agents")
    return out


def _agent_table(agents: pd.DataFrame) -> pd.DataFrame:
    if "agent_id" not in agents.columns:
        raise InvalidInput("missing column agent_id in the agents table", file="agents")
    agents = agents.reset_index(drop=True)
    skills = (agents["skills"].map(_skills) if "skills" in agents.columns
              else pd.Series([()] * len(agents), dtype=object))
    nights = (pd.to_numeric(agents["max_nights_per_week"], errors="coerce").to_numpy(dtype=float)
              if "max_nights_per_week" in agents.columns else np.full(len(agents), np.nan))
    table = pd.DataFrame({
        "agent_id": _text(agents, "agent_id"),
        "skills": skills,
        "max_nights": nights,
        "start_day": _optional_days(agents, "start_date"),
        "end_day": _optional_days(agents, "end_date"),
    })
    return table.drop_duplicates("agent_id").set_index("agent_id")


def _iso(day: int | np.integer) -> str:
    return (date(1970, 1, 1) + timedelta(days=int(day))).isoformat()


def _clock(minutes_since_epoch: int) -> str:
    moment = pd.Timestamp(int(minutes_since_epoch), unit="m")
    return moment.strftime("%Y-%m-%d %H:%M")


def _hours(seconds: float) -> str:
    return f"{round(seconds / 3600, 2):g}"


class _Row(NamedTuple):
    agent_id: str
    day: int
    shift: str
    queue: str


def _each(rows: pd.DataFrame) -> Iterator[_Row]:
    """The rows of a normalised frame as typed tuples (for building messages)."""
    columns = [rows[c].tolist() for c in ("agent_id", "day", "shift", "queue")]
    for agent_id, day, shift, queue in zip(*columns, strict=True):
        yield _Row(str(agent_id), int(day), str(shift), str(queue))


class _Collector:
    """Accumulates (code, agent_id, day, message) and builds sorted Violations."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str, str]] = []

    def add(self, code: str, agent_id: str, day: int | np.integer, message: str) -> None:
        self.items.append((code, str(agent_id), _iso(day), message))

    def result(self) -> list[Violation]:
        ordered = sorted(set(self.items), key=lambda v: (v[1], v[2], v[0], v[3]))
        return [Violation(code, agent, when, message) for code, agent, when, message in ordered]


# ---- the checker -----------------------------------------------------------------------------

def check_roster(
    roster: pd.DataFrame,
    agents: pd.DataFrame,
    config: SiteConfig,
    *,
    previous: pd.DataFrame | None = None,
    leave: pd.DataFrame | None = None,
    fixed: pd.DataFrame | None = None,
    requirement_queues: list[str] | None = None,
    agent_ids: Iterable[str] | None = None,
) -> list[Violation]:
    """Every hard-rule violation of a roster, sorted by agent, date and rule code.

    Parameters
    ----------
    roster
        ``agent_id, date, shift[, queue]``; ``date`` as ``datetime.date``, ``Timestamp`` or ISO
        text (as ``wfm.tables.read_table`` returns it, or unvalidated from the API).
    agents
        ``agent_id, skills[, max_nights_per_week, start_date, end_date]``; skills as a tuple or
        ``;``-separated text.
    config
        The site: shift templates and ``rules`` (max_consecutive_days, min_rest_days_per_week,
        min_rest_hours).
    previous
        The previous roster (same columns); its rows before the horizon start extend runs of
        working days, weeks and rest periods back in time.
    leave
        Approved leave ``agent_id, date``. When given, ``LEAVE`` is allowed only on those dates.
    fixed
        Pinned assignments ``agent_id, date, shift[, queue]``; those dated inside the horizon
        must appear in the roster as pinned.
    requirement_queues
        Queues named by the requirement; with the agents' skills they decide whether the site
        has several queues (and a working row then needs a queue).
    agent_ids
        Check only these agents (cheap; the horizon and the site's queues still come from the
        whole input).

    Returns
    -------
    list[Violation]
        ``code`` (a key of ``RULE_CODES``), ``agent_id``, ``date`` (ISO; the week's Monday for
        weekly rules, the first day over the limit for consecutive days, the later shift's date
        for rest hours) and ``message``. Empty when the roster is legal.

    Raises
    ------
    InvalidInput
        A required column is missing or a date cannot be read.
    """
    rows = _rows(roster, "roster")
    if rows.empty:
        return []
    first_day, last_day = int(rows["day"].min()), int(rows["day"].max())
    table = _agent_table(agents)
    site_queues = set(requirement_queues or [])
    for skills in table["skills"]:
        site_queues.update(skills)
    keep = None if agent_ids is None else {str(a).strip() for a in agent_ids}
    if keep is not None:
        rows = rows[rows["agent_id"].isin(keep)]

    codes = _shift_lookup(config)
    rows = rows.assign(state=_states(rows["shift"], codes))
    found = _Collector()
    rows = _check_identity(rows, table, config, found)
    _check_rows(rows, table, len(site_queues) > 1, config, found)
    if leave is not None:
        _check_leave(rows, _rows(leave, "leave", ("agent_id", "date")), keep, found)
    if fixed is not None:
        fixed_rows = _rows(fixed, "fixed")
        fixed_rows = fixed_rows[(fixed_rows["day"] >= first_day)
                                & (fixed_rows["day"] <= last_day)]
        if keep is not None:
            fixed_rows = fixed_rows[fixed_rows["agent_id"].isin(keep)]
        _check_fixed(rows, fixed_rows, found)

    earlier = None
    if previous is not None:
        earlier = _rows(previous, "previous")
        earlier = earlier[(earlier["day"] < first_day)
                          & earlier["agent_id"].isin(rows["agent_id"].unique())]
        earlier = earlier.assign(state=_states(earlier["shift"], codes))
        earlier = earlier[earlier["state"] != _UNKNOWN].drop_duplicates(["agent_id", "day"])
    _check_sequences(rows[rows["state"] != _UNKNOWN], earlier, table, config,
                     (first_day, last_day), found)
    return found.result()


def _shift_lookup(config: SiteConfig) -> dict[str, int]:
    codes: dict[str, int] = {"OFF": _OFF, "LEAVE": _LEAVE}
    for s, template in enumerate(config.shifts):
        codes[template.code] = s
    for s, template in enumerate(config.shifts):
        codes.setdefault(template.code.upper(), s)
    return codes


def _states(shifts: pd.Series, codes: dict[str, int]) -> np.ndarray:
    """Grid state of each shift code: template index, OFF, LEAVE or unknown (any case)."""
    state = shifts.map(codes)
    state = state.fillna(shifts.str.upper().map(codes))
    return state.fillna(_UNKNOWN).to_numpy(dtype=np.int64)


def _check_identity(rows: pd.DataFrame, table: pd.DataFrame, config: SiteConfig,
                    found: _Collector) -> pd.DataFrame:
    """unknown_agent, unknown_shift, one_shift_per_day; returns one row per agent and day."""
    unknown = rows[~rows["agent_id"].isin(table.index)]
    spans = unknown.groupby("agent_id")["day"].agg(["min", "max", "size"])
    for agent_id, first, last, size in zip(spans.index.tolist(), spans["min"].tolist(),
                                           spans["max"].tolist(), spans["size"].tolist(),
                                           strict=True):
        found.add("unknown_agent", agent_id, first,
                  f"agent {agent_id!r} is in the roster ({size} row(s), {_iso(first)}.."
                  f"{_iso(last)}) but not in the agents table")
    known = ", ".join([t.code for t in config.shifts] + ["OFF", "LEAVE"])
    for row in _each(rows[rows["state"] == _UNKNOWN]):
        found.add("unknown_shift", row.agent_id, row.day,
                  f"{row.agent_id} on {_iso(row.day)}: shift {row.shift!r} is not a shift "
                  f"template (known: {known})")
    repeated = rows.duplicated(["agent_id", "day"], keep=False)
    same_day: dict[tuple[str, int], list[str]] = {}
    for row in _each(rows[repeated]):
        same_day.setdefault((row.agent_id, row.day), []).append(row.shift)
    for (agent_id, day), shifts in same_day.items():
        found.add("one_shift_per_day", agent_id, day,
                  f"{agent_id} has {len(shifts)} rows on {_iso(day)} ({', '.join(shifts)}); one "
                  "per day is allowed")
    return rows.drop_duplicates(["agent_id", "day"])


def _check_rows(rows: pd.DataFrame, table: pd.DataFrame, several_queues: bool,
                config: SiteConfig, found: _Collector) -> None:
    """skill, missing_queue and outside_contract: rules of single working rows."""
    working = rows[rows["state"] >= 0]
    if working.empty:
        return
    known = working[working["agent_id"].isin(table.index)]
    skills = table["skills"].reindex(known["agent_id"]).to_numpy()
    has_queue = (known["queue"] != "").to_numpy()
    skilled = np.fromiter((q in s for q, s in zip(known["queue"], skills, strict=True)),
                          dtype=bool, count=len(known))
    for row, agent_skills in zip(_each(known[has_queue & ~skilled]),
                                 skills[has_queue & ~skilled], strict=True):
        found.add("skill", row.agent_id, row.day,
                  f"{row.agent_id} works {row.shift} on {_iso(row.day)} for queue "
                  f"{row.queue!r}, which is not one of {row.agent_id}'s skills "
                  f"({', '.join(agent_skills) or 'none'})")
    if several_queues:
        for row in _each(working[working["queue"] == ""]):
            found.add("missing_queue", row.agent_id, row.day,
                      f"{row.agent_id} works {row.shift} on {_iso(row.day)} with no queue; the "
                      "site has several queues, so each working row must name one")
    start = table["start_day"].reindex(known["agent_id"]).to_numpy()
    end = table["end_day"].reindex(known["agent_id"]).to_numpy()
    day = known["day"].to_numpy()
    early = day < np.nan_to_num(start, nan=-np.inf)
    late = day > np.nan_to_num(end, nan=np.inf)
    for row, first, last, is_early in zip(_each(known[early | late]), start[early | late],
                                          end[early | late], early[early | late], strict=True):
        bound = (f"before the contract starts on {_iso(first)}" if is_early
                 else f"after the contract ended on {_iso(last)}")
        found.add("outside_contract", row.agent_id, row.day,
                  f"{row.agent_id} works {row.shift} on {_iso(row.day)}, {bound}")


def _check_leave(rows: pd.DataFrame, leave: pd.DataFrame, keep: set[str] | None,
                 found: _Collector) -> None:
    """Approved leave is not worked, and LEAVE is only rostered on approved leave."""
    if keep is not None:
        leave = leave[leave["agent_id"].isin(keep)]
    approved = set(zip(leave["agent_id"], leave["day"].tolist(), strict=True))
    pairs = list(zip(rows["agent_id"], rows["day"].tolist(), strict=True))
    on_leave = np.fromiter((p in approved for p in pairs), dtype=bool, count=len(pairs))
    state = rows["state"].to_numpy()
    for row in _each(rows[on_leave & (state >= 0)]):
        found.add("leave", row.agent_id, row.day,
                  f"{row.agent_id} has approved leave on {_iso(row.day)} but is rostered "
                  f"{row.shift}")
    for row in _each(rows[~on_leave & (state == _LEAVE)]):
        found.add("leave", row.agent_id, row.day,
                  f"{row.agent_id} is rostered LEAVE on {_iso(row.day)} without approved leave")


def _check_fixed(rows: pd.DataFrame, fixed: pd.DataFrame, found: _Collector) -> None:
    """Pinned assignments appear in the roster with the pinned shift (and queue when given)."""
    pinned_agents = rows[rows["agent_id"].isin(fixed["agent_id"])]
    rostered = {(row.agent_id, row.day): row for row in _each(pinned_agents)}
    for row in _each(fixed):
        pinned = row.shift + (f" on queue {row.queue!r}" if row.queue else "")
        got = rostered.get((row.agent_id, row.day))
        if got is None:
            found.add("fixed", row.agent_id, row.day,
                      f"{row.agent_id} is pinned to {pinned} on {_iso(row.day)} but the roster "
                      "has no row for that day")
            continue
        same_shift = row.shift.upper() == got.shift.upper()
        same_queue = not row.queue or row.queue == got.queue
        if not (same_shift and same_queue):
            actual = got.shift + (f" on queue {got.queue!r}" if got.queue else "")
            found.add("fixed", row.agent_id, row.day,
                      f"{row.agent_id} is pinned to {pinned} on {_iso(row.day)} but rostered "
                      f"{actual}")


# ---- rules over sequences of days ------------------------------------------------------------

def _check_sequences(rows: pd.DataFrame, earlier: pd.DataFrame | None, table: pd.DataFrame,
                     config: SiteConfig, horizon: tuple[int, int], found: _Collector) -> None:
    """Consecutive days, weekly rest days, rest hours and weekly nights on an agent x day grid."""
    if rows.empty:
        return
    both = rows if earlier is None or earlier.empty else pd.concat([earlier, rows])
    agent_names, agent_index = np.unique(both["agent_id"].to_numpy(dtype=str),
                                         return_inverse=True)
    day = both["day"].to_numpy()
    origin = int(day.min()) - _weekday(int(day.min()))  # a Monday
    num_days = (horizon[1] - _weekday(horizon[1]) + 7) - origin  # through a Sunday
    state = np.full((len(agent_names), num_days), _UNKNOWN, dtype=np.int64)
    state[agent_index, day - origin] = both["state"].to_numpy()
    in_horizon = np.zeros(num_days, dtype=bool)
    in_horizon[horizon[0] - origin: horizon[1] - origin + 1] = True
    grid = _Grid(agent_names, origin, state, in_horizon)
    _check_consecutive(grid, config.rules.max_consecutive_days, found)
    _check_week_rest(grid, config.rules.min_rest_days_per_week, found)
    _check_rest_hours(grid, config, found)
    nights = table["max_nights"].reindex(agent_names).to_numpy(dtype=float)
    if not np.isnan(nights).all():
        _check_nights(grid, config, nights, found)


def _weekday(day: int) -> int:
    """0 for Monday (1970-01-01, day 0, was a Thursday)."""
    return (day + 3) % 7


class _Grid:
    """Agents x days states (template index, OFF, LEAVE or unknown) from a Monday on."""

    def __init__(self, agents: np.ndarray, origin: int, state: np.ndarray,
                 in_horizon: np.ndarray) -> None:
        self.agents = agents
        self.origin = origin
        self.state = state
        self.in_horizon = in_horizon
        self.working = state >= 0

    def weeks(self, values: np.ndarray) -> np.ndarray:
        return values.reshape(values.shape[0], -1, 7)

    def week_in_horizon(self) -> np.ndarray:
        return np.asarray(self.in_horizon.reshape(-1, 7).any(axis=1))


def _check_consecutive(grid: _Grid, limit: int, found: _Collector) -> None:
    working = grid.working
    num_days = working.shape[1]
    index = np.arange(num_days)
    last_break = np.maximum.accumulate(np.where(working, -1, index), axis=1)
    next_break = np.minimum.accumulate(np.where(working, num_days, index)[:, ::-1],
                                       axis=1)[:, ::-1]
    run = index - last_break  # length of the run so far, on working days
    horizon_start = int(np.argmax(grid.in_horizon))
    first_over = (run == limit + 1) | (index == horizon_start)
    agent, d = np.nonzero(working & (run > limit) & first_over & grid.in_horizon)
    for a, t in zip(agent, d, strict=True):
        start, end = t - run[a, t] + 1, next_break[a, t] - 1
        name = grid.agents[a]
        found.add("max_consecutive_days", name, grid.origin + t,
                  f"{name} works {end - start + 1} days in a row "
                  f"{_iso(grid.origin + start)}..{_iso(grid.origin + end)} (max {limit})")


def _check_week_rest(grid: _Grid, minimum: int, found: _Collector) -> None:
    if minimum <= 0:
        return
    weeks = grid.weeks(grid.state)
    known = (weeks != _UNKNOWN).all(axis=2)
    rest = ((weeks == _OFF) | (weeks == _LEAVE)).sum(axis=2)
    agent, w = np.nonzero(known & (rest < minimum) & grid.week_in_horizon()[None, :])
    for a, k in zip(agent, w, strict=True):
        monday = grid.origin + 7 * k
        name = grid.agents[a]
        found.add("min_rest_days_per_week", name, monday,
                  f"{name} has {rest[a, k]} rest day(s) in the week {_iso(monday)}.."
                  f"{_iso(monday + 6)} (min {minimum})")


def _check_nights(grid: _Grid, config: SiteConfig, limits: np.ndarray,
                  found: _Collector) -> None:
    night_of = np.array([is_night_shift(t) for t in config.shifts])
    nights = grid.working & night_of[np.where(grid.working, grid.state, 0)]
    counts = grid.weeks(nights).sum(axis=2)
    over = counts > np.nan_to_num(limits, nan=np.inf)[:, None]
    # the roster is to blame only when it adds a night to the week
    added = grid.weeks(nights & grid.in_horizon[None, :]).any(axis=2)
    agent, w = np.nonzero(over & added)
    for a, k in zip(agent, w, strict=True):
        monday = grid.origin + 7 * k
        name = grid.agents[a]
        found.add("max_nights_per_week", name, monday,
                  f"{name} works {counts[a, k]} night shift(s) in the week {_iso(monday)}.."
                  f"{_iso(monday + 6)} (max {int(limits[a])})")


def _check_rest_hours(grid: _Grid, config: SiteConfig, found: _Collector) -> None:
    agent, d = np.nonzero(grid.working)  # row-major: by agent, then day
    if len(agent) < 2:
        return
    template = grid.state[agent, d]
    start_minute = np.array([t.start_minute for t in config.shifts])[template]
    duration = np.array([t.duration_minutes for t in config.shifts])[template]
    local_start = (grid.origin + d) * MINUTES_PER_DAY + start_minute
    local_end = local_start + duration
    start_s = _utc_seconds(local_start, config)
    end_s = _utc_seconds(local_end, config)
    rest_s = start_s[1:] - end_s[:-1]
    limit_s = config.rules.min_rest_hours * 3600
    short = (agent[1:] == agent[:-1]) & (rest_s < limit_s) & grid.in_horizon[d[1:]]
    for i in np.flatnonzero(short):
        name = grid.agents[agent[i]]
        before, after = config.shifts[template[i]].code, config.shifts[template[i + 1]].code
        found.add("min_rest_hours", name, grid.origin + d[i + 1],
                  f"{name} rests {_hours(rest_s[i])} h between {before} ending "
                  f"{_clock(local_end[i])} and {after} starting {_clock(local_start[i + 1])} "
                  f"(min {config.rules.min_rest_hours:g} h)")


def _utc_seconds(local_minutes: np.ndarray, config: SiteConfig) -> np.ndarray:
    """Seconds since the epoch of local wall-clock minutes in the site timezone.

    A wall-clock time repeated by a DST change is taken at its first occurrence; one skipped by
    it moves forward to the first valid time.
    """
    distinct, position = np.unique(local_minutes, return_inverse=True)  # few: days x shifts
    naive = pd.DatetimeIndex(distinct.astype("datetime64[m]"))
    aware = wall_clock_instant(naive, config.timezone)
    return np.asarray(aware.as_unit("s").asi8, dtype=np.int64)[position]


def violations_frame(violations: list[Violation]) -> pd.DataFrame:
    """Violations as a table with columns code, agent_id, date, message."""
    return pd.DataFrame([v.as_dict() for v in violations],
                        columns=["code", "agent_id", "date", "message"])


# ---- small inputs: the same checks on plain Python values ------------------------------------

SMALL_INPUT_ROWS = 2000
"""Up to this many roster rows, ``check_roster_rows`` is cheaper than the pandas path."""

_UTC_CACHE: dict[tuple[str, int], int] = {}


def check_roster_rows(
    rows: Iterable[tuple[str, date, str, str]],
    agents: Iterable[dict[str, object]] | pd.DataFrame,
    config: SiteConfig,
    *,
    requirement_queues: list[str] | None = None,
    agent_ids: Iterable[str] | None = None,
) -> list[Violation]:
    """``check_roster`` for small inputs given as plain Python values (no previous roster,
    leave or fixed table): the same violations, without the per-call cost of pandas.

    Parameters
    ----------
    rows
        ``(agent_id, date, shift, queue)`` tuples; ``date`` a ``datetime.date``, ``queue`` text
        ("" or None when absent).
    agents
        Agent records (``agent_id, skills[, max_nights_per_week, start_date, end_date]``) or
        the agents table.
    requirement_queues, agent_ids
        As in ``check_roster``.
    """
    table = [_clean_row(r) for r in rows]
    if not table:
        return []
    first_day = min(r[1] for r in table)
    last_day = max(r[1] for r in table)
    records = (agents.to_dict("records") if isinstance(agents, pd.DataFrame) else list(agents))
    people: dict[str, tuple[tuple[str, ...], float, float, float]] = {}
    for record in records:
        name = _clean_text(record.get("agent_id"))
        if name not in people:
            people[name] = (_skills(record.get("skills")),
                            _number(record.get("max_nights_per_week")),
                            _day_or_nan(record.get("start_date")),
                            _day_or_nan(record.get("end_date")))
    site_queues = set(requirement_queues or [])
    for skills, *_ in people.values():
        site_queues.update(skills)
    if agent_ids is not None:
        keep = {str(a).strip() for a in agent_ids}
        table = [r for r in table if r[0] in keep]

    codes = _shift_lookup(config)
    found = _Collector()
    known_codes = ", ".join([t.code for t in config.shifts] + ["OFF", "LEAVE"])
    spans: dict[str, list[int]] = {}
    seen: dict[tuple[str, int], list[str]] = {}
    unique: list[tuple[str, int, str, str, int]] = []
    for agent_id, day, shift, queue in table:
        state = codes.get(shift)
        if state is None:
            state = codes.get(shift.upper(), _UNKNOWN)
        if agent_id not in people:
            span = spans.setdefault(agent_id, [day, day, 0])
            span[0], span[1], span[2] = min(span[0], day), max(span[1], day), span[2] + 1
        if state == _UNKNOWN:
            found.add("unknown_shift", agent_id, day,
                      f"{agent_id} on {_iso(day)}: shift {shift!r} is not a shift template "
                      f"(known: {known_codes})")
        shifts = seen.get((agent_id, day))
        if shifts is None:
            seen[(agent_id, day)] = [shift]
            unique.append((agent_id, day, shift, queue, state))
        else:
            shifts.append(shift)
    for agent_id, (first, last, size) in spans.items():
        found.add("unknown_agent", agent_id, first,
                  f"agent {agent_id!r} is in the roster ({size} row(s), {_iso(first)}.."
                  f"{_iso(last)}) but not in the agents table")
    for (agent_id, day), shifts in seen.items():
        if len(shifts) > 1:
            found.add("one_shift_per_day", agent_id, day,
                      f"{agent_id} has {len(shifts)} rows on {_iso(day)} ({', '.join(shifts)}); "
                      "one per day is allowed")

    several_queues = len(site_queues) > 1
    for agent_id, day, shift, queue, state in unique:
        if state < 0:
            continue
        if several_queues and queue == "":
            found.add("missing_queue", agent_id, day,
                      f"{agent_id} works {shift} on {_iso(day)} with no queue; the site has "
                      "several queues, so each working row must name one")
        person = people.get(agent_id)
        if person is None:
            continue
        skills, _, start, end = person
        if queue != "" and queue not in skills:
            found.add("skill", agent_id, day,
                      f"{agent_id} works {shift} on {_iso(day)} for queue {queue!r}, which is "
                      f"not one of {agent_id}'s skills ({', '.join(skills) or 'none'})")
        early = start == start and day < start
        if early or (end == end and day > end):
            bound = (f"before the contract starts on {_iso(int(start))}" if early
                     else f"after the contract ended on {_iso(int(end))}")
            found.add("outside_contract", agent_id, day,
                      f"{agent_id} works {shift} on {_iso(day)}, {bound}")

    sequences = [r for r in unique if r[4] != _UNKNOWN]
    if sequences:
        _sequences_small(sequences, people, config, (first_day, last_day), found)
    return found.result()


def _clean_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _clean_row(row: tuple[str, date, str, str]) -> tuple[str, int, str, str]:
    agent_id, day, shift, queue = row
    if type(day) is not date:
        raise InvalidInput(f"expected a date, got {day!r}", file="roster", field="date")
    return (_clean_text(agent_id), day.toordinal() - _EPOCH_ORDINAL, _clean_text(shift),
            _clean_text(queue))


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return number


def _day_or_nan(value: object) -> float:
    if value is None or value is pd.NaT or value == "" or (isinstance(value, float)
                                                            and value != value):
        return float("nan")
    return float(_day_numbers(pd.Series([value]), "agents")[0])


def _utc_seconds_cached(local_minutes: list[int], config: SiteConfig) -> list[int]:
    zone = config.timezone
    missing = sorted({m for m in local_minutes if (zone, m) not in _UTC_CACHE})
    if missing:
        if len(_UTC_CACHE) > 200_000:
            _UTC_CACHE.clear()
        for minute, seconds in zip(missing, _utc_seconds(np.array(missing, dtype=np.int64),
                                                         config).tolist(), strict=True):
            _UTC_CACHE[(zone, minute)] = int(seconds)
    return [_UTC_CACHE[(zone, m)] for m in local_minutes]


def _clock_small(minutes_since_epoch: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(minutes=minutes_since_epoch)).strftime(
        "%Y-%m-%d %H:%M")


def _sequences_small(rows: list[tuple[str, int, str, str, int]],
                     people: dict[str, tuple[tuple[str, ...], float, float, float]],
                     config: SiteConfig, horizon: tuple[int, int], found: _Collector) -> None:
    """``_check_sequences`` on per-agent lists of states."""
    lowest = min(r[1] for r in rows)
    origin = lowest - _weekday(lowest)
    num_days = (horizon[1] - _weekday(horizon[1]) + 7) - origin
    in_horizon = [False] * num_days
    start_index, stop_index = horizon[0] - origin, horizon[1] - origin + 1
    span = len(in_horizon[start_index:stop_index])
    in_horizon[start_index:stop_index] = [True] * span
    horizon_start = in_horizon.index(True) if True in in_horizon else 0
    weeks_in_horizon = [any(in_horizon[7 * k:7 * k + 7]) for k in range(num_days // 7)]
    grids: dict[str, list[int]] = {}
    for agent_id, day, _, _, state in rows:
        grid = grids.get(agent_id)
        if grid is None:
            grid = grids[agent_id] = [_UNKNOWN] * num_days
        grid[day - origin] = state
    rules = config.rules
    limit = rules.max_consecutive_days
    minimum = rules.min_rest_days_per_week
    night_of = [is_night_shift(t) for t in config.shifts]
    limits = {name: people[name][1] if name in people else float("nan") for name in grids}
    check_nights = any(v == v for v in limits.values())
    limit_s = rules.min_rest_hours * 3600
    starts = [t.start_minute for t in config.shifts]
    durations = [t.duration_minutes for t in config.shifts]
    for name in sorted(grids):
        grid = grids[name]
        # consecutive working days
        run = 0
        for t, state in enumerate(grid):
            if state < 0:
                run = 0
                continue
            run += 1
            if run > limit and (run == limit + 1 or t == horizon_start) and in_horizon[t]:
                end = t
                while end + 1 < num_days and grid[end + 1] >= 0:
                    end += 1
                first = t - run + 1
                found.add("max_consecutive_days", name, origin + t,
                          f"{name} works {end - first + 1} days in a row "
                          f"{_iso(origin + first)}..{_iso(origin + end)} (max {limit})")
        # weekly rest days and nights
        nights_limit = limits[name]
        for k in range(num_days // 7):
            week = grid[7 * k:7 * k + 7]
            monday = origin + 7 * k
            if minimum > 0 and weeks_in_horizon[k] and _UNKNOWN not in week:
                rest = sum(1 for s in week if s in (_OFF, _LEAVE))
                if rest < minimum:
                    found.add("min_rest_days_per_week", name, monday,
                              f"{name} has {rest} rest day(s) in the week {_iso(monday)}.."
                              f"{_iso(monday + 6)} (min {minimum})")
            if check_nights and nights_limit == nights_limit:
                nights = [s >= 0 and night_of[s] for s in week]
                count = sum(nights)
                added = any(n and in_horizon[7 * k + i] for i, n in enumerate(nights))
                if count > nights_limit and added:
                    found.add("max_nights_per_week", name, monday,
                              f"{name} works {count} night shift(s) in the week "
                              f"{_iso(monday)}..{_iso(monday + 6)} (max {int(nights_limit)})")
    # rest hours between consecutive shifts of an agent
    shifts = [(name, t, state) for name in sorted(grids)
              for t, state in enumerate(grids[name]) if state >= 0]
    if len(shifts) < 2:
        return
    local_start = [(origin + t) * MINUTES_PER_DAY + starts[s] for _, t, s in shifts]
    local_end = [m + durations[s] for m, (_, _, s) in zip(local_start, shifts, strict=True)]
    start_s = _utc_seconds_cached(local_start, config)
    end_s = _utc_seconds_cached(local_end, config)
    for i in range(len(shifts) - 1):
        (name, _, before), (other, t, after) = shifts[i], shifts[i + 1]
        rest_s = start_s[i + 1] - end_s[i]
        if name == other and rest_s < limit_s and in_horizon[t]:
            found.add("min_rest_hours", name, origin + t,
                      f"{name} rests {_hours(rest_s)} h between {config.shifts[before].code} "
                      f"ending {_clock_small(local_end[i])} and {config.shifts[after].code} "
                      f"starting {_clock_small(local_start[i + 1])} "
                      f"(min {config.rules.min_rest_hours:g} h)")
