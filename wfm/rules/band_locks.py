"""Why an agent stays outside its nights or weekend-rest band: no exchange of rosters fits.

The fairness stage (``solvers/roster/rest_exchange.py``) moves nights and weekend rest days
between team-mates by exchanging their rosters over a span of days; the checker
(``wfm.rules.fairness``) judges independently whether any such exchange could bring an agent
outside its band closer, and when none can it calls the agent *locked* and says why (the planner
guide's known limit, "weekend rest after a weekend rest day").

An exchange of the spans considered keeps both agents' rules:

- between two days both agents are off (or from one to the horizon's end): each keeps its runs
  of working days and its weekly rest, since both rows are off at the seams; with one rest day a
  week and at most six days in a row this is how weekend rest moves, and where a short rest
  forbids a day shift after a night, how nights move (a night is followed by a night or a rest
  day);
- (nights) over days both agents work: the working days stay where they are, and only the rest
  between shifts at the two seams can break (``follows``: whether a shift type may follow
  another on the next day under ``min_rest_hours``, wall-clock times without daylight saving).

Every day of the span is ``movable`` for both (no leave, contract bound or pinned rest). An
agent above its share (``over``) is locked when no exchange hands a team-mate between 1 and its
room ``share + band - now`` of the agent's marked days (weekend rest days or nights); one below
its share when no exchange hands it between 1 and what a team-mate can spare while staying at or
above its ``share - band``. Weekly night caps, runs of nights and night patterns are not
checked (leaving them out only finds more exchanges). Other spans are not looked at: the
verdict assumes one rest day a week, and an agent with a second rest day in a week can sometimes
move it, or a night, by such an exchange the rule checker accepts (the planner guide says so).
"""

from __future__ import annotations

import numpy as np

from wfm.config import MINUTES_PER_DAY, SiteConfig

LOCKED = ("no team-mate can take a weekend rest day over from it and stay inside its own "
          "band: with one rest day a week and at most six days in a row a rest day can only "
          "move earlier, so rosters can only be exchanged between days both agents are off, "
          "and every such exchange would hand over none, or more than the team-mate has room "
          "for")
LOCKED_BELOW = ("no team-mate can hand a weekend rest day over to it and stay inside its own "
                "band: with one rest day a week and at most six days in a row a rest day can "
                "only move earlier, so rosters can only be exchanged between days both agents "
                "are off, and every such exchange would hand over none, or more than the "
                "team-mate can spare")
_NIGHT_SPANS = ("rosters can only be exchanged between days both agents are off, or over days "
                "both work where the rest between shifts stays long enough, without breaking "
                "the run, weekly-rest or rest-hours rules")
NIGHTS_LOCKED = ("no team-mate can take a night over from it and stay inside its own band: "
                 f"{_NIGHT_SPANS}, and every such exchange would hand over none, or more than "
                 "the team-mate has room for")
NIGHTS_LOCKED_BELOW = ("no team-mate can hand a night over to it and stay inside its own band: "
                       f"{_NIGHT_SPANS}, and every such exchange would hand over none, or more "
                       "than the team-mate can spare")
WHY = {("weekend_rest", "locked"): LOCKED, ("weekend_rest", "locked_below"): LOCKED_BELOW,
       ("nights", "locked"): NIGHTS_LOCKED, ("nights", "locked_below"): NIGHTS_LOCKED_BELOW}
"""The sentence for each band (``kind``) and ``params["variant"]`` (above or below share)."""


def follows(config: SiteConfig) -> np.ndarray:
    """(T + 1, T + 1) whether shift type ``y`` may be worked the day after ``x`` under
    ``min_rest_hours`` (rest = 24 h + start of y - end of x); index T stands for any day not
    worked (off, leave, unknown), which any shift may follow or precede."""
    num_shifts = len(config.shifts)
    start = np.array([t.start_minute for t in config.shifts], dtype=float)
    end = start + np.array([t.duration_minutes for t in config.shifts], dtype=float)
    ok = np.ones((num_shifts + 1, num_shifts + 1), dtype=bool)
    rest_minutes = MINUTES_PER_DAY + start[None, :] - end[:, None]
    ok[:num_shifts, :num_shifts] = rest_minutes >= config.rules.min_rest_hours * 60
    return ok


