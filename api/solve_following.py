"""The stored days after a solve's horizon, held fixed so the solved days fit them.

A solve over part of a stored roster (say one day in the middle of a week) replaces only its
own dates, and the result is then checked together with the stored roster around it. The solver
sees the stored days before the horizon (``previous``) but not those after it, so it could put
a night (ending 23:30) before a stored day shift (starting 08:30) or a seventh working day in a
row before stored working days, and the job then failed. Here the horizon is extended by the
days a rule looks ahead (``wfm.rules.days_rules_reach``), each stored row on them pinned in the
fixed table (LEAVE in the leave table), with zero demand so they change no coverage; the extra
days are dropped from the result before it is stored.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from wfm.config import SiteConfig
from wfm.rules import days_rules_reach

DEMAND_COLUMNS = ("contacts", "traffic_erlangs", "agents", "scheduled_agents")


def following_days(config: SiteConfig) -> int:
    """How many days after the horizon a rule can look at (runs of working days, a
    Monday-Sunday week, rest hours across midnight)."""
    return days_rules_reach(config.rules)


def zero_demand_days(requirement: pd.DataFrame, last_day: date, days: int,
                     config: SiteConfig) -> pd.DataFrame:
    """The requirement's intervals of ``last_day`` repeated on the ``days`` days after it, with
    no demand: the extension's days exist for the solver but ask for nobody."""
    starts = pd.to_datetime(requirement["interval_start"])
    aware = starts.dt.tz is not None
    local = starts.dt.tz_convert(config.tz).dt.tz_localize(None) if aware else starts
    on_last = (local.dt.date == last_day).to_numpy()
    template, template_local = requirement[on_last], local[on_last]
    frames = []
    for k in range(1, days + 1):
        moved = template_local + pd.Timedelta(days=k)
        if aware:  # a DST change can make a repeated time ambiguous or missing: drop those
            moved = moved.dt.tz_localize(starts.dt.tz, ambiguous="NaT", nonexistent="NaT")
        frame = template.assign(interval_start=moved.set_axis(template.index))
        frames.append(frame[moved.notna().to_numpy()])
    extra = pd.concat(frames, ignore_index=True) if frames else template.iloc[:0]
    for column in DEMAND_COLUMNS:
        if column in extra:
            extra[column] = 0
    return pd.concat([requirement, extra], ignore_index=True)


def pin_following(stored: pd.DataFrame, agent_ids: set[str], leave: pd.DataFrame | None,
                  fixed: pd.DataFrame | None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Leave and fixed tables with the stored rows after the horizon added (only for the
    agents being solved): LEAVE as leave, every other row (a shift or OFF) as fixed."""
    rows = stored[stored["agent_id"].isin(agent_ids)]
    on_leave = rows["shift"].eq("LEAVE")
    if on_leave.any():
        extra = rows[on_leave][["agent_id", "date"]].assign(reason="stored roster")
        leave = extra if leave is None else pd.concat([leave, extra], ignore_index=True)
    pinned = rows[~on_leave][["agent_id", "date", "shift", "queue"]]
    if len(pinned):
        pinned = pinned.assign(queue=pinned["queue"].fillna(""))
        fixed = pinned if fixed is None else pd.concat([fixed, pinned], ignore_index=True)
    return leave, fixed


def hold_following(stored: pd.DataFrame, requirement: pd.DataFrame, agents: pd.DataFrame,
                   leave: pd.DataFrame | None, fixed: pd.DataFrame | None, last_day: date,
                   config: SiteConfig
                   ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(requirement, leave, fixed) of the solve extended over the stored days after
    ``last_day``: zero demand on them, their stored rows pinned."""
    requirement = zero_demand_days(requirement, last_day, following_days(config), config)
    leave, fixed = pin_following(stored, set(agents["agent_id"]), leave, fixed)
    return requirement, leave, fixed


def within(assignments: pd.DataFrame, last_day: date) -> pd.DataFrame:
    """The solved rows of the horizon itself (the extension's days dropped)."""
    dates = pd.to_datetime(assignments["date"].astype(str)).dt.date
    return assignments[(dates <= last_day).to_numpy()].reset_index(drop=True)
