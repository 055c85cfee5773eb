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
    num_days = nights.shape[1]
    index = np.arange(num_days)
    last_break = np.maximum.accumulate(np.where(nights, -1, index), axis=1)
    run = index - last_break  # length of the run of nights so far, on night days
    horizon_start = int(np.argmax(grid.in_horizon))
    first_over = (run == limit + 1) | (index == horizon_start)
    agent, d = np.nonzero(nights & (run > limit) & first_over & grid.in_horizon)
    for a, t in zip(agent.tolist(), d.tolist(), strict=True):
        start = t - int(run[a, t]) + 1
        rest = np.flatnonzero(~nights[a, t:])
        end = t + int(rest[0]) - 1 if len(rest) else num_days - 1
        name = ctx.names[a]
        ctx.found.add("max_consecutive_nights", name, grid.origin + t,
                      f"{name} works {end - start + 1} night shifts in a row "
                      f"{iso(grid.origin + start)}..{iso(grid.origin + end)} (max {limit})",
                      {"agent": name, "run": end - start + 1, "limit": limit,
                       "start": iso(grid.origin + start), "end": iso(grid.origin + end)})
