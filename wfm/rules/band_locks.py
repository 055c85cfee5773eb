"""Why an agent stays outside its nights or weekend-rest band: no exchange of rosters fits.

The fairness stage (``solvers/roster/rest_exchange.py``) moves nights and weekend rest days
between team-mates by exchanging their rosters over a span of days; the checker
(``wfm.rules.fairness``) judges independently whether any such exchange could bring an agent
outside its band closer, and when none can it calls the agent *locked* and says why (the planner
guide's known limit, "weekend rest after a weekend rest day").

Every span ``[s, e)`` of horizon days both agents can give (no leave, contract bound or pinned
rest in it) is judged, with every team-mate, exactly for the three rules an exchange can break:
the run of working days (``max_consecutive_days``, the previous roster's days counted), the rest
days per Monday-Sunday week and the rest between shifts (``follows``: whether a shift type may be
worked the day after another under ``min_rest_hours``, wall-clock times without daylight
saving). Each new row's runs inside the span are the other's own, so only the runs that meet at
a seam can change; only the weeks a seam cuts can lose their rest day; only the two seams can
shorten a rest between shifts. Exchanges between two days both agents are off are tried first:
they are the usual way weekend rest moves (with one rest day a week and at most six days in a
row a rest day can only move earlier), they keep every rule, and most agents not locked have one.

An agent above its share (``over``) is locked when no exchange hands a team-mate between 1 and
its room ``share + band - now`` of the agent's marked days (weekend rest days or nights); one
below its share when no exchange hands it between 1 and what a team-mate can spare while staying
at or above its ``share - band``. Weekly night caps, runs of nights and night patterns are not
checked: leaving them out only finds more exchanges, so an agent called locked is locked under
every rule. One exchange at a time: a chain through three agents is not looked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.config import MINUTES_PER_DAY, SiteConfig
from wfm.rules.cells import LEAVE, OFF, UNKNOWN, templates

_ANY_SPAN = ("every exchange of a stretch of days with a team-mate that keeps both rosters "
             "within the run, weekly-rest and rest-between-shifts rules")
LOCKED = ("no team-mate can take a weekend rest day over from it and stay inside its own "
          "band: with one rest day a week and at most six days in a row a rest day can only "
          f"move earlier, and {_ANY_SPAN} would hand over none, or more than the team-mate has "
          "room for")
LOCKED_BELOW = ("no team-mate can hand a weekend rest day over to it and stay inside its own "
                "band: with one rest day a week and at most six days in a row a rest day can "
                f"only move earlier, and {_ANY_SPAN} would hand over none, or more than the "
                "team-mate can spare")
NIGHTS_LOCKED = ("no team-mate can take a night over from it and stay inside its own band: "
                 f"{_ANY_SPAN} would hand over none, or more than the team-mate has room for")
NIGHTS_LOCKED_BELOW = ("no team-mate can hand a night over to it and stay inside its own band: "
                       f"{_ANY_SPAN} would hand over none, or more than the team-mate can "
                       "spare")
WHY = {("weekend_rest", "locked"): LOCKED, ("weekend_rest", "locked_below"): LOCKED_BELOW,
       ("nights", "locked"): NIGHTS_LOCKED, ("nights", "locked_below"): NIGHTS_LOCKED_BELOW}
"""The sentence for each band (``kind``) and ``params["variant"]`` (above or below share)."""


def follows(config: SiteConfig) -> np.ndarray:
    """(T + 1, T + 1) whether shift type ``y`` may be worked the day after ``x`` under
    ``min_rest_hours`` (rest = 24 h + start of y - end of x); index T stands for any day not
    worked (off, leave, unknown), which any shift may follow or precede."""
    shifts = templates(config)
    start = shifts.start_minute.astype(float)
    end = start + shifts.duration_minutes
    ok = np.ones((len(start) + 1, len(start) + 1), dtype=bool)
    rest_minutes = MINUTES_PER_DAY + start[None, :] - end[:, None]
    ok[:-1, :-1] = rest_minutes >= config.rules.min_rest_hours * 60
    return ok


@dataclass(frozen=True)
class Rows:
    """Every agent's row as the exchanges see it, derived once per check (``rows_of``): the
    number ``width`` of previous days in the grid; over the horizon, the days ``off`` (or on
    leave, the common rest days), the run of working days ending just before each day
    (``trail``, previous days counted) and starting at it (``lead``), the shift type worked
    (``kind``, index T for a day not worked; column 0 the day before the horizon); the
    cumulative ``rest`` days over the grid's columns; per horizon day the grid columns of its
    Monday-Sunday week and whether the weekly-rest rule ``judged`` it for each agent (all
    seven days in the grid and known); the ``follows`` matrix and the two rules' limits."""

    width: int
    off: np.ndarray
    trail: np.ndarray
    lead: np.ndarray
    kind: np.ndarray
    rest: np.ndarray
    week_first: np.ndarray
    week_last: np.ndarray
    judged: np.ndarray
    allowed: np.ndarray
    max_run: int
    min_rest: int


