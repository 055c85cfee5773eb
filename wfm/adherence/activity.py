"""The first steps of ``compute_adherence``, as one value other commands can share.

Roster → shift windows (``schedule``), login data → disjoint segments and data problems
(``sessions``), segments → pieces attributed to shifts or calendar days (``attribution``). This
is most of the work of an adherence run on a month of events; ``wfm kpi`` needs the same pieces
for its staffed time, so it builds them once with ``attributed_activity`` and hands them to both
``wfm.kpi.staffed`` and ``compute_adherence(..., activity=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wfm.adherence.attribution import Pieces, attribute
from wfm.adherence.cells import Cells, build_cells
from wfm.adherence.schedule import Schedule, build_schedule
from wfm.adherence.sessions import segments_from_events, segments_from_sessions
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.states import map_states


@dataclass(frozen=True)
class Activity:
    """Login data attributed to a roster's shifts (read-only: its users must not change it).

    ``agents``: every agent of the roster or the login data, sorted (the codes the arrays
    use); ``problems``: the login-data problems (``sessions.PROBLEM_COLUMNS``, no file name).
    """

    agents: pd.Index
    schedule: Schedule
    cells: Cells
    pieces: Pieces
    problems: pd.DataFrame


def attributed_activity(roster: pd.DataFrame, config: SiteConfig, *,
                        events: pd.DataFrame | None = None,
                        sessions: pd.DataFrame | None = None,
                        roster_label: str = "roster", label: str = "events") -> Activity:
    """Schedule, segments and attributed pieces of ``roster`` with its login events or
    sessions (exactly one of them), as ``compute_adherence`` builds them. Event states are
    mapped to wfm's first (``wfm.states``, the site's ``[adherence.states]``); ``label`` names
    the events in the error for an unknown state."""
    if (events is None) == (sessions is None):
        raise InvalidInput("give login events or login sessions (exactly one of them)")
    if events is not None:
        # a site's own state names -> wfm's (unknown names are an error naming the line)
        events = map_states(events, config.adherence.states, label=label)
    activity = events if events is not None else sessions
    assert activity is not None
    tz = config.timezone
    agents = pd.Index(sorted(set(roster["agent_id"]) | set(activity["agent_id"])))
    schedule = build_schedule(roster, config, agents, label=roster_label)
    cells = build_cells(schedule.shifts)
    if events is not None:
        segments, problems = segments_from_events(events, agents, cells, tz)
    else:
        segments, problems = segments_from_sessions(activity, agents, cells, tz)
    return Activity(agents=agents, schedule=schedule, cells=cells,
                    pieces=attribute(segments, cells, tz), problems=problems)
