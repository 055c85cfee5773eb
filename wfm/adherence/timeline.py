"""One agent-day as a time line: what was scheduled against what the agent did (issue 24).

The adherence page opens an agent-day as a chart of two bands: the shift windows with their
fixed breaks and the excused periods, and the agent's logged-in states. The data comes from
the same steps as the adherence figures (``activity``: shift windows, segments of logged-in
time), so the picture and the numbers agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from wfm.adherence.activity import attributed_activity
from wfm.adherence.exceptions import EXCEPTION_COLUMNS, agent_intervals
from wfm.calendar import local_midnight
from wfm.config import SiteConfig
from wfm.states import ACD_STATES
from wfm.teams import Team

MARGIN_NS = 3600 * 1_000_000_000  # an hour either side of the shifts


@dataclass(frozen=True)
class Timeline:
    """Stretches in epoch nanoseconds inside ``[start_ns, end_ns)`` (the range drawn).

    ``shifts``: ``(start, end, code)``; ``breaks`` and ``excused``: ``(start, end)``;
    ``states``: ``(start, end, state)`` of logged-in time (wfm's state names).
    """

    start_ns: int
    end_ns: int
    shifts: list[tuple[int, int, str]]
    breaks: list[tuple[int, int]]
    excused: list[tuple[int, int]]
    states: list[tuple[int, int, str]]


def agent_day_timeline(roster: pd.DataFrame, config: SiteConfig, events: pd.DataFrame,
                       agent_id: str, day: date, *, exceptions: pd.DataFrame | None = None,
                       teams: Mapping[str, Team] | None = None) -> Timeline:
    """The time line of ``agent_id`` on ``day``: the shifts dated that day (an hour either
    side), or the local calendar day when there is none."""
    mine = roster[(roster["agent_id"] == agent_id)
                  & roster["date"].between(day - timedelta(days=1), day + timedelta(days=1))]
    own_events = events[events["agent_id"] == agent_id]
    activity = attributed_activity(mine.reset_index(drop=True), config,
                                   events=own_events.reset_index(drop=True))
    shifts = activity.schedule.shifts
    today = np.flatnonzero((shifts["agent_id"] == agent_id).to_numpy()
                           & (shifts["date"] == day).to_numpy())
    if len(today):
        start = int(shifts["start_ns"].to_numpy()[today].min()) - MARGIN_NS
        end = int(shifts["end_ns"].to_numpy()[today].max()) + MARGIN_NS
    else:
        start = int(local_midnight(day, config.timezone).value)
        end = int(local_midnight(day + timedelta(days=1), config.timezone).value)

    def clip(a: int, b: int) -> tuple[int, int] | None:
        a, b = max(a, start), min(b, end)
        return (a, b) if b > a else None

    drawn_shifts = []
    breaks = []
    for k in range(len(shifts)):
        window = clip(int(shifts["start_ns"].iloc[k]), int(shifts["end_ns"].iloc[k]))
        if window is None:
            continue
        drawn_shifts.append((*window, str(shifts["shift"].iloc[k])))
        for bs, be in zip(activity.schedule.break_start_ns[k],
                          activity.schedule.break_end_ns[k], strict=True):
            piece = clip(int(bs), int(be))
            if piece is not None:
                breaks.append(piece)
    segments = activity.pieces.segments
    states = []
    for k in np.argsort(segments.start_ns, kind="stable"):
        piece = clip(int(segments.start_ns[k]), int(segments.end_ns[k]))
        if piece is not None:
            states.append((*piece, ACD_STATES[int(segments.state[k])]))
    excused = []
    if exceptions is not None and len(exceptions):
        given = exceptions[(exceptions["agent_id"].fillna("") == agent_id)
                           | (exceptions["team"].fillna("") != "")]
        if len(given):
            known = set(teams or {}) | {agent_id}
            intervals = agent_intervals(given[EXCEPTION_COLUMNS].reset_index(drop=True),
                                        teams, known)
            for a, b in zip(intervals.loc[intervals["agent_id"] == agent_id, "start_ns"],
                            intervals.loc[intervals["agent_id"] == agent_id, "end_ns"],
                            strict=True):
                piece = clip(int(a), int(b))
                if piece is not None:
                    excused.append(piece)
    return Timeline(start, end, drawn_shifts, breaks, excused, states)