def rows_of(states: np.ndarray, width: int, week: np.ndarray, config: SiteConfig) -> Rows:
    """``Rows`` from the grid's ``states`` (A, W + D: ``width`` previous days, then the horizon;
    shift index, ``OFF``, ``LEAVE`` or ``UNKNOWN``) and each column's ``week`` number."""
    working = states >= 0
    columns = states.shape[1]
    num_days = columns - width
    before = np.zeros((len(states), columns + 1), dtype=np.int64)
    for c in range(columns):
        before[:, c + 1] = np.where(working[:, c], before[:, c] + 1, 0)
    lead = np.zeros((len(states), num_days + 1), dtype=np.int64)
    for d in range(num_days - 1, -1, -1):
        lead[:, d] = np.where(working[:, width + d], lead[:, d + 1] + 1, 0)
    rest = np.zeros((len(states), columns + 1), dtype=np.int64)
    rest[:, 1:] = np.cumsum(np.isin(states, (OFF, LEAVE)), axis=1)
    allowed = follows(config)
    first = np.zeros(num_days, dtype=np.int64)
    last = np.zeros(num_days, dtype=np.int64)
    judged = np.zeros((len(states), num_days), dtype=bool)
    for d in range(num_days):
        same = np.flatnonzero(week == week[width + d])
        first[d], last[d] = same[0], same[-1]
        if len(same) == 7:
            judged[:, d] = (states[:, same] != UNKNOWN).all(axis=1)
    return Rows(width=width, off=np.isin(states[:, width:], (OFF, LEAVE)),
                trail=before[:, width:], lead=lead,
                kind=np.where(working, states, len(allowed) - 1)[:, width - 1:], rest=rest,
                week_first=first, week_last=last, judged=judged, allowed=allowed,
                max_run=config.rules.max_consecutive_days,
                min_rest=config.rules.min_rest_days_per_week)


def band_locked(a: int, members: list[int], now: np.ndarray, share: np.ndarray, band: int,
                marked: np.ndarray, movable: np.ndarray, rows: Rows, *, over: bool) -> bool:
    """Whether no exchange of rosters with a team-mate in ``members`` can bring agent ``a``
    closer to its share and leave the team-mate inside its band (module docstring).

    ``marked`` and ``movable`` are (A, D) over the horizon; ``now`` and ``share`` the agents'
    horizon counts and shares. Exchanges between common rest days are tried first (cheap,
    and they always keep the rules), then every other span is judged exactly
    (``_any_span_fits``).
    """
    sign = 1 if over else -1
    limit = share + band + 1e-9 - now if over else now - share + band + 1e-9
    team = np.asarray(members)
    mates = team[(team != a) & (limit[team] >= 1)]
    if not len(mates):
        return True
    for chunk in range(0, len(mates), _CHUNK):  # most agents find an exchange early
        if _common_rest_span_fits(a, mates[chunk:chunk + _CHUNK], marked, movable, rows.off,
                                  sign, limit):
            return False
    return not _any_span_fits(a, mates, marked, movable, rows, sign, limit)


_CHUNK = 128


def _common_rest_span_fits(a: int, mates: np.ndarray, marked: np.ndarray, movable: np.ndarray,
                           off: np.ndarray, sign: int, limit: np.ndarray) -> bool:
    """Whether some span between two days ``a`` and a team-mate are both ``off`` (or from one
    to the horizon's end), movable for both, hands between 1 and the team-mate's limit."""
    num_days = off.shape[1]
    common = off[a][None, :] & off[mates]
    near = np.flatnonzero(common[:, :num_days - 1].any(axis=1))  # a span is a day or more
    if not len(near):
        return False
    mates, common = mates[near], common[near]
    handed, stuck = _pair_sums(a, mates, marked, movable, sign)
    for i in range(len(mates)):
        days = np.flatnonzero(common[i]).tolist()
        moved, fixed, room = handed[i].tolist(), stuck[i].tolist(), float(limit[mates[i]])
        for j, first in enumerate(days):
            for last in [*days[j + 1:], num_days]:
                if last - first < 2:
                    continue
                if fixed[last] > fixed[first + 1]:
                    break
                if 0 < moved[last] - moved[first + 1] <= room:
                    return True
    return False


