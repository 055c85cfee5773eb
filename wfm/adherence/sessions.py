"""Login data → disjoint activity segments per agent, with every correction reported.

Two inputs are accepted (DESIGN.md): state events ``agent_id, timestamp, state`` and sessions
``agent_id, login_time, logout_time``. Both become *segments*: ``[start, end)`` stretches of one
agent's logged-in time, each either *working* or not, tagged with the input line that began it.

Event rules
-----------
* An event sets the agent's state until the agent's next event. ``logout`` logs out; every other
  state means logged in. ``login`` and the productive states ``ready``, ``talk``, ``hold``,
  ``acw`` are working; ``break``, ``lunch``, ``meeting``, ``training``, ``not_ready`` are logged
  in but not working. With only login/logout, logged-in time is working time.
* Events are sorted by (agent, time, line); equal times keep the file order. An event earlier
  than one above it for the same agent is reported ("sorted into time order").
* A repeat of the same (agent, timestamp, state) is skipped and reported.
* A logout while logged out is ignored and reported ("logout without login").
* A state other than login while logged out is reported and treated as a login at that time.
* A login while logged in means a logout is missing: the open stretch is closed (below) no later
  than the new login. So is the agent's last stretch when it does not end with a logout.

Closing an open session
-----------------------
Its nearest shift (the one whose cell holds its start, see ``cells``) within 3 hours closes it at
the shift end (or at once if the shift has already ended). Without such a shift it closes at the
end of the data (the last timestamp of the file) or at the end of its calendar day, whichever is
earlier. It never runs past the agent's next login.

Session rules
-------------
An empty ``logout_time`` is an open session (closed as above, no later than the agent's next
login). Exact duplicates are skipped; a logout before or equal to its login is skipped; sessions
of one agent that overlap are merged so that the time counts once; each is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.adherence.cells import FOREVER, NEVER, Cells, cell_of, gap_ns
from wfm.adherence.schedule import NAT_NS, format_ns, next_midnight_ns, to_ns
from wfm.errors import InvalidInput
from wfm.tables import ACD_STATES

WORKING_STATES = ("login", "ready", "talk", "hold", "acw")
LOGOUT = "logout"
ATTRIBUTION_NS = 3 * 3600 * 1_000_000_000
_LOGIN_CODE = ACD_STATES.index("login")
_LOGOUT_CODE = ACD_STATES.index(LOGOUT)
_WORKING_CODES = np.array([ACD_STATES.index(s) for s in WORKING_STATES], dtype=np.int8)


@dataclass(frozen=True)
class Segments:
    """Disjoint stretches of logged-in time, sorted by (agent, start); plain arrays.

    ``agent`` (position in the agent index), ``start_ns``/``end_ns`` (``[start, end)``),
    ``working`` (a working state), ``line`` (the input line that began it) and ``state`` (its
    position in ``ACD_STATES``; ``login`` for sessions).
    """

    agent: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray
    working: np.ndarray
    line: np.ndarray
    state: np.ndarray

    def __len__(self) -> int:
        return len(self.agent)

    def take(self, index: np.ndarray) -> Segments:
        return Segments(self.agent[index], self.start_ns[index], self.end_ns[index],
                        self.working[index], self.line[index], self.state[index])

    def with_times(self, start_ns: np.ndarray, end_ns: np.ndarray) -> Segments:
        """The same segments with new start and end times."""
        return Segments(self.agent, start_ns, end_ns, self.working, self.line, self.state)

    @classmethod
    def empty(cls) -> Segments:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing, np.zeros(0, dtype=bool), nothing,
                   np.zeros(0, dtype=np.int8))
PROBLEM_COLUMNS = ["line", "agent_id", "problem", "action"]


def problems_frame(lines: np.ndarray, agent_ids: np.ndarray, problem: str | np.ndarray,
                   action: str | np.ndarray) -> pd.DataFrame:
    """Problem rows (without the file name, added by the caller)."""
    count = len(lines)
    return pd.DataFrame({
        "line": np.asarray(lines, dtype=np.int64),
        "agent_id": np.asarray(agent_ids, dtype=object),
        "problem": np.broadcast_to(np.asarray(problem, dtype=object), (count,)),
        "action": np.broadcast_to(np.asarray(action, dtype=object), (count,)),
    }, columns=PROBLEM_COLUMNS)


def _shift_within(values: np.ndarray, new_group: np.ndarray, fill: object) -> np.ndarray:
    """``values`` moved down one row, with ``fill`` where a group starts."""
    out = np.empty_like(values)
    out[0:1] = fill
    out[1:] = values[:-1]
    out[new_group] = fill
    return out


def close_open(cells: Cells, agent: np.ndarray, start_ns: np.ndarray, limit_ns: np.ndarray,
               end_of_data_ns: int, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """End times of open sessions and, for each, why it ends there (see module docstring)."""
    shift = cell_of(cells, agent, start_ns)
    near = shift >= 0
    near[near] = gap_ns(cells, shift[near], start_ns[near], start_ns[near]) <= ATTRIBUTION_NS
    midnight = next_midnight_ns(start_ns, tz) if len(start_ns) else start_ns
    data_end = np.minimum(midnight, end_of_data_ns)
    end = np.where(near, np.maximum(start_ns, cells.end_ns[np.where(near, shift, 0)]
                                    if len(cells.end_ns) else start_ns), data_end)
    reason = np.where(near, "the end of its shift",
                      np.where(midnight < end_of_data_ns, "the end of its calendar day",
                               "the end of the data"))
    capped = limit_ns < end
    reason = np.where(capped, "the next login", reason)
    return np.maximum(start_ns, np.minimum(end, limit_ns)), reason


def _describe_close(end_ns: np.ndarray, reason: np.ndarray, tz: str) -> np.ndarray:
    return np.array([f"session closed at {format_ns(e, tz)} ({r})"
                     for e, r in zip(end_ns, reason, strict=True)], dtype=object)


def _late_in_file(agent: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Rows earlier in time than a row above them (in the file) for the same agent.

    ``order`` sorts by (agent, time, line); a row's position in it is a time that also keeps
    agents apart, so one running maximum over the rows grouped by agent (in file order) finds
    them all.
    """
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    by_agent = np.argsort(agent, kind="stable")
    seen = np.maximum.accumulate(position[by_agent])
    late = np.zeros(len(order), dtype=bool)
    late[by_agent[1:]] = position[by_agent[1:]] < seen[:-1]
    return late


