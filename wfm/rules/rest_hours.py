"""Rest between shifts (``min_rest_hours``).

Between the end of one shift and the start of the agent's next shift (on any later day, across
days off and the previous roster) there are at least ``rules.min_rest_hours`` hours of real
time: wall-clock times are placed in the site timezone, so a daylight-saving change lengthens or
shortens the rest. A short rest is reported on the later shift's date, when that date is in the
horizon.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instant
from wfm.config import MINUTES_PER_DAY, SiteConfig
from wfm.rules.cells import templates
from wfm.rules.context import RosterContext

_UTC_CACHE: dict[str, dict[int, int]] = {}  # timezone -> local minute -> UTC seconds
_UTC_CACHE_LIMIT = 200_000


def check_rest_hours(ctx: RosterContext) -> None:
    """Report ``min_rest_hours`` for each pair of consecutive shifts too close together."""
    grid = ctx.grid
    if grid is None:
        return
    config = ctx.config
    agent, d = np.nonzero(grid.working)  # row-major: by agent, then day
    if len(agent) < 2:
        return
    template = grid.state[agent, d]
    shifts = templates(config)
    start_minute = shifts.start_minute[template]
    duration = shifts.duration_minutes[template]
    local_start = (grid.origin + d) * MINUTES_PER_DAY + start_minute
    local_end = local_start + duration
    instants = utc_seconds(np.concatenate([local_start, local_end]), config)
    rest_s = instants[1:len(agent)] - instants[len(agent):-1]
    limit_s = config.rules.min_rest_hours * 3600
    short = (agent[1:] == agent[:-1]) & (rest_s < limit_s) & grid.in_horizon[d[1:]]
    for i in np.flatnonzero(short).tolist():
        name = ctx.names[agent[i]]
        before, after = config.shifts[template[i]].code, config.shifts[template[i + 1]].code
        ctx.found.add("min_rest_hours", name, grid.origin + d[i + 1],
                      f"{name} rests {_hours(rest_s[i])} h between {before} ending "
                      f"{_clock(local_end[i])} and {after} starting "
                      f"{_clock(local_start[i + 1])} (min {config.rules.min_rest_hours:g} h)",
                      {"agent": name, "hours": _hours(rest_s[i]), "before": before,
                       "ended": _clock(local_end[i]), "after": after,
                       "started": _clock(local_start[i + 1]),
                       "minimum": f"{config.rules.min_rest_hours:g}"})


def utc_seconds(local_minutes: np.ndarray, config: SiteConfig) -> np.ndarray:
    """Seconds since the epoch of local wall-clock minutes (since 1970-01-01) in the site
    timezone.

    A wall-clock time repeated by a DST change is taken at its first occurrence; one skipped by
    it moves forward to the first valid time. Instants are cached per timezone: a roster has
    few distinct shift starts and ends (days x templates), and swap checks ask for the same
    ones again and again.
    """
    cache = _UTC_CACHE.setdefault(config.timezone, {})
    values = local_minutes.tolist()
    try:
        return np.array([cache[m] for m in values], dtype=np.int64)
    except KeyError:
        pass
    missing = sorted(set(values).difference(cache))
    if len(cache) + len(missing) > _UTC_CACHE_LIMIT:
        cache.clear()
        missing = sorted(set(values))
    naive = pd.DatetimeIndex(np.array(missing, dtype="datetime64[m]"))
    aware = wall_clock_instant(naive, config.timezone)
    cache.update(zip(missing, aware.as_unit("s").asi8.tolist(), strict=True))
    return np.array([cache[m] for m in values], dtype=np.int64)


def _hours(seconds: float) -> str:
    return f"{round(seconds / 3600, 2):g}"


def _clock(minutes_since_epoch: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(minutes=int(minutes_since_epoch))).strftime(
        "%Y-%m-%d %H:%M")
