"""The roster problem as plain data: index maps, availability, previous tails and demand.

Everything the models need is computed here once from the input tables, so that the model
builders never touch a DataFrame. Unknown names (shift codes, agents in the leave table ...) raise
``InvalidInput`` while the problem is built.

Conventions: ``a`` agent, ``d`` horizon day, ``s`` shift type, ``q`` queue, ``t`` interval.
Roster states are encoded as integers: a shift index ``s >= 0``, ``OFF = -1``, ``LEAVE = -2`` and
``UNKNOWN = -3`` (a previous day the previous roster does not show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.coverage import covered_offsets_minutes
from wfm.errors import InvalidInput
from wfm.rules import is_night_shift
from wfm.tables import WEEKDAYS
from wfm.teams import coverage_classes_of, team_of, teams_of

OFF = -1
LEAVE = -2
UNKNOWN = -3


@dataclass(frozen=True)
class Weights:
    """Integer weights of the soft goals (``config.roster.weights`` by name).

    Defaults put coverage far above everything else, then fairness, then preferences.
    """

    coverage: int = 100        # per agent-interval short, times the convex step cost
    overstaffing: int = 2      # per agent-interval over the requirement
    fairness_nights: int = 4   # per night of spread in a team (fair_share.team_spread)
    fairness_weekend: int = 4  # per weekend rest day of spread in a team (the same)
    fair_share_nights: int = 1   # per tenth of a night an agent is from its team fair share
    fair_share_weekend: int = 1  # per tenth of a weekend rest day from the fair share
    # (both rise x2 past half a day and x3 past a day, x50 beyond the band: fair_share.py)
    switches: int = 3          # per change of shift type between consecutive working days
    quick_returns: int = 20    # per later-to-earlier shift change on consecutive days
    preferences: int = 2       # per worked preferred rest day

    @classmethod
    def from_config(cls, weights: dict[str, float]) -> Weights:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(weights) - known)
        if unknown:
            raise InvalidInput(f"unknown roster weight(s) {', '.join(unknown)}; known: "
                               f"{', '.join(sorted(known))}")
        return cls(**{k: int(round(v)) for k, v in weights.items()})


# Convex shortfall cost: unit k short in one interval costs STEP_COSTS of its segment.
SEGMENT_WIDTHS = (1, 1, 2, 4)   # then an open last segment
STEP_COSTS = (1, 2, 3, 4, 6)


def shortfall_cost(units: int | np.ndarray) -> np.ndarray:
    """Convex cost of ``units`` agents short in one interval (before the coverage weight).

    The k-th missing agent costs 1, 2, 3, 3, 4, 4, 4, 4, 6, 6, ... so one interval five short
    (13) costs more than five intervals one short (5).
    """
    units = np.asarray(units, dtype=np.int64)
    cost = np.zeros_like(units)
    left = units.copy()
    for width, step in zip((*SEGMENT_WIDTHS, None), STEP_COSTS, strict=True):
        take = left if width is None else np.minimum(left, width)
        cost += take * step
        left = left - take
    return cost


@dataclass(frozen=True)
class RosterProblem:
    """Index maps and arrays describing one roster instance (see module docstring)."""

    config: SiteConfig
    dates: tuple[date, ...]
    shift_codes: tuple[str, ...]
    shift_start: np.ndarray          # (S,) minutes after the date's midnight
    shift_end: np.ndarray            # (S,) minutes after the date's midnight (may exceed 1440)
    night: np.ndarray                # (S,) bool
    queues: tuple[str, ...]
    agent_ids: tuple[str, ...]
    agent_index: dict[str, int]
    skills: tuple[tuple[int, ...], ...]  # queue indices per agent
    max_nights: np.ndarray           # (A,) -1 = no cap
    preferred_rest: np.ndarray       # (A, 7) bool, Mon..Sun
    forced: np.ndarray               # (A, D) OFF/LEAVE forced, or UNKNOWN (free)
    fixed_shift: np.ndarray          # (A, D) shift index pinned, or UNKNOWN
    fixed_queue: np.ndarray          # (A, D) queue index pinned, or -1 (any of the skills)
    previous: np.ndarray             # (A, P) state on the P days before the horizon
    interval_starts: tuple[pd.Timestamp, ...]  # naive local
    required: np.ndarray             # (T, Q) scheduled_agents
    cover: tuple[tuple[np.ndarray, ...], ...]  # cover[d][s] -> interval indices
    max_consecutive_days: int
    min_rest_days_per_week: int
    min_rest_minutes: int
    weights: Weights = field(default_factory=Weights)
    leave_known: bool = False        # a leave table was given: LEAVE only on approved leave
    max_consecutive_nights: int = 0  # 0: no limit
    # (A, H) states on the H = 7 x fairness_weeks days before the horizon (UNKNOWN where the
    # previous roster has no row): the nights and weekend rest that count towards fair shares
    history: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    # ---- sizes -------------------------------------------------------------------------------
    @property
    def num_agents(self) -> int:
        return len(self.agent_ids)

    @property
    def num_days(self) -> int:
        return len(self.dates)

    @property
    def num_shifts(self) -> int:
        return len(self.shift_codes)

    @property
    def num_queues(self) -> int:
        return len(self.queues)

    @property
    def num_previous(self) -> int:
        return int(self.previous.shape[1])

    # ---- derived facts -----------------------------------------------------------------------
    def hours_key(self, states: np.ndarray) -> np.ndarray:
        """For shift indices ``states`` (>= 0), a number equal exactly for shift types with the
        same start and end (e.g. two day shifts that differ only in their fixed breaks): a
        change between such types is no change of working hours."""
        clipped = np.clip(states, 0, None)
        return self.shift_start[clipped] * 100_000 + self.shift_end[clipped]

    def same_hours(self, s1: int, s2: int) -> bool:
        """Whether shift types ``s1`` and ``s2`` start and end at the same time."""
        return bool(self.shift_start[s1] == self.shift_start[s2]
                    and self.shift_end[s1] == self.shift_end[s2])

    def rest_states(self) -> np.ndarray:
        """(A, D) what each day is when the agent does not work: a pinned OFF or LEAVE as
        pinned, otherwise approved leave (LEAVE) or outside the contract (OFF), otherwise OFF.
        A copy the caller may change (``rest_state_table`` to read only)."""
        return self.rest_state_table.copy()

    @cached_property
    def rest_state_table(self) -> np.ndarray:
        """``rest_states()``, computed once and read-only (per-agent callers index it)."""
        pinned_rest = np.isin(self.fixed_shift, (OFF, LEAVE))
        base = np.where(self.forced != UNKNOWN, self.forced, OFF)
        table = np.where(pinned_rest, self.fixed_shift, base).astype(np.int64)
        table.flags.writeable = False
        return table

    @cached_property
    def has_forced_day(self) -> np.ndarray:
        """(A,) whether the agent has a day of approved leave or outside its contract."""
        return (self.forced != UNKNOWN).any(axis=1)

    @cached_property
    def memo(self) -> dict:
        """Lookups derived once per problem by the modules that use them (e.g. which rules'
        checks apply, ``legal.agent_violations``); never the roster. Not pickled: its keys
        may be object ids, which mean nothing in another process."""
        return {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("memo", None)
        return state

    @cached_property
    def entering_runs(self) -> np.ndarray:
        """(A,) working days in a row each agent ends the previous roster with. Read-only."""
        runs = np.zeros(self.num_agents, dtype=np.int64)
        for i in range(self.num_previous):
            runs = np.where(self.previous[:, i] >= 0, runs + 1, 0)
        runs.flags.writeable = False
        return runs

    @cached_property
    def assignable(self) -> np.ndarray:
        """(A, D) the days the solver decides: no leave, no day outside the contract, no pin.
        Read-only."""
        table = (self.forced == UNKNOWN) & (self.fixed_shift == UNKNOWN)
        table.flags.writeable = False
        return table

    @cached_property
    def skilled(self) -> np.ndarray:
        """(Q, A) whether each agent has each queue's skill. Read-only."""
        table = np.zeros((self.num_queues, self.num_agents), dtype=bool)
        for a, skills in enumerate(self.skills):
            table[list(skills), a] = True
        table.flags.writeable = False
        return table

    @cached_property
    def fixed_days(self) -> list[list[int]]:
        """Each agent's pinned days (``fixed_shift`` set), in day order."""
        return [np.flatnonzero(row != UNKNOWN).tolist() for row in self.fixed_shift]

    def weekday(self, d: int) -> int:
        return self.dates[d].weekday()

    def state_on(self, a: int, day: int, roster: np.ndarray | None = None) -> int:
        """State of agent ``a`` on horizon day ``day`` (negative: previous days)."""
        if day < 0:
            index = self.num_previous + day
            return int(self.previous[a, index]) if index >= 0 else UNKNOWN
        if roster is None or day >= self.num_days:
            return UNKNOWN
        return int(roster[a, day])

    def forbidden_gap(self, s_before: int, s_after: int, days_apart: int) -> bool:
        """True when shift ``s_after`` ``days_apart`` days after ``s_before`` rests too little."""
        gap = days_apart * 1440 + int(self.shift_start[s_after]) - int(self.shift_end[s_before])
        return gap < self.min_rest_minutes

    @cached_property
    def rest_span_days(self) -> int:
        """How many days apart two shifts can still break the minimum rest."""
        longest = int(self.shift_end.max() - self.shift_start.min())
        return max(1, -(-(self.min_rest_minutes + longest) // 1440))

    @cached_property
    def forbidden_gaps(self) -> np.ndarray:
        """(rest_span_days, S, S) ``forbidden_gap`` for every pair of shifts ``k + 1`` days
        apart, for the vectorised checks on many rows at once."""
        num = self.num_shifts
        return np.array([[[self.forbidden_gap(s, t, k) for t in range(num)] for s in range(num)]
                         for k in range(1, self.rest_span_days + 1)], dtype=bool)

    def weeks(self) -> list[tuple[list[int], list[int]]]:
        """Monday-Sunday weeks touching the horizon: (horizon days, previous offsets < 0).
        Computed once: the per-agent checks ask for them on every row they check."""
        return self._weeks

    @cached_property
    def _weeks(self) -> list[tuple[list[int], list[int]]]:
        out: list[tuple[list[int], list[int]]] = []
        first_monday = self.dates[0] - timedelta(days=self.dates[0].weekday())
        monday = first_monday
        while monday <= self.dates[-1]:
            days = [(monday + timedelta(days=i) - self.dates[0]).days for i in range(7)]
            inside = [d for d in days if 0 <= d < self.num_days]
            before = [d for d in days if d < 0]
            if len(inside) + len(before) == 7:  # ends inside the horizon
                out.append((inside, before))
            monday += timedelta(days=7)
        return out

    def week_known(self, a: int, before: list[int]) -> bool:
        return all(self.state_on(a, d) != UNKNOWN for d in before)

    def skill_names(self, a: int) -> tuple[str, ...]:
        return tuple(self.queues[q] for q in self.skills[a])

    def teams(self) -> list[list[int]]:
        """The agents of each team (``wfm.teams``: the same skill set), the fairness group."""
        return list(teams_of(self.skill_names(a) for a in range(self.num_agents)).values())

    def coverage_classes(self) -> list[list[int]]:
        """The agents of each coverage class (``wfm.teams``: a team split by night cap),
        interchangeable in the aggregate head-count model."""
        return list(coverage_classes_of((self.skill_names(a) for a in range(self.num_agents)),
                                        self.max_nights.tolist()).values())



def available(problem: RosterProblem) -> np.ndarray:
    """(A, D) True where the agent may work (not on leave, in contract, not pinned to rest)."""
    return (problem.forced == UNKNOWN) & ~np.isin(problem.fixed_shift, (OFF, LEAVE))


# ---- building the problem from tables --------------------------------------------------------

def _dates(value: object) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _optional(frame: pd.DataFrame | None, column: str) -> pd.Series:
    if frame is None or column not in frame.columns:
        return pd.Series([None] * (0 if frame is None else len(frame)), dtype=object)
    return frame[column]


def horizon_dates(requirement: pd.DataFrame, config: SiteConfig) -> tuple[date, ...]:
    """Every date from the requirement's first to its last interval date."""
    if requirement.empty:
        raise InvalidInput("the requirement table has no rows: nothing to roster")
    local = pd.to_datetime(requirement["interval_start"])
    if local.dt.tz is not None:
        local = local.dt.tz_convert(config.tz).dt.tz_localize(None)
    first, last = local.min().date(), local.max().date()
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def _check_every_queue_has_skilled_agents(requirement: pd.DataFrame,
                                          agents: pd.DataFrame) -> None:
    """A queue with demand that no agent can serve is almost always a naming mismatch
    (e.g. a forecast without a queue column is queue ``default``); say so instead of
    returning an all-OFF roster."""
    skilled = {q for skills in agents["skills"] for q in team_of(skills)}
    demand = requirement.groupby(requirement["queue"].astype(str))["scheduled_agents"].sum()
    orphan = sorted(str(q) for q, total in demand.items() if total > 0 and q not in skilled)
    if orphan:
        raise InvalidInput(
            f"no agent has the skill for queue(s) {', '.join(orphan)} that the requirement "
            f"needs; the agents' skills name: {', '.join(sorted(skilled)) or 'nothing'} "
            "(queue names must match; a forecast without a queue column uses 'default')",
            field="skills")


def build_problem(requirement: pd.DataFrame, agents: pd.DataFrame, config: SiteConfig, *,
                  leave: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                  fixed: pd.DataFrame | None = None) -> RosterProblem:
    """Turn the input tables (as ``wfm.tables.read_table`` returns them) into a problem."""
    dates = horizon_dates(requirement, config)
    day_index = {d: i for i, d in enumerate(dates)}
    codes = tuple(t.code for t in config.shifts)
    shift_index = {c: i for i, c in enumerate(codes)}
    starts = np.array([t.start_minute for t in config.shifts], dtype=np.int64)
    ends = starts + np.array([t.duration_minutes for t in config.shifts], dtype=np.int64)
    night = np.array([is_night_shift(t) for t in config.shifts])  # the checker's definition

    if agents.empty:
        raise InvalidInput("the agents table has no rows: nobody to roster")
    agent_ids = tuple(str(a) for a in agents["agent_id"])
    agent_index = {a: i for i, a in enumerate(agent_ids)}
    _check_every_queue_has_skilled_agents(requirement, agents)
    queue_names = set(requirement["queue"].astype(str))
    for skills in agents["skills"]:
        queue_names.update(team_of(skills))
    queues = tuple(sorted(queue_names))
    queue_index = {q: i for i, q in enumerate(queues)}
    # each agent's team as queue indices (sorted, as the queue names are)
    skills = tuple(tuple(queue_index[q] for q in team_of(s)) for s in agents["skills"])

    num_agents, num_days = len(agent_ids), len(dates)
    max_nights = np.full(num_agents, -1, dtype=np.int64)
    for a, value in enumerate(_optional(agents, "max_nights_per_week")):
        if value is not None and not pd.isna(value):
            max_nights[a] = int(value)
    preferred = np.zeros((num_agents, 7), dtype=bool)
    for a, days in enumerate(_optional(agents, "preferred_rest_days")):
        if isinstance(days, tuple | list):
            for name in days:
                preferred[a, WEEKDAYS.index(str(name))] = True

    forced = np.full((num_agents, num_days), UNKNOWN, dtype=np.int64)
    for a, (start, end) in enumerate(zip(_optional(agents, "start_date"),
                                         _optional(agents, "end_date"), strict=True)):
        for d, day in enumerate(dates):
            if (start is not None and not pd.isna(start) and day < _dates(start)) or (
                    end is not None and not pd.isna(end) and day > _dates(end)):
                forced[a, d] = OFF
    if leave is not None:
        for row, (agent, day) in enumerate(zip(leave["agent_id"], leave["date"], strict=True)):
            a = _agent(agent_index, agent, "leave", row)
            on = day_index.get(_dates(day))
            if on is not None:
                forced[a, on] = LEAVE

    fixed_shift = np.full((num_agents, num_days), UNKNOWN, dtype=np.int64)
    fixed_queue = np.full((num_agents, num_days), -1, dtype=np.int64)
    if fixed is not None:
        fixed_queues = _optional(fixed, "queue")
        for row, (agent, day, code, queue) in enumerate(zip(
                fixed["agent_id"], fixed["date"], fixed["shift"], fixed_queues, strict=True)):
            a = _agent(agent_index, agent, "fixed", row)
            pinned_day = day_index.get(_dates(day))
            if pinned_day is None:
                continue
            d = pinned_day
            fixed_shift[a, d] = _state(shift_index, str(code), "fixed", row)
            if queue is not None and not pd.isna(queue) and str(queue) != "":
                if str(queue) not in queue_index:
                    raise InvalidInput(f"unknown queue {queue!r}", file="fixed", line=row + 2,
                                       field="queue")
                fixed_queue[a, d] = queue_index[str(queue)]

    lookback = max(config.rules.max_consecutive_days, config.rules.max_consecutive_nights, 7) + 2
    prev = np.full((num_agents, lookback), UNKNOWN, dtype=np.int64)
    if previous is not None:
        _check_previous_ends_before(previous, dates)
        for row, (agent, day, code) in enumerate(zip(previous["agent_id"], previous["date"],
                                                     previous["shift"], strict=True)):
            if str(agent) not in agent_index:
                continue  # people who left: their past does not constrain anyone
            offset = (_dates(day) - dates[0]).days
            if -lookback <= offset < 0:
                prev[agent_index[str(agent)], lookback + offset] = _state(
                    shift_index, str(code), "previous", row)

    history = np.full((num_agents, 7 * config.roster.fairness_weeks), UNKNOWN, dtype=np.int64)
    if previous is not None and history.shape[1]:
        for row, (agent, day, code) in enumerate(zip(previous["agent_id"], previous["date"],
                                                     previous["shift"], strict=True)):
            offset = (_dates(day) - dates[0]).days + history.shape[1]
            if str(agent) in agent_index and 0 <= offset < history.shape[1]:
                history[agent_index[str(agent)], offset] = _state(shift_index, str(code),
                                                                  "previous", row)

    intervals, required, cover = _demand(requirement, config, dates, queues, queue_index)
    return RosterProblem(
        config=config, dates=dates, shift_codes=codes, shift_start=starts, shift_end=ends,
        night=night, queues=queues, agent_ids=agent_ids, agent_index=agent_index, skills=skills,
        max_nights=max_nights, preferred_rest=preferred, forced=forced, fixed_shift=fixed_shift,
        fixed_queue=fixed_queue, previous=prev, interval_starts=intervals, required=required,
        cover=cover, max_consecutive_days=config.rules.max_consecutive_days,
        min_rest_days_per_week=config.rules.min_rest_days_per_week,
        min_rest_minutes=int(round(config.rules.min_rest_hours * 60)),
        max_consecutive_nights=config.rules.max_consecutive_nights,
        weights=Weights.from_config(config.roster.weights), leave_known=leave is not None,
        history=history)


def _agent(agent_index: dict[str, int], agent: object, label: str, row: int) -> int:
    if str(agent) not in agent_index:
        raise InvalidInput(f"unknown agent {agent!r} (not in the agents table)", file=label,
                           line=row + 2, field="agent_id")
    return agent_index[str(agent)]


def _state(shift_index: dict[str, int], code: str, label: str, row: int) -> int:
    code = code.strip()
    if code.upper() == "OFF":
        return OFF
    if code.upper() == "LEAVE":
        return LEAVE
    if code not in shift_index:
        known = ", ".join([*shift_index, "OFF", "LEAVE"])
        raise InvalidInput(f"unknown shift code {code!r}; known: {known}", file=label,
                           line=row + 2, field="shift")
    return shift_index[code]


def _check_previous_ends_before(previous: pd.DataFrame, dates: tuple[date, ...]) -> None:
    """The previous roster is context before the horizon; a row inside the horizon would be
    ignored (the solver plans those days afresh), so it is an error rather than a surprise."""
    days = [_dates(d) for d in previous["date"]]
    inside = [row for row, day in enumerate(days) if day >= dates[0]]
    if inside:
        row = inside[0]
        raise InvalidInput(
            f"{len(inside)} previous-roster row(s) fall inside the horizon {dates[0]}.."
            f"{dates[-1]} (first: {previous['agent_id'].iloc[row]} on {days[row]}); the previous "
            "roster must end before the first requirement day. To keep days already planned, "
            "pass them with --fixed (they are then pinned) and cut them from --previous",
            file="previous", line=row + 2, field="date")


def _demand(requirement: pd.DataFrame, config: SiteConfig, dates: tuple[date, ...],
            queues: tuple[str, ...], queue_index: dict[str, int]
            ) -> tuple[tuple[pd.Timestamp, ...], np.ndarray, tuple[tuple[np.ndarray, ...], ...]]:
    """Interval list (requirement ∪ shift-covered), required (T, Q) and cover[d][s]."""
    local = pd.to_datetime(requirement["interval_start"])
    if local.dt.tz is not None:
        local = local.dt.tz_convert(config.tz).dt.tz_localize(None)
    offsets = [covered_offsets_minutes(t, config.interval_minutes) for t in config.shifts]
    covered = set()
    per_day: list[list[list[pd.Timestamp]]] = []
    for day in dates:
        midnight = pd.Timestamp(day)
        row = [[midnight + pd.Timedelta(minutes=int(m)) for m in offs] for offs in offsets]
        per_day.append(row)
        for stamps in row:
            covered.update(stamps)
    stamps = sorted(covered | set(local))
    index = {t: i for i, t in enumerate(stamps)}
    required = np.zeros((len(stamps), len(queues)), dtype=np.int64)
    values = requirement["scheduled_agents"].to_numpy()
    for t, q, value in zip(local, requirement["queue"].astype(str), values, strict=True):
        # the two copies of a repeated autumn hour share a wall-clock slot, and a wall-clock
        # shift covers both: the slot needs the larger of the two requirements
        slot = (index[t], queue_index[q])
        required[slot] = max(required[slot], int(value))
    cover = tuple(tuple(np.array([index[t] for t in row], dtype=np.int64) for row in day_rows)
                  for day_rows in per_day)
    return tuple(stamps), required, cover