def _repeats(agent: np.ndarray, time_ns: np.ndarray, state: np.ndarray,
             line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (already sorted by agent, time, line) repeating an earlier (agent, time, state),
    and for each the line it repeats."""
    same = np.zeros(len(agent), dtype=bool)
    same[1:] = (agent[1:] == agent[:-1]) & (time_ns[1:] == time_ns[:-1])
    candidates = np.flatnonzero(same | np.append(same[1:], False))
    repeat = np.zeros(len(agent), dtype=bool)
    original = np.zeros(len(agent), dtype=np.int64)
    if len(candidates):
        key = pd.DataFrame({"a": agent[candidates], "t": time_ns[candidates],
                            "s": state[candidates]})
        repeat[candidates] = key.duplicated().to_numpy()
        original[candidates] = pd.Series(line[candidates]).groupby(
            [key["a"], key["t"], key["s"]]).transform("first").to_numpy()
    return repeat, original


def segments_from_events(events: pd.DataFrame, agents: pd.Index, cells: Cells, tz: str
                         ) -> tuple[Segments, pd.DataFrame]:
    """Segments and problems from a login-events frame (as returned by ``read_table``)."""
    line = np.asarray(events.index, dtype=np.int64) + 2
    agent = agents.get_indexer(pd.Index(events["agent_id"])).astype(np.int64)
    time_ns = to_ns(events["timestamp"])
    state = pd.Categorical(events["state"], categories=ACD_STATES).codes.astype(np.int8)
    if (state < 0).any():
        raise InvalidInput(f"unknown state(s) {sorted(set(events['state']) - set(ACD_STATES))}")
    names = agents.to_numpy(dtype=object)
    problems = [problems_frame(line[:0], line[:0], "", "")]
    if len(line) == 0:
        return Segments.empty(), problems[0]

    end_of_data = int(time_ns.max())  # the last timestamp of the file
    order = np.lexsort((line, time_ns, agent))
    late = _late_in_file(agent, order)
    problems.append(problems_frame(line[late], names[agent[late]],
                                   "event earlier than an event above it for the same agent",
                                   "sorted into time order"))
    line, agent, time_ns, state = line[order], agent[order], time_ns[order], state[order]
    repeat, original = _repeats(agent, time_ns, state, line)
    if repeat.any():
        problems.append(problems_frame(
            line[repeat], names[agent[repeat]],
            np.array([f"duplicate of line {n}" for n in original[repeat]], dtype=object),
            "skipped"))
        keep = ~repeat
        line, agent, time_ns, state = line[keep], agent[keep], time_ns[keep], state[keep]

    logged_in = state != _LOGOUT_CODE
    new_agent = np.ones(len(agent), dtype=bool)
    new_agent[1:] = agent[1:] != agent[:-1]
    was_in = _shift_within(logged_in, new_agent, False)
    stray = ~logged_in & ~was_in
    if stray.any():
        problems.append(problems_frame(line[stray], names[agent[stray]], "logout without login",
                                       "ignored"))
        keep = ~stray
        line, agent, time_ns, state = line[keep], agent[keep], time_ns[keep], state[keep]
        logged_in, was_in = logged_in[keep], was_in[keep]
        new_agent = np.ones(len(agent), dtype=bool)
        new_agent[1:] = agent[1:] != agent[:-1]

    implicit = logged_in & ~was_in & (state != _LOGIN_CODE)
    problems.append(problems_frame(
        line[implicit], names[agent[implicit]],
        np.array([f"'{ACD_STATES[s]}' while logged out" for s in state[implicit]], dtype=object),
        "treated as a login at this time"))
    relogin = (state == _LOGIN_CODE) & was_in

    last = np.ones(len(agent), dtype=bool)
    last[:-1] = new_agent[1:]
    next_ns = np.empty_like(time_ns)
    next_ns[:-1] = time_ns[1:]
    next_ns[last] = FOREVER
    relogin_next = np.zeros(len(agent), dtype=bool)
    relogin_next[:-1] = relogin[1:]
    relogin_next &= ~last
    is_open = logged_in & (last | relogin_next)
    end_ns = next_ns
    if is_open.any():
        closed, reason = close_open(cells, agent[is_open], time_ns[is_open], next_ns[is_open],
                                    end_of_data, tz)
        end_ns = next_ns.copy()
        end_ns[is_open] = closed
        next_line = np.zeros(len(line), dtype=np.int64)
        next_line[:-1] = line[1:]
        what = np.where(last[is_open], "no logout after this event",
                        np.array([f"no logout before the login on line {n}"
                                  for n in next_line[is_open]], dtype=object))
        problems.append(problems_frame(line[is_open], names[agent[is_open]], what,
                                       _describe_close(closed, reason, tz)))

    segment = logged_in & (end_ns > time_ns)
    segments = Segments(agent[segment], time_ns[segment], end_ns[segment],
                        np.isin(state[segment], _WORKING_CODES), line[segment],
                        state[segment])
    return segments, pd.concat(problems, ignore_index=True)


def segments_from_sessions(sessions: pd.DataFrame, agents: pd.Index, cells: Cells, tz: str
                           ) -> tuple[Segments, pd.DataFrame]:
    """Segments (all working) and problems from a login-sessions frame."""
    line = np.asarray(sessions.index, dtype=np.int64) + 2
    agent = agents.get_indexer(pd.Index(sessions["agent_id"])).astype(np.int64)
    login = to_ns(sessions["login_time"])
    logout = to_ns(sessions["logout_time"])
    agent_id = sessions["agent_id"].to_numpy(dtype=object)
    problems = []
    if len(line) == 0:
        return Segments.empty(), problems_frame(line, agent_id, "", "")

    key = pd.DataFrame({"a": agent, "i": login, "o": logout})
    repeat = key.duplicated().to_numpy()
    backwards = (logout != NAT_NS) & (logout < login) & ~repeat
    empty = (logout != NAT_NS) & (logout == login) & ~repeat
    problems.append(problems_frame(line[repeat], agent_id[repeat], "duplicate session",
                                   "skipped"))
    problems.append(problems_frame(line[backwards], agent_id[backwards],
                                   "logout_time before login_time", "skipped"))
    problems.append(problems_frame(line[empty], agent_id[empty],
                                   "logout_time equals login_time", "skipped"))
    keep = ~(repeat | backwards | empty)
    order = np.flatnonzero(keep)[np.lexsort((line[keep], login[keep], agent[keep]))]
    line, agent, login, logout, agent_id = (line[order], agent[order], login[order],
                                            logout[order], agent_id[order])
    if len(line) == 0:
        return Segments.empty(), pd.concat(problems, ignore_index=True)

    new_agent = np.ones(len(agent), dtype=bool)
    new_agent[1:] = agent[1:] != agent[:-1]
    is_open = logout == NAT_NS
    if is_open.any():
        last = np.ones(len(agent), dtype=bool)
        last[:-1] = new_agent[1:]
        next_login = np.empty_like(login)
        next_login[:-1] = login[1:]
        next_login[last] = FOREVER
        times = np.concatenate([login, logout[~is_open]])
        closed, reason = close_open(cells, agent[is_open], login[is_open],
                                    next_login[is_open], int(times.max()), tz)
        logout = logout.copy()
        logout[is_open] = closed
        problems.append(problems_frame(line[is_open], agent_id[is_open], "no logout_time",
                                       _describe_close(closed, reason, tz)))

    running = pd.Series(logout).groupby(agent).cummax().to_numpy(np.int64)
    reaches = logout == running
    holder = pd.Series(np.where(reaches, line, np.nan)).groupby(agent).ffill().to_numpy(float)
    before = _shift_within(running, new_agent, NEVER)
    before_line = _shift_within(holder, new_agent, np.nan)
    overlap = login < before
    problems.append(problems_frame(
        line[overlap], agent_id[overlap],
        np.array([f"overlaps the session on line {int(n)}" for n in before_line[overlap]],
                 dtype=object),
        "merged: the overlapping time counts once"))
    block = np.cumsum(new_agent | (login >= before)) - 1
    starts = np.flatnonzero(np.diff(block, prepend=-1))
    segments = Segments(agent[starts], login[starts], np.maximum.reduceat(logout, starts),
                        np.ones(len(starts), dtype=bool), line[starts],
                        np.full(len(starts), _LOGIN_CODE, dtype=np.int8))
    segments = segments.take(np.flatnonzero(segments.end_ns > segments.start_ns))
    return segments, pd.concat(problems, ignore_index=True)
