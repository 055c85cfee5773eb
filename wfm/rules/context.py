"""What one run of the checker knows: the checked rows, the agents, the site, the horizon, and
the agents x days grid the calendar rules read. Every rule family takes a ``RosterContext`` and
adds what it finds to ``ctx.found``; the views they share are built once per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wfm.config import SiteConfig
from wfm.rules.cells import UNKNOWN, AgentFacts, Cells, Collector, weekday


class Grid:
    """Agents x days states (template index, OFF, LEAVE or UNKNOWN), from a Monday on.

    Row ``a`` is the agent ``ctx.names[a]``; column ``t`` is the day ``origin + t``. The grid runs
    through the Sunday of the horizon's last week; ``in_horizon`` marks the roster's own days.
    """

    def __init__(self, origin: int, state: np.ndarray, in_horizon: np.ndarray) -> None:
        self.origin = origin
        self.state = state
        self.in_horizon = in_horizon
        self.working: np.ndarray = np.asarray(state >= 0)
        self.week_in_horizon: np.ndarray = np.asarray(in_horizon.reshape(-1, 7).any(axis=1))

    @staticmethod
    def weeks(values: np.ndarray) -> np.ndarray:
        """An agents x days array as agents x weeks x 7."""
        return values.reshape(values.shape[0], -1, 7)


@dataclass
class RosterContext:
    """The inputs of one check, already normalised, and the views the rules share.

    Attributes
    ----------
    config
        The site (shift templates and ``rules``).
    rows
        Every roster row of the checked agents, in input order (duplicates and unknown shifts
        included: the identity rules report them).
    agents
        The agents table.
    several_queues
        Whether the site has more than one queue (a working row must then name one).
    horizon
        First and last day of the whole roster (days since 1970-01-01).
    previous, leave, fixed
        The previous roster, approved leave and pinned assignments of the checked agents, or
        None when not given. ``fixed`` holds only rows dated inside the horizon.
    subset
        Whether only some agents are checked (``agent_ids``): rules about whole teams (the
        fair-share band) are then not judged.
    found
        Where the rules put what they find.
    names
        The checked agents, sorted; ``code`` (per row) and ``unique_code`` index into it.
    position
        Agent id -> index into ``names``.
    keys
        Per row, a number that identifies its (agent, day).
    first_index, unique, unique_code
        The first row of each agent and day (a second row is reported, not used), in input
        order, and its agent index.
    fact_index, known_agent
        Per checked agent: its position in ``agents`` (-1 when the agents table lacks it), and
        whether it has one.
    """

    config: SiteConfig
    rows: Cells
    agents: AgentFacts
    several_queues: bool
    horizon: tuple[int, int]
    previous: Cells | None = None
    leave: Cells | None = None
    fixed: Cells | None = None
    subset: bool = False  # only some agents are checked (a swap): team-wide rules skip
    found: Collector = field(default_factory=Collector)
    names: list[str] = field(init=False)
    position: dict[str, int] = field(init=False)
    code: np.ndarray = field(init=False)
    keys: np.ndarray = field(init=False)
    first_index: np.ndarray = field(init=False)
    unique: Cells = field(init=False)
    unique_code: np.ndarray = field(init=False)
    fact_index: np.ndarray = field(init=False)
    known_agent: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        agent_ids = self.rows.agent_id.tolist()
        self.names = sorted(set(agent_ids))
        self.position = position = {name: a for a, name in enumerate(self.names)}
        self.code = np.array([position[a] for a in agent_ids], dtype=np.int64)
        # (agent, day) as one number: days counted from the horizon start (previous rows are
        # not among ``rows``), agents spaced by the horizon's length
        first_day, last_day = self.horizon
        self.keys = self.code * (last_day - first_day + 1) + (self.rows.day - first_day)
        if len(set(self.keys.tolist())) == len(self.keys):  # the usual case: no agent-day twice
            self.first_index = np.arange(len(self.keys))
            self.unique, self.unique_code = self.rows, self.code
        else:
            _, first = np.unique(self.keys, return_index=True)
            self.first_index = np.sort(first)
            self.unique = self.rows.take(self.first_index)
            self.unique_code = self.code[self.first_index]
        index = self.agents.index
        self.fact_index = np.array([index.get(name, -1) for name in self.names], dtype=np.int64)
        self.known_agent = self.fact_index >= 0
        self._grid: Grid | None | bool = False  # False: not built yet

    def agent_values(self, values: np.ndarray) -> np.ndarray:
        """A per-agent array of ``AgentFacts`` re-indexed to ``names`` (NaN where unknown)."""
        return values[self.fact_index]  # -1 reads the trailing NaN

    @property
    def grid(self) -> Grid | None:
        """The grid of known days (roster rows with a valid shift, then previous-roster rows
        before the horizon start); None when no roster row has a valid shift. Built on first
        use."""
        if self._grid is False:
            self._grid = self._build_grid()
        assert not isinstance(self._grid, bool)
        return self._grid

    def _build_grid(self) -> Grid | None:
        unique = self.unique
        valid = unique.state != UNKNOWN
        if not valid.any():
            return None
        code, day, state = self.unique_code[valid], unique.day[valid], unique.state[valid]
        if self.previous is not None and len(self.previous):
            before = self._earlier(self.previous)
            code = np.concatenate([before[0], code])
            day = np.concatenate([before[1], day])
            state = np.concatenate([before[2], state])
        first_day, last_day = self.horizon
        # the grid starts no later than the horizon: the checked agents' earliest known day can
        # fall in a later week (other agents' rows, or an unknown shift, open the horizon), and
        # ``in_horizon`` must still mark the horizon's first day
        lowest = min(int(day.min()), first_day)
        origin = lowest - weekday(lowest)  # a Monday
        num_days = (last_day - weekday(last_day) + 7) - origin  # through a Sunday
        grid = np.full((len(self.names), num_days), UNKNOWN, dtype=np.int64)
        grid[code, day - origin] = state
        in_horizon = np.zeros(num_days, dtype=bool)
        in_horizon[first_day - origin: last_day - origin + 1] = True
        return Grid(origin, grid, in_horizon)

    def _earlier(self, previous: Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(code, day, state) of previous-roster days before the horizon with a valid shift,
        the first row per agent and day."""
        position = self.position
        code = np.fromiter((position.get(a, -1) for a in previous.agent_id.tolist()),
                           dtype=np.int64, count=len(previous))
        keep = (code >= 0) & (previous.day < self.horizon[0]) & (previous.state != UNKNOWN)
        code, day, state = code[keep], previous.day[keep], previous.state[keep]
        if len(day) == 0:
            return code, day, state
        low = int(day.min())
        _, first = np.unique(code * (self.horizon[0] - low + 1) + (day - low),
                             return_index=True)
        return code[first], day[first], state[first]
