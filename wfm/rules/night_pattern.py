"""The weekly-blocks night pattern (``weekly_blocks``).

With ``[roster] night_pattern = "weekly_blocks"`` an agent works a whole Monday-Sunday week of
nights or of day shifts: no week with a roster day mixes the two (the previous roster's days of
that week count), and no night is followed by a day shift the next day, so the change from a
night week to a day week passes through a rest day (no quick returns). A night is a shift
``is_night_shift`` calls one.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from wfm.errors import Violation
from wfm.rules.cells import EPOCH_ORDINAL, UNKNOWN
from wfm.rules.context import RosterContext
from wfm.rules.nights import is_night_shift


def weekly_block_breaks(names: list[str], state: np.ndarray, night_of: np.ndarray,
                        week: np.ndarray, origin: int, horizon: int) -> list[Violation]:
    """Breaks of the pattern on a states grid (agents x days from ordinal ``origin``; columns
    from ``horizon`` on are the roster's; ``week`` numbers each column's Monday-Sunday week;
    ``night_of`` per state index, negative states not nights)."""
    working = state >= 0
    night = working & night_of[np.where(working, state, 0)]
    day = working & ~night
    found = []
    for a, agent in enumerate(names):
        for w in np.unique(week[horizon:]).tolist():
            columns = np.flatnonzero(week == w)
            if night[a, columns].any() and day[a, columns].any():
                monday = date.fromordinal(int(w * 7 + 1))
                found.append(Violation("weekly_blocks", agent, monday.isoformat(), (
                    f"{agent} works both night and day shifts in the week {monday.isoformat()}"
                    f"..{(monday + timedelta(days=6)).isoformat()} (night_pattern = "
                    "weekly_blocks)"), {"variant": "mixed", "start": monday.isoformat(),
                                        "end": (monday + timedelta(days=6)).isoformat()}))
        returns = np.flatnonzero(night[a, :-1] & day[a, 1:]) + 1
        for column in returns[returns >= horizon].tolist():
            when = date.fromordinal(int(origin + column)).isoformat()
            found.append(Violation("weekly_blocks", agent, when, (
                f"{agent} works a day shift on {when} straight after a night shift "
                "(night_pattern = weekly_blocks: a rest day between night and day weeks)"),
                {"variant": "return"}))
    return sorted(found, key=lambda v: (v.agent_id, v.date))


def check_weekly_blocks(ctx: RosterContext) -> None:
    """Registry check of ``weekly_blocks`` (only when the site configures the pattern)."""
    if ctx.config.roster.night_pattern != "weekly_blocks":
        return
    grid = ctx.grid
    if grid is None:
        return
    night_of = np.array([is_night_shift(t) for t in ctx.config.shifts] + [False] * 3)
    ordinals = np.arange(grid.state.shape[1]) + grid.origin + EPOCH_ORDINAL
    week = (ordinals - (ordinals - 1) % 7) // 7
    horizon = int(np.argmax(grid.in_horizon))
    state = np.where(grid.state == UNKNOWN, -3, grid.state)
    for v in weekly_block_breaks(ctx.names, state, night_of, week,
                                 grid.origin + EPOCH_ORDINAL, horizon):
        ctx.found.add(v.code, v.agent_id, date.fromisoformat(v.date).toordinal()
                      - EPOCH_ORDINAL, v.message, v.params)
