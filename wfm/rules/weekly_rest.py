"""Rest days per week (``min_rest_days_per_week``).

Every Monday-Sunday week has at least ``rules.min_rest_days_per_week`` days ``OFF`` or
``LEAVE``. A week is judged only when all its seven days are known (roster or previous roster)
and at least one of them is in the horizon; it is reported on its Monday.
"""

from __future__ import annotations

import numpy as np

from wfm.rules.cells import LEAVE, OFF, UNKNOWN, iso
from wfm.rules.context import RosterContext


def check_weekly_rest(ctx: RosterContext) -> None:
    """Report ``min_rest_days_per_week`` for each known week of the horizon short of rest."""
    grid = ctx.grid
    minimum = ctx.config.rules.min_rest_days_per_week
    if grid is None or minimum <= 0:
        return
    weeks = grid.weeks(grid.state)
    known = (weeks != UNKNOWN).all(axis=2)
    rest = ((weeks == OFF) | (weeks == LEAVE)).sum(axis=2)
    agent, w = np.nonzero(known & (rest < minimum) & grid.week_in_horizon[None, :])
    for a, k in zip(agent.tolist(), w.tolist(), strict=True):
        monday = grid.origin + 7 * k
        name = ctx.names[a]
        ctx.found.add("min_rest_days_per_week", name, monday,
                      f"{name} has {rest[a, k]} rest day(s) in the week {iso(monday)}.."
                      f"{iso(monday + 6)} (min {minimum})",
                      {"agent": name, "rest": int(rest[a, k]), "minimum": minimum,
                       "start": iso(monday), "end": iso(monday + 6)})