def band_locked(a: int, members: list[int], now: np.ndarray, share: np.ndarray, band: int,
                off: np.ndarray, marked: np.ndarray, movable: np.ndarray, *, over: bool,
                states: np.ndarray | None = None, allowed: np.ndarray | None = None) -> bool:
    """Whether no exchange of rosters with a team-mate in ``members`` can bring agent ``a``
    closer to its share and leave the team-mate inside its band (module docstring).

    ``off``, ``marked`` and ``movable`` are (A, D) over the horizon; ``now`` and ``share`` the
    agents' horizon counts and shares. ``states`` (A, D + 1: the day before the horizon, then
    the horizon; shift index or < 0) and ``allowed`` (``follows``) add the exchanges over days
    both work, which only nights need (weekend rest days are never worked).
    """
    sign = 1 if over else -1
    limit = share + band + 1e-9 - now if over else now - share + band + 1e-9
    team = np.asarray(members)
    mates = team[(team != a) & (limit[team] >= 1)]
    if not len(mates):
        return True
    for chunk in range(0, len(mates), _CHUNK):  # most agents find an exchange early
        if _common_rest_span_fits(a, mates[chunk:chunk + _CHUNK], marked, movable, off, sign,
                                  limit):
            return False
    if states is None or allowed is None:
        return True
    return not _worked_span_fits(a, mates, marked, movable, states, allowed, sign, limit)


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
    # per team-mate, cumulative over the horizon: days handed, days not movable for both
    handed = np.zeros((len(mates), num_days + 1), dtype=np.int64)
    handed[:, 1:] = np.cumsum(sign * (marked[a][None, :].astype(np.int64)
                                      - marked[mates].astype(np.int64)), axis=1)
    stuck = np.zeros((len(mates), num_days + 1), dtype=np.int64)
    stuck[:, 1:] = np.cumsum(~(movable[a][None, :] & movable[mates]), axis=1)
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


def _worked_span_fits(a: int, mates: np.ndarray, marked: np.ndarray, movable: np.ndarray,
                      states: np.ndarray, allowed: np.ndarray, sign: int,
                      limit: np.ndarray) -> bool:
    """Whether some span ``[s, t)`` both ``a`` and a team-mate work throughout, movable for
    both, with rest-legal seams, hands between 1 and the team-mate's limit (vectorised over
    team-mates; the span's length grows until no span of that length is worked by both)."""
    num_days = marked.shape[1]
    rest = len(allowed) - 1
    kind = np.where(states >= 0, states, rest)  # (A, D + 1), column 0 the day before
    mine, theirs = kind[a][None, :], kind[mates]
    # start seam before day s: a's day s-1 then the mate's day s, and the other way round
    starts = (allowed[mine[:, :-1], theirs[:, 1:]] & allowed[theirs[:, :-1], mine[:, 1:]])
    # end seam before day t (t < D): the mate's day t-1 now a's, then a's own day t
    ends = np.ones((len(mates), num_days + 1), dtype=bool)
    ends[:, 1:num_days] = (allowed[theirs[:, 1:-1], mine[:, 2:]]
                           & allowed[mine[:, 1:-1], theirs[:, 2:]])
    both = (states[a, 1:] >= 0)[None, :] & (states[mates, 1:] >= 0) & movable[a][None, :] \
        & movable[mates]
    worked = np.zeros((len(mates), num_days + 1), dtype=np.int64)
    worked[:, 1:] = np.cumsum(both, axis=1)
    handed = np.zeros((len(mates), num_days + 1), dtype=np.int64)
    handed[:, 1:] = np.cumsum(sign * (marked[a][None, :].astype(np.int64)
                                      - marked[mates].astype(np.int64)), axis=1)
    room = limit[mates][:, None]
    for length in range(1, num_days + 1):
        through = worked[:, length:] - worked[:, :-length] == length  # (M, D - length + 1)
        if not through.any():
            return False
        moved = handed[:, length:] - handed[:, :-length]
        fits = (through & starts[:, :num_days - length + 1] & ends[:, length:]
                & (moved > 0) & (moved <= room))
        if fits.any():
            return True
    return False
