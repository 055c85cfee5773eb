"""Check a shift swap: apply it to a copy of the roster, run the rule checker on the two agents
and measure the coverage impact per interval and queue.

A swap exchanges the two agents' assignments (shift and queue) on each of its dates: ``[d]``
exchanges both agents' days d; ``[d_a, d_b]`` gives the requester's shift on d_a to the
counterpart and the counterpart's shift on d_b to the requester, which is the same as exchanging
both days. A moved shift keeps its queue, so a receiver without that skill breaks the ``skill``
rule. Kinds differ only in what must hold before the exchange:

``swap``      the requester works on d_a and the counterpart works on d_b;
``give``      one date; the requester works, the counterpart is ``OFF``;
``rest-day``  the requester is ``OFF`` on d_a and the counterpart is ``OFF`` on d_b.

``LEAVE`` days never move. Only violations the swap introduces are reported, so an old problem
elsewhere in the two agents' rosters does not block an unrelated swap. The swap's statuses are
``wfm.requests.status.SWAP_MACHINE``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

import numpy as np
import pandas as pd

from wfm.calendar import wall_clock_instants
from wfm.config import SiteConfig
from wfm.coverage import NON_WORKING, covered_offsets_minutes
from wfm.errors import InvalidInput, Violation
from wfm.rules import check_roster, check_roster_rows

SWAP_KINDS = ("swap", "give", "rest-day")
IMPACT_COLUMNS = ["interval_start", "queue", "required", "scheduled_before", "scheduled_after"]
CELL_COLUMNS = ["agent_id", "date", "shift", "queue"]
AGENT_FIELDS = ("agent_id", "skills", "max_nights_per_week", "start_date", "end_date")


@dataclass(frozen=True)
class SwapVerdict:
    """What a swap would do.

    Attributes
    ----------
    violations
        Rules the swap breaks (shape problems such as ``not_off``, or the checker's codes).
    impact
        ``interval_start, queue, required, scheduled_before, scheduled_after`` for every interval
        and queue that a moved shift covers.
    before, after
        The agent-days the swap touches, as ``agent_id, date, shift, queue`` records.
    starts_at
        When the earliest shift the swap touches starts (tz-aware, site time).
    """

    violations: list[Violation]
    impact: pd.DataFrame
    before: list[dict[str, object]] = field(default_factory=list)
    after: list[dict[str, object]] = field(default_factory=list)
    starts_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def keeps_coverage(self) -> bool:
        """In every interval and queue, scheduled_after ≥ min(scheduled_before, required)."""
        floor = self.impact[["scheduled_before", "required"]].min(axis=1)
        return bool((self.impact["scheduled_after"] >= floor).all())


def check_swap(roster: pd.DataFrame | Sequence[tuple[str, date, str, str | None]],
               agents: pd.DataFrame | Sequence[Mapping[str, object]], config: SiteConfig, *,
               kind: str, requester_id: str, counterpart_id: str, dates: Sequence[date],
               requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None = None,
               requirement_queues: list[str] | None = None,
               window_counts: pd.DataFrame | Iterable[tuple[date, str, str, int]] | None = None,
               ) -> SwapVerdict:
    """Apply a swap to a copy of ``roster`` and judge it.

    Parameters
    ----------
    roster
        ``agent_id, date, shift[, queue]`` holding at least all rows of the two agents and all
        rows on the swap dates and the days either side (for coverage); a frame or
        ``(agent_id, date, shift, queue)`` tuples.
    agents
        The agents table (at least the two agents), or its records.
    requirement
        ``interval_start, queue, scheduled_agents``; ``required`` is 0 where it has no row. Or
        a mapping ``(local naive interval start, queue) -> scheduled_agents``.
    window_counts
        Optional ``date, shift, queue, agents`` (a frame or tuples): how many agents work each
        shift type and queue on the swap dates and the days either side (a database can count
        them). When given, ``roster`` need only hold the two agents' rows.

    Raises
    ------
    InvalidInput
        Unknown kind, no or more than two dates, or an agent swapping with itself.
    """
    days = _check_request(kind, requester_id, counterpart_id, dates)
    pair = (requester_id, counterpart_id)
    columns = _columns(roster)
    agent_column = columns[0]
    selected = np.flatnonzero((agent_column == requester_id) | (agent_column == counterpart_id))
    mine = list(zip(*(column[selected].tolist() for column in columns), strict=True))
    cells = {(a, d): (s, q) for a, d, s, q in mine}
    before = [_cell(cells, agent, day) for day in days for agent in pair]
    shape = _shape_violations(kind, pair, days, list(dates), cells)
    after = _exchange(before, pair)
    starts_at = _earliest_start(before, days, config)
    if not shape and all(b == a for b, a in zip(before, after, strict=True)):
        shape.append(Violation("no_change", requester_id, days[0].isoformat(),
                               "the swap would change nothing"))
    if shape:
        return SwapVerdict(shape, _empty_impact(config), before, after, starts_at)
    violations = _new_violations(mine, _apply(mine, after), agents, config, pair,
                                 requirement_queues)
    impact = _impact(columns, before, after, days, config, requirement, requirement_queues,
                     window_counts)
    return SwapVerdict(violations, impact, before, after, starts_at)


def _check_request(kind: str, requester_id: str, counterpart_id: str,
                   dates: Sequence[date]) -> list[date]:
    if kind not in SWAP_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(SWAP_KINDS)}, got {kind!r}")
    if not 1 <= len(dates) <= 2:
        raise InvalidInput(f"dates must hold one or two dates, got {len(dates)}")
    if kind == "give" and len(set(dates)) != 1:
        raise InvalidInput("a give moves one shift: dates must hold one date")
    if requester_id == counterpart_id:
        raise InvalidInput(f"counterpart_id must be another agent, got {counterpart_id!r}")
    for day in dates:
        if not date.min + timedelta(days=7) <= day <= date.max - timedelta(days=7):
            raise InvalidInput(f"dates must be ordinary calendar dates, got {day}")
    return sorted(set(dates))


Cells = dict[tuple[str, date], tuple[str, str]]


Row = tuple[str, date, str, str]


def _columns(roster: pd.DataFrame | Sequence[tuple[str, date, str, str | None]],
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """agent_id, date, shift and queue ("" when absent or missing) as arrays."""
    if not isinstance(roster, pd.DataFrame):
        arrays = [np.empty(len(roster), dtype=object) for _ in range(4)]
        for k, values in enumerate(zip(*roster, strict=True) if len(roster) else ()):
            arrays[k][:] = values
        for i, value in enumerate(arrays[3].tolist()):
            if value is None or value != value:
                arrays[3][i] = ""
        return arrays[0], arrays[1], arrays[2], arrays[3]

    def column(name: str) -> np.ndarray:
        return roster[name].to_numpy(dtype=object)

    if "queue" in roster.columns:
        queue = column("queue")
        missing = pd.isna(queue)
        if missing.any():
            queue = queue.copy()
            queue[missing] = ""
    else:
        queue = np.full(len(roster), "", dtype=object)
    return column("agent_id"), column("date"), column("shift"), queue


def _cell(cells: Cells, agent_id: str, day: date) -> dict[str, object]:
    shift, queue = cells.get((agent_id, day), (None, ""))
    return {"agent_id": agent_id, "date": day, "shift": shift, "queue": str(queue)}


def _shift_of(cells: Cells, agent_id: str, day: date) -> str | None:
    shift = cells.get((agent_id, day), (None, ""))[0]
    return None if shift is None else str(shift)


def _shape_violations(kind: str, pair: tuple[str, str], days: list[date], dates: list[date],
                      cells: Cells) -> list[Violation]:
    problems: list[Violation] = []
    for day in days:
        for agent in pair:
            shift = _shift_of(cells, agent, day)
            if shift is None:
                problems.append(Violation("no_assignment", agent, day.isoformat(),
                                          f"{agent} has no roster row on {day}"))
            elif shift == "LEAVE":
                problems.append(Violation("leave", agent, day.isoformat(),
                                          f"{agent} is on leave on {day}; leave never moves"))
    if problems:
        return problems
    requester, counterpart = pair
    first, last = dates[0], dates[-1]
    wanted = {"swap": ((requester, first, True), (counterpart, last, True)),
              "give": ((requester, first, True), (counterpart, first, False)),
              "rest-day": ((requester, first, False), (counterpart, last, False))}[kind]
    for agent, day, working in wanted:
        is_working = _shift_of(cells, agent, day) not in NON_WORKING
        if working and not is_working:
            problems.append(Violation("not_working", agent, day.isoformat(),
                                      f"{agent} has no shift to move on {day} ({kind})"))
        elif not working and is_working:
            problems.append(Violation("not_off", agent, day.isoformat(),
                                      f"{agent} is not OFF on {day} ({kind})"))
    return problems


def _exchange(before: list[dict[str, object]], pair: tuple[str, str]) -> list[dict[str, object]]:
    after = []
    for first, second in zip(before[::2], before[1::2], strict=True):
        after.append({**second, "agent_id": pair[0]})
        after.append({**first, "agent_id": pair[1]})
    return after


def _apply(rows: list[Row], after: list[dict[str, object]]) -> list[Row]:
    # ``after`` holds _cell records in Row order; the one exception to Row's types is a
    # shift of None where the agent had no row, which the checkers already receive.
    changed = [cast(Row, (c["agent_id"], c["date"], c["shift"], c["queue"])) for c in after]
    keys = {(agent, day) for agent, day, _, _ in changed}
    return [r for r in rows if (r[0], r[1]) not in keys] + changed


def _new_violations(table: list[Row], swapped: list[Row],
                    agents: pd.DataFrame | Sequence[Mapping[str, object]],
                    config: SiteConfig, pair: tuple[str, str],
                    queues: list[str] | None) -> list[Violation]:
    """Violations of the two agents after the swap that were not there before.

    The roster before the swap is only checked when the swapped one breaks something, so a
    legal swap costs one run of the checker. The checker runs on plain Python values
    (``wfm.rules.check_roster_rows``, the same violations as ``check_roster``) unless a date is
    not a ``datetime.date``.
    """
    if isinstance(agents, pd.DataFrame):
        # the checker reads an agent's first row; list.index finds it in C, far quicker than
        # an element-wise comparison of the whole id column
        ids = agents["agent_id"].tolist()
        picked = [ids.index(a) for a in dict.fromkeys(pair) if a in ids]
        fields = {c: agents[c].to_numpy(dtype=object) for c in AGENT_FIELDS
                  if c in agents.columns}
        records = [{c: values[i] for c, values in fields.items()} for i in picked]
    else:
        records = [dict(a) for a in agents if a.get("agent_id") in pair]

    def check(rows: list[Row]) -> list[Violation]:
        rows = sorted(rows, key=lambda r: (r[0], r[1]))
        if all(type(r[1]) is date for r in rows):
            found = check_roster_rows(rows, records, config, requirement_queues=queues,
                                      agent_ids=list(pair))
        else:
            frame = pd.DataFrame(rows, columns=CELL_COLUMNS)
            table = pd.DataFrame(records, columns=list(AGENT_FIELDS))
            found = check_roster(frame, table, config, requirement_queues=queues,
                                 agent_ids=list(pair))
        return [v for v in found if v.agent_id in pair]

    after = check(swapped)
    if not after:
        return []
    old = {(v.code, v.agent_id, v.date) for v in check(table)}
    return [v for v in after if (v.code, v.agent_id, v.date) not in old]


def _earliest_start(before: list[dict[str, object]], days: list[date],
                    config: SiteConfig) -> datetime:
    starts = []
    for cell in before:
        shift = cell["shift"]
        if shift is not None and shift not in NON_WORKING:
            template = config.shift(str(shift))
            day = cell["date"]
            assert isinstance(day, date)
            starts.append(datetime.combine(day, template.start_time, tzinfo=config.tz))
    return min(starts) if starts else datetime.combine(days[0], datetime.min.time(),
                                                       tzinfo=config.tz)


def _empty_impact(config: SiteConfig) -> pd.DataFrame:
    starts = pd.Series([], dtype=f"datetime64[ns, {config.timezone}]")
    return pd.DataFrame({"interval_start": starts, "queue": pd.Series([], dtype=object),
                         **{c: pd.Series([], dtype="int64") for c in IMPACT_COLUMNS[2:]}})


Key = tuple[int, str]  # (local interval start in minutes since 1970-01-01, queue)


def _impact(columns: tuple[np.ndarray, ...], before: list[dict[str, object]],
            after: list[dict[str, object]], days: list[date], config: SiteConfig,
            requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None,
            queues: list[str] | None,
            window_counts: pd.DataFrame | Iterable[tuple[date, str, str, int]] | None = None,
            ) -> pd.DataFrame:
    """Required and scheduled agents before and after, for every interval and queue a moved
    shift covers (coverage as in ``wfm.coverage``: a shift covers the intervals inside it,
    minus its fixed breaks).

    Counts come from the rows of the swap dates and the days either side (a shift may cross
    midnight), grouped by (date, shift, queue) so that only a few groups are expanded to
    intervals; after = before - the moved agent-days as they were + as they become.
    """
    window = {day + timedelta(days=k) for day in days for k in (-1, 0, 1)}
    moved_out = _expand(_cell_groups(before, queues), config)
    moved_in = _expand(_cell_groups(after, queues), config)
    keys = sorted(set(moved_out) | set(moved_in))
    if not keys:
        return _empty_impact(config)
    if window_counts is None:
        scheduled_before = _counts(columns, window, config, queues)
    else:
        if isinstance(window_counts, pd.DataFrame):
            window_counts = window_counts[["date", "shift", "queue", "agents"]].itertuples(
                index=False, name=None)
        groups: Counter[tuple[object, object, object]] = Counter()
        for d, s, q, n in window_counts:
            if d in window and s not in NON_WORKING:
                groups[(d, s, q)] += int(n)
        scheduled_before = _expand(groups, config)
    scheduled = np.array([scheduled_before.get(k, 0) for k in keys], dtype="int64")
    scheduled_after = np.array([n - moved_out.get(k, 0) + moved_in.get(k, 0)
                                for n, k in zip(scheduled, keys, strict=True)], dtype="int64")
    minutes = np.array([k[0] for k in keys], dtype=np.int64).astype("datetime64[m]")
    # keys are wall-clock times: both copies of a repeated autumn time, none of a skipped one
    instants, source = wall_clock_instants(
        pd.DatetimeIndex(minutes.astype("datetime64[ns]")), config.timezone)
    impact = pd.DataFrame({
        "interval_start": instants, "queue": [keys[i][1] for i in source],
        "required": _required_at(requirement, keys, source, instants),
        "scheduled_before": scheduled[source], "scheduled_after": scheduled_after[source]})
    if bool(np.all(np.diff(source) > 0)):
        # no repeated autumn time: rows are in key order, i.e. by wall clock (hence by instant)
        # and queue already, and a frame sort would only cost time on every swap check
        return impact
    return impact.sort_values(["interval_start", "queue"], kind="stable").reset_index(drop=True)


def _required_at(requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None,
                 keys: list[Key], source: np.ndarray, instants: pd.DatetimeIndex) -> np.ndarray:
    """``scheduled_agents`` of each impact row (``keys[source[i]]`` at ``instants[i]``): by the
    instant for a requirement frame with offsets, so each copy of a repeated autumn hour keeps
    its own need; by the wall-clock key otherwise."""
    if (isinstance(requirement, pd.DataFrame) and len(requirement)
            and pd.DatetimeIndex(requirement["interval_start"]).tz is not None):
        need = requirement.assign(utc=pd.DatetimeIndex(requirement["interval_start"])
                                  .tz_convert("UTC")).set_index(["utc", "queue"])
        at = pd.MultiIndex.from_arrays([instants.tz_convert("UTC"),
                                        [keys[i][1] for i in source]])
        return need["scheduled_agents"].reindex(at).fillna(0).astype("int64").to_numpy()
    required = _required(requirement, keys)
    return np.array([required.get(keys[i], 0) for i in source], dtype="int64")


def _required(requirement: pd.DataFrame | Mapping[tuple[datetime, str], int] | None,
              keys: list[Key]) -> dict[Key, int]:
    """``scheduled_agents`` of the requirement rows at wall-clock ``keys`` (a mapping, or a
    frame of local times without offset; ``_required_at`` reads frames with offsets)."""
    if requirement is None or not len(requirement):
        return {}
    if not isinstance(requirement, pd.DataFrame):
        epoch = datetime(1970, 1, 1)
        found = {}
        for minute, queue in keys:
            need = requirement.get((epoch + timedelta(minutes=minute), queue))
            if need is not None:
                found[(minute, queue)] = int(need)
        return found
    minutes = requirement["interval_start"].to_numpy().astype("datetime64[m]").astype(np.int64)
    near = np.flatnonzero(np.isin(minutes, [k[0] for k in keys]))
    if not len(near):
        return {}
    queue = requirement["queue"].to_numpy(dtype=object)[near].tolist()
    need = requirement["scheduled_agents"].to_numpy()[near].astype(int).tolist()
    return dict(zip(zip(minutes[near].tolist(), queue, strict=True), need, strict=True))


def _counts(columns: tuple[np.ndarray, ...], window: set[date], config: SiteConfig,
            queues: list[str] | None) -> Counter[Key]:
    """Working agents per (local interval start, queue) from the rows dated in ``window``."""
    _, dates, shifts, queue = columns
    near = np.zeros(len(dates), dtype=bool)
    for day in window:
        near |= dates == day
    near &= (shifts != "OFF") & (shifts != "LEAVE")
    only = queues[0] if queues and len(queues) == 1 else ""
    picked = np.flatnonzero(near)
    working = Counter(zip(dates[picked].tolist(), shifts[picked].tolist(),
                          queue[picked].tolist(), strict=True))
    groups: Counter[tuple[object, object, object]] = Counter()
    for (day, shift, name), count in working.items():
        name = str(name)
        if name == "":
            if queues and len(queues) > 1:
                position = next(i for i, row in enumerate(picked.tolist())
                                if str(queue[row]) == "")
                raise InvalidInput(f"the site has several queues ({', '.join(queues)}); every "
                                   "working row needs a queue", file="roster",
                                   line=position + 2, field="queue")
            name = only
        groups[(day, shift, name)] += count
    return _expand(groups, config)


def _cell_groups(cells: list[dict[str, object]],
                 queues: list[str] | None) -> Counter[tuple[object, object, object]]:
    """(date, shift, queue) counts of a few agent-days (the single queue fills a blank one)."""
    only = queues[0] if queues and len(queues) == 1 else ""
    return Counter((c["date"], c["shift"], c["queue"] or only) for c in cells
                   if c["shift"] is not None and c["shift"] not in NON_WORKING)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _expand(groups: Counter[tuple[object, object, object]], config: SiteConfig) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for (day, code, name), count in groups.items():
        midnight = _day_minutes(day)
        for offset in _offsets(config, str(code)):
            counts[(midnight + offset, str(name))] += count
    return counts


def _day_minutes(day: object) -> int:
    if not isinstance(day, date):
        day = pd.Timestamp(day).date()  # type: ignore[arg-type]
    return (day.toordinal() - _EPOCH_ORDINAL) * 24 * 60


_OFFSETS: dict[tuple[int, str], tuple[SiteConfig, list[int]]] = {}


def _offsets(config: SiteConfig, code: str) -> list[int]:
    cached = _OFFSETS.get((id(config), code))
    if cached is None or cached[0] is not config:
        offsets = covered_offsets_minutes(config.shift(code), config.interval_minutes)
        cached = (config, [int(o) for o in offsets])
        if len(_OFFSETS) > 1000:
            _OFFSETS.clear()
        _OFFSETS[(id(config), code)] = cached
    return cached[1]
