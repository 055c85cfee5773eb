"""Consecutive nights (``max_consecutive_nights``).

With ``rules.max_consecutive_nights`` above 0, no agent works more night shifts
(``is_night_shift``) on consecutive days than that. A rest day, a day shift or an unknown day
breaks the run; runs count the previous roster's days. As with working days in a row, a run is
reported once, on its first day over the limit, or on the horizon's first day when the previous
roster alone already went over.
"""

from __future__ import annotations

import numpy as np

from wfm.rules.cells import iso
from wfm.rules.consecutive import runs_over
from wfm.rules.context import RosterContext
from wfm.rules.nights import is_night_shift


def check_consecutive_nights(ctx: RosterContext) -> None:
    """Report ``max_consecutive_nights`` once per run of nights over the limit in the horizon."""
    limit = ctx.config.rules.max_consecutive_nights
    grid = ctx.grid
    if limit <= 0 or grid is None:
        return
    night_of = np.array([is_night_shift(t) for t in ctx.config.shifts], dtype=bool)
    nights = grid.working & night_of[np.where(grid.working, grid.state, 0)]
    for a, t, start, end in runs_over(nights, limit, grid.in_horizon):
        name = ctx.names[a]
        ctx.found.add("max_consecutive_nights", name, grid.origin + t,
                      f"{name} works {end - start + 1} night shifts in a row "
                      f"{iso(grid.origin + start)}..{iso(grid.origin + end)} (max {limit})",
                      {"agent": name, "run": end - start + 1, "limit": limit,
                       "start": iso(grid.origin + start), "end": iso(grid.origin + end)})
