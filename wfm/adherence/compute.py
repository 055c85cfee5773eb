"""``compute_adherence``: roster + login data → adherence table, summaries and data problems.

The pipeline, one module per step: ``schedule`` (roster → shift windows), ``sessions`` (events or
sessions → disjoint segments, problems), ``attribution`` (segments → pieces per shift or per
calendar date; these first three are run by ``activity``, so that other commands can share
them), ``metrics`` (pieces → figures per row), ``period`` (rows inside the period; activity
outside it reported), ``summary`` (per agent and team over the period).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from wfm.adherence.activity import Activity, attributed_activity
from wfm.adherence.attribution import Pieces
from wfm.adherence.coverage import data_coverage, login_span_ns
from wfm.adherence.exceptions import (
    EXCEPTION_COLUMNS,
    ExcusedClock,
    agent_intervals,
    excused_clock,
)
from wfm.adherence.metrics import row_metrics
from wfm.adherence.period import period_bounds, skipped_activity
from wfm.adherence.reasons import CAUSES
from wfm.adherence.schedule import (
    NS_PER_MINUTE,
    Schedule,
    day_numbers_to_dates,
    local_day_numbers,
)
from wfm.adherence.sessions import (
    PROBLEM_COLUMNS,
    problems_frame,
)
from wfm.adherence.summary import agent_summary, largest_remainder, percent, team_summary
from wfm.config import SiteConfig
from wfm.errors import InvalidInput
from wfm.teams import Team
from wfm.validation import check_non_negative

UNSCHEDULED = "UNSCHEDULED"
ADHERENCE_COLUMNS = ["agent_id", "date", "shift", "scheduled_minutes", "logged_in_minutes",
                     "in_adherence_minutes", "adherence_pct", "conformance_pct",
                     "late_start_minutes", "early_leave_minutes", "overtime_minutes", "absent",
                     "episodes"]
REASON_COLUMNS = [f"lost_{cause}_minutes" for cause in CAUSES]
REPORT_PROBLEM_COLUMNS = ["file", *PROBLEM_COLUMNS]


@dataclass(frozen=True)
class AdherenceReport:
    """Result of ``compute_adherence``.

    Attributes
    ----------
    rows
        The adherence table (DESIGN.md columns, in order), one row per agent, date and shift.
    agents
        Per-agent period summary (``summary.AGENT_COLUMNS``) with ``below_target``.
    team
        Team figures over the period (ratios of sums) and the agents below target.
    problems
        ``file, line, agent_id, problem, action``: every data correction or skip.
    coverage
        What the login data covers (``coverage.data_coverage``): its span, the rostered agents
        without any data, the shifts it covers only in part.
    exceptions
        The exceptions applied (``exceptions.EXCEPTION_COLUMNS``), as given.
    """

    rows: pd.DataFrame
    agents: pd.DataFrame
    team: dict[str, Any]
    problems: pd.DataFrame
    coverage: dict[str, Any] = field(default_factory=dict)
    exceptions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=EXCEPTION_COLUMNS))


def compute_adherence(roster: pd.DataFrame, config: SiteConfig, *,
                      events: pd.DataFrame | None = None, sessions: pd.DataFrame | None = None,
                      grace_minutes: float | None = None, date_from: date | None = None,
                      date_to: date | None = None, label: str = "events",
                      roster_label: str = "roster",
                      activity: Activity | None = None,
                      exceptions: pd.DataFrame | None = None,
                      teams: Mapping[str, Team] | None = None,
                      exceptions_label: str = "exceptions") -> AdherenceReport:
    """Schedule adherence per agent and date from a roster and actual login data.

    Parameters
    ----------
    roster
        ``agent_id, date, shift`` (as returned by ``read_table``; row i is line i + 2).
    config
        Site configuration (shift templates, timezone, adherence target and grace).
    events, sessions
        Login events (``agent_id, timestamp, state``) or sessions (``agent_id, login_time,
        logout_time``); exactly one of them.
    grace_minutes
        Out-of-adherence episodes of at most this long count as adherent (default: config).
    date_from, date_to
        The period (dates of shifts and of unscheduled work); default: the dates the login
        data spans (its first and last time), or the roster's dates when there is none.
    label, roster_label
        File names of the login data (used in ``problems``) and of the roster (in errors).
    activity
        ``attributed_activity`` of this same roster, config and login data, when the caller
        has built it already (``wfm kpi`` shares it with its staffed time); default: built
        here. The result is the same either way.
    exceptions, teams, exceptions_label
        Periods excused for an agent or a team (``exceptions.EXCEPTION_COLUMNS``; row i is
        line i + 2 of ``exceptions_label``), and each agent's team (needed by team rows).

    Returns
    -------
    AdherenceReport
        Rows with shift ``UNSCHEDULED`` hold work attributed to no shift on a day the roster
        does not mark ``OFF`` or ``LEAVE``; such days with logins show ``OFF``/``LEAVE``.
        Shifts are always listed; OFF/LEAVE/unscheduled rows only when there was a login.
    """
    if (events is None) == (sessions is None):
        raise InvalidInput("give login events or login sessions (exactly one of them)")
    grace = check_non_negative("grace_minutes", config.adherence.grace_minutes
                               if grace_minutes is None else grace_minutes)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise InvalidInput(f"date_to {date_to} is before date_from {date_from}")
    login = events if events is not None else sessions
    assert login is not None
    tz = config.timezone
    if activity is None:
        activity = attributed_activity(roster, config, events=events, sessions=sessions,
                                       roster_label=roster_label, label=label)
    agents, schedule, pieces = activity.agents, activity.schedule, activity.pieces

    given = exceptions if exceptions is not None else pd.DataFrame(columns=EXCEPTION_COLUMNS)
    excused = ExcusedClock.empty()
    if len(given):
        intervals = agent_intervals(given, teams, set(agents) | set(teams or {}),
                                    label=exceptions_label)
        excused = excused_clock(intervals, schedule.shifts, schedule.break_start_ns,
                                schedule.break_end_ns)
    table, piece_row = _rows(schedule, pieces, agents, grace, excused,
                             config.adherence.count_work_in_breaks)
    span = login_span_ns(login)
    span_days = None if span is None else tuple(
        day_numbers_to_dates(local_day_numbers(np.array(span, dtype=np.int64), tz)))
    first_day, last_day = period_bounds(roster, table, date_from, date_to, span_days)
    in_period = np.array([first_day <= d <= last_day for d in table["date"]], dtype=bool)
    shown = in_period & (table["on_shift"] | (table["logged_in_minutes"] > 0))

    outside = skipped_activity(pieces, piece_row, in_period, table, tz, first_day, last_day)
    problems = pd.concat([activity.problems, outside, _unknown_agents(login, roster)],
                         ignore_index=True)
    problems.insert(0, "file", label)
    problems = problems.sort_values(["line", "problem"], kind="stable").reset_index(drop=True)

    full = table[shown].sort_values(["agent_id", "date", "shift"]).reset_index(drop=True)
    summary = agent_summary(full, config.adherence.target_pct)
    team = team_summary(full, summary, config.adherence.target_pct)
    coverage = data_coverage(login, schedule, full, tz)
    team.update({"date_from": first_day, "date_to": last_day, "grace_minutes": grace,
                 "problems": len(problems), "problems_by_kind": problem_kinds(problems),
                 "coverage": coverage, "exceptions": len(given)})
    return AdherenceReport(rows=full[ADHERENCE_COLUMNS + REASON_COLUMNS], agents=summary, team=team,
                           problems=problems[REPORT_PROBLEM_COLUMNS], coverage=coverage,
                           exceptions=given)


def problem_kinds(problems: pd.DataFrame) -> dict[str, int]:
    """How many data problems of each kind (the problem text up to its first detail), so that
    what was set aside is counted, not only listed."""
    if problems.empty:
        return {}
    kind = problems["problem"].astype(str).str.replace(
        r"(:| (on|of|before the login on) line| \().*$", "", regex=True)
    return {str(k): int(v) for k, v in kind.value_counts().sort_index().items()}


def _rows(schedule: Schedule, pieces: Pieces, agents: pd.Index, grace_minutes: float,
          excused: ExcusedClock, count_breaks: bool = False
          ) -> tuple[pd.DataFrame, np.ndarray]:
    """The full table (every shift, every day with unattributed activity) and, for each piece,
    its row in the table."""
    shifts = schedule.shifts
    num_shifts = len(shifts)
    loose = pieces.shift_row < 0
    days = pd.DataFrame({"agent": pieces.segments.agent[loose], "day": pieces.day[loose]})
    days = days.drop_duplicates().reset_index(drop=True)
    days["agent_id"] = agents.to_numpy(object)[days["agent"].to_numpy(np.int64)]
    days["date"] = day_numbers_to_dates(days["day"].to_numpy(np.int64))
    off = schedule.days_off.set_index(["agent_id", "date"])["shift"]
    labels = [off.get((a, d), UNSCHEDULED) for a, d in zip(days["agent_id"], days["date"],
                                                           strict=True)]
    days["shift"] = pd.Series(labels, dtype=object)
    row = pieces.shift_row.copy()
    if loose.any():
        day_row = pd.MultiIndex.from_frame(days[["agent", "day"]])
        row[loose] = num_shifts + day_row.get_indexer(pd.MultiIndex.from_arrays(
            [pieces.segments.agent[loose], pieces.day[loose]]))

    num_days = len(days)
    windows = pd.DataFrame({
        "start_ns": np.concatenate([shifts["start_ns"].to_numpy(np.int64),
                                    np.zeros(num_days, np.int64)]),
        "end_ns": np.concatenate([shifts["end_ns"].to_numpy(np.int64),
                                  np.zeros(num_days, np.int64)]),
        "paid_ns": np.concatenate([shifts["paid_ns"].to_numpy(np.int64),
                                   np.zeros(num_days, np.int64)])})
    pad = np.zeros((num_days, schedule.break_start_ns.shape[1]), dtype=np.int64)
    figures = row_metrics(row, pieces.segments, windows,
                          np.vstack([schedule.break_start_ns, pad]),
                          np.vstack([schedule.break_end_ns, pad]),
                          grace_minutes * NS_PER_MINUTE, excused, count_breaks)

    table = pd.DataFrame({
        "agent_id": np.concatenate([shifts["agent_id"].to_numpy(object),
                                    days["agent_id"].to_numpy(object)]),
        "date": np.concatenate([shifts["date"].to_numpy(object), days["date"].to_numpy(object)]),
        "shift": np.concatenate([shifts["shift"].to_numpy(object),
                                 days["shift"].to_numpy(object)]),
        "on_shift": np.concatenate([np.ones(num_shifts, bool), np.zeros(num_days, bool)]),
    })
    for name in ("scheduled", "logged_in", "in_adherence", "working", "late_start",
                 "early_leave", "overtime", *(f"lost_{cause}" for cause in CAUSES)):
        table[f"{name}_minutes"] = figures[f"{name}_ns"].to_numpy() / NS_PER_MINUTE
    table["adherence_pct"] = percent(table["in_adherence_minutes"], table["scheduled_minutes"])
    table["conformance_pct"] = percent(table["working_minutes"], table["scheduled_minutes"])
    table["absent"] = figures["absent"].to_numpy(bool)
    table["episodes"] = figures["episodes"].to_numpy(np.int64)
    return table, row


def _unknown_agents(activity: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """One problem per agent with login data but no roster row (first line of the agent)."""
    unknown = ~activity["agent_id"].isin(set(roster["agent_id"]))
    if not unknown.any():
        return problems_frame(np.array([], np.int64), np.array([], object), "", "")
    first = pd.Series(np.asarray(activity.index[unknown.to_numpy()]) + 2).groupby(
        activity.loc[unknown, "agent_id"].to_numpy()).min()
    return problems_frame(first.to_numpy(np.int64), first.index.to_numpy(object),
                          "agent not in the roster", "reported as unscheduled work")


MINUTE_COLUMNS = ["scheduled_minutes", "logged_in_minutes", "in_adherence_minutes",
                  "late_start_minutes", "early_leave_minutes", "overtime_minutes"]


def rounded_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The adherence table with its minutes to 2 decimals, as the percentages are.

    The causes of lost minutes are rounded by largest remainder, so that in every row they
    still sum exactly (to the cent) to ``scheduled − in adherence + excused`` as written
    (``excused`` is rounded on its own: those minutes are in ``in adherence`` too).
    """
    out = rows.copy()
    for name in MINUTE_COLUMNS:
        out[name] = out[name].to_numpy(float).round(2)
    if not set(REASON_COLUMNS) <= set(out.columns) or out.empty:
        return out
    against = [name for name in REASON_COLUMNS if name != "lost_excused_minutes"]
    target = out["scheduled_minutes"].to_numpy(float) - out["in_adherence_minutes"].to_numpy(
        float)   # both already rounded to 2 decimals above
    parts = largest_remainder(out[against].to_numpy(float), np.round(target, 2))
    for k, name in enumerate(against):
        out[name] = parts[:, k]
    out["lost_excused_minutes"] = out["lost_excused_minutes"].to_numpy(float).round(2)
    return out
