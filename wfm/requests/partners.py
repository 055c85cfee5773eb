"""Find the colleagues an agent can swap with: for a kind and date(s), every colleague with
whom the swap passes every rule, judged exactly as ``check_swap`` judges it.

The search runs ``check_swap``'s steps for each colleague without the coverage impact (a swap
exchanges assignments, so it never decides legality): the shape of the request (rows, leave,
who works and who is off, a change at all), then the rule checker on the two agents' rows
(``wfm.rules.check_roster_rows``, only violations the swap introduces). The shape is a few
dictionary look-ups, so most colleagues are set aside before the checker runs; one that reaches
it costs one run of the checker on two agents' rows (a legal swap is checked once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from wfm.config import SiteConfig
from wfm.coverage import NON_WORKING
from wfm.errors import Violation
from wfm.requests.swaps import (
    Row,
    _apply,
    _cell,
    _check_request,
    _earliest_start,
    _exchange,
    _new_violations,
    _shape_violations,
)


@dataclass(frozen=True)
class Partner:
    """A colleague the swap is legal with: what the requester gives (its days) and gets (the
    colleague's days), as ``agent_id, date, shift, queue`` records, and when the earliest
    shift the swap touches starts (tz-aware, site time)."""

    agent_id: str
    you_give: list[dict[str, object]]
    you_get: list[dict[str, object]]
    starts_at: datetime


@dataclass(frozen=True)
class PartnerSearch:
    """The colleagues found (by id), how many reached the rule checker, and, when no
    colleague can do, why: the requester's own day (no row, leave, not working or not off)."""

    partners: list[Partner]
    checked: int
    blocked: list[Violation] = field(default_factory=list)


def find_partners(rows: Mapping[str, Sequence[Row]], agents: Mapping[str, Mapping[str, object]],
                  config: SiteConfig, *, kind: str, requester_id: str, dates: Sequence[date],
                  requirement_queues: list[str] | None = None) -> PartnerSearch:
    """Every colleague with whom a swap of ``kind`` on ``dates`` breaks no rule.

    Parameters
    ----------
    rows
        Each agent's roster rows ``(agent_id, date, shift, queue)`` (all of them: the checker
        reads runs of days and whole weeks).
    agents
        Agent records by id (``agent_id, skills, max_nights_per_week, start_date, end_date``).

    Raises
    ------
    InvalidInput
        Unknown kind, no or more than two dates (``check_swap``'s checks).
    """
    days = _check_request(kind, requester_id, "\x00", dates)  # "\x00": no agent's id
    if kind == "rest-day" and len(days) == 1:  # two rest days on one date: nothing moves
        return PartnerSearch([], 0, [Violation(
            "no_change", requester_id, days[0].isoformat(),
            "a rest-day swap exchanges your rest day on the first date for a colleague's on "
            "a second date; on one date it would change nothing")])
    mine = list(rows.get(requester_id, ()))
    my_cells = {(a, d): (s, q) for a, d, s, q in mine}
    requester = agents.get(requester_id)
    found: list[Partner] = []
    checked = 0
    for other, theirs in sorted(rows.items()):
        if other == requester_id or other not in agents:
            continue
        their_cells = {(a, d): (s, q) for a, d, s, q in theirs if d in days}
        if len(their_cells) < len(days):
            continue  # no row on a date: no_assignment
        cells = {**my_cells, **their_cells}
        pair = (requester_id, other)
        shape = _shape_violations(kind, pair, days, list(dates), cells)
        mine_blocked = [v for v in shape if v.agent_id == requester_id]
        if mine_blocked:
            return PartnerSearch([], checked, mine_blocked)
        if shape:
            continue
        before = [_cell(cells, agent, day) for day in days for agent in pair]
        after = _exchange(before, pair)
        if all(b == a for b, a in zip(before, after, strict=True)):
            continue  # no_change
        if _new_skill_break(before, after, agents):
            continue
        both = mine + list(theirs)
        checked += 1
        records = [r for r in (requester, agents[other]) if r is not None]
        if _new_violations(both, _apply(both, after), records, config, pair,
                           requirement_queues):
            continue
        found.append(Partner(other, before[0::2], before[1::2],
                             _earliest_start(before, days, config)))
    if not found and not checked and days and not all((requester_id, d) in my_cells
                                                      for d in days):
        missing = next(d for d in days if (requester_id, d) not in my_cells)
        return PartnerSearch([], 0, [Violation("no_assignment", requester_id, missing.isoformat(),
                                               f"{requester_id} has no roster row on {missing}")])
    return PartnerSearch(found, checked)


def _lacks(agents: Mapping[str, Mapping[str, object]], cell: Mapping[str, object]) -> bool:
    """The checker's ``skill`` rule on one cell: a working cell whose queue (named) is not
    one of its (known) agent's skills."""
    queue, shift = cell["queue"], cell["shift"]
    record = agents.get(str(cell["agent_id"]))
    if not queue or shift is None or shift in NON_WORKING or record is None:
        return False
    return queue not in tuple(record.get("skills") or ())  # type: ignore[arg-type]


def _new_skill_break(before: list[dict[str, object]], after: list[dict[str, object]],
                     agents: Mapping[str, Mapping[str, object]]) -> bool:
    """True when an agent-day after the swap breaks ``skill`` and did not before: the swap is
    illegal, known without running the checker (a queue outside the receiver's skills is the
    commonest reason on a site of several queues)."""
    was = {(c["agent_id"], c["date"]) for c in before if _lacks(agents, c)}
    return any(_lacks(agents, c) and (c["agent_id"], c["date"]) not in was for c in after)