def _pair_sums(a: int, mates: np.ndarray, marked: np.ndarray, movable: np.ndarray, sign: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """(M, D + 1) per team-mate, cumulative over the horizon: the marked days an exchange
    with ``a`` up to day ``d`` hands over (``sign``: from ``a``, or to it), and the days not
    movable for both."""
    num_days = marked.shape[1]
    handed = np.zeros((len(mates), num_days + 1), dtype=np.int64)
    handed[:, 1:] = np.cumsum(sign * (marked[a][None, :].astype(np.int64)
                                      - marked[mates].astype(np.int64)), axis=1)
    stuck = np.zeros((len(mates), num_days + 1), dtype=np.int64)
    stuck[:, 1:] = np.cumsum(~(movable[a][None, :] & movable[mates]), axis=1)
    return handed, stuck


def _any_span_fits(a: int, mates: np.ndarray, marked: np.ndarray, movable: np.ndarray,
                   rows: Rows, sign: int, limit: np.ndarray) -> bool:
    """Whether exchanging some span ``[s, e)`` of horizon days, movable for both, with a
    team-mate hands between 1 and its limit and keeps both new rows within the run limit,
    the weekly rest and the rest between shifts (exact for these rules: a new row's runs
    inside the span are the team-mate's own, so only the runs that cross a seam can change;
    likewise the weekly rest of the weeks a seam cuts, and the rest at the seams).
    Vectorised over team-mates and start days, one span length at a time."""
    num_days = marked.shape[1]
    width = rows.width
    both = np.concatenate([[a], mates])
    trail, lead, kind, rest = rows.trail[both], rows.lead[both], rows.kind[both], rows.rest[both]
    judged = rows.judged[both]
    allowed = rows.allowed
    # seams: a's day s - 1 then the mate's day s, and the other way round; same at the end
    start_ok = (allowed[kind[:1, :-1], kind[1:, 1:]] & allowed[kind[1:, :-1], kind[:1, 1:]])
    end_ok = np.ones((len(mates), num_days + 1), dtype=bool)
    end_ok[:, 1:num_days] = (allowed[kind[1:, 1:-1], kind[:1, 2:]]
                             & allowed[kind[:1, 1:-1], kind[1:, 2:]])
    handed, stuck = _pair_sums(a, mates, marked, movable, sign)
    room = limit[mates][:, None]
    for length in range(1, num_days + 1):
        s = np.arange(num_days - length + 1)
        e = s + length
        fits = ((stuck[:, e] == stuck[:, s]) & start_ok[:, s] & end_ok[:, e]
                & (handed[:, e] - handed[:, s] > 0) & (handed[:, e] - handed[:, s] <= room))
        if not fits.any():
            continue
        fits &= _runs_hold(trail, lead, s, e, length, rows.max_run)
        if not fits.any():
            continue
        for day in (s, e - 1):  # the weeks a seam may cut (one week, or two)
            fits &= _week_holds(rest, rows.week_first[day], rows.week_last[day],
                                judged[:, day], s + width, e + width, rows.min_rest)
        if fits.any():
            return True
    return False


def _runs_hold(trail: np.ndarray, lead: np.ndarray, s: np.ndarray, e: np.ndarray,
               length: int, max_run: int) -> np.ndarray:
    """(M, S) whether both new rows keep their runs within ``max_run`` (row 0: the agent,
    rows 1..: its team-mates; each takes the other's days ``[s, e)``)."""
    ok = np.ones((trail.shape[0] - 1, len(s)), dtype=bool)
    for mine, theirs in ((slice(0, 1), slice(1, None)), (slice(1, None), slice(0, 1))):
        through = lead[theirs][:, s] >= length  # the other works the whole span
        into = trail[mine][:, s] + np.where(through, length + lead[mine][:, e],
                                            lead[theirs][:, s])
        out = trail[theirs][:, e] + lead[mine][:, e]  # when the other rests inside
        ok &= (into <= max_run) & (through | (out <= max_run))
    return ok


def _week_holds(rest: np.ndarray, first: np.ndarray, last: np.ndarray, judged: np.ndarray,
                s: np.ndarray, e: np.ndarray, minimum: int) -> np.ndarray:
    """(M, S) whether both new rows keep ``minimum`` rest days in the week ``[first, last]``
    (grid columns) when they exchange columns ``[s, e)`` (``rest``: cumulative rest days)."""
    lo, hi = np.maximum(first, s), np.minimum(last + 1, e)  # the exchanged part of the week
    whole = rest[:, last + 1] - rest[:, first]
    inside = rest[:, hi] - rest[:, lo]
    new_agent = whole[:1] - inside[:1] + inside[1:]
    new_mates = whole[1:] - inside[1:] + inside[:1]
    return ((~judged[:1] | (new_agent >= minimum)) & (~judged[1:] | (new_mates >= minimum)))
