"""Night shifts per week (``max_nights_per_week``) and what a night shift is.

No agent works more night shifts in a Monday-Sunday week than its ``max_nights_per_week``
(agents table; empty means no limit). Nights of the previous roster in the same week count, but
a week is reported (on its Monday) only when the roster itself adds a night to it.
"""

from __future__ import annotations

import numpy as np

from wfm.config import MINUTES_PER_DAY, ShiftTemplate, SiteConfig
from wfm.rules.cells import iso, template_key
from wfm.rules.context import RosterContext

NIGHT_START_MINUTE = 20 * 60
"""A night shift works at least one minute after 20:00 ..."""
NIGHT_END_MINUTE = 6 * 60
"""... or before 06:00 (see ``is_night_shift``)."""


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


_NIGHTS: dict[tuple[tuple[str, str, str], ...], np.ndarray] = {}


def _night_of(config: SiteConfig) -> np.ndarray:
    """Per template: whether it is a night shift (cached per set of templates)."""
    key = template_key(config)
    found = _NIGHTS.get(key)
    if found is None:
        found = _NIGHTS[key] = np.array([is_night_shift(t) for t in config.shifts], dtype=bool)
    return found


def check_nights(ctx: RosterContext) -> None:
    """Report ``max_nights_per_week`` for each week over an agent's limit."""
    grid = ctx.grid
    if grid is None:
        return
    limits = ctx.agent_values(ctx.agents.max_nights)
    if np.isnan(limits).all():
        return
    night_of = _night_of(ctx.config)
    nights = grid.working & night_of[np.where(grid.working, grid.state, 0)]
    counts = grid.weeks(nights).sum(axis=2)
    over = counts > limits[:, None]  # False where there is no limit (NaN)
    # the roster is to blame only when it adds a night to the week
    added = grid.weeks(nights & grid.in_horizon[None, :]).any(axis=2)
    agent, w = np.nonzero(over & added)
    for a, k in zip(agent.tolist(), w.tolist(), strict=True):
        monday = grid.origin + 7 * k
        name = ctx.names[a]
        ctx.found.add("max_nights_per_week", name, monday,
                      f"{name} works {counts[a, k]} night shift(s) in the week {iso(monday)}.."
                      f"{iso(monday + 6)} (max {int(limits[a])})",
                      {"agent": name, "nights": int(counts[a, k]), "limit": int(limits[a]),
                       "start": iso(monday), "end": iso(monday + 6)})
