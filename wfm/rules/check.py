"""``check_roster``: every rule of the registry on a roster, for a whole roster or a few agents.

Both entry points normalise their input into ``Cells`` once and run the same rule families;
``check_roster_rows`` only skips pandas when the rows are already plain Python values, which is
what a swap check has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from wfm.config import SiteConfig
from wfm.errors import Violation
from wfm.rules.cells import (
    AgentFacts,
    Cells,
    agent_facts,
    cells_from_frame,
    cells_from_rows,
    shift_codes,
)
from wfm.rules.context import RosterContext
from wfm.rules.registry import rule_checks

__all__ = ["check_roster", "check_roster_rows", "violations_frame"]


def check_roster(
    roster: pd.DataFrame,
    agents: pd.DataFrame,
    config: SiteConfig,
    *,
    previous: pd.DataFrame | None = None,
    leave: pd.DataFrame | None = None,
    fixed: pd.DataFrame | None = None,
    requirement_queues: list[str] | None = None,
    agent_ids: Iterable[str] | None = None,
) -> list[Violation]:
    """Every hard-rule violation of a roster, sorted by agent, date and rule code.

    Parameters
    ----------
    roster
        ``agent_id, date, shift[, queue]``; ``date`` as ``datetime.date``, ``Timestamp`` or ISO
        text (as ``wfm.tables.read_table`` returns it, or unvalidated from the API).
    agents
        ``agent_id, skills[, max_nights_per_week, start_date, end_date]``; skills as a tuple or
        ``;``-separated text.
    config
        The site: shift templates and ``rules`` (max_consecutive_days, min_rest_days_per_week,
        min_rest_hours).
    previous
        The previous roster (same columns); its rows before the horizon start extend runs of
        working days, weeks and rest periods back in time.
    leave
        Approved leave ``agent_id, date``. When given, ``LEAVE`` is allowed only on those dates.
    fixed
        Pinned assignments ``agent_id, date, shift[, queue]``; those dated inside the horizon
        must appear in the roster as pinned.
    requirement_queues
        Queues named by the requirement; with the agents' skills they decide whether the site
        has several queues (and a working row then needs a queue).
    agent_ids
        Check only these agents: the same violations of theirs as a check of everybody, at the
        cost of their rows only (the horizon and the site's queues still come from the whole
        input).

    Returns
    -------
    list[Violation]
        ``code`` (a key of ``RULE_CODES``), ``agent_id``, ``date`` (ISO; the week's Monday for
        weekly rules, the first day over the limit for consecutive days, the later shift's date
        for rest hours) and ``message``. Empty when the roster is legal.

    Raises
    ------
    InvalidInput
        A required column is missing or a date cannot be read.
    """
    codes = shift_codes(config)
    rows = cells_from_frame(roster, "roster", codes)
    if not len(rows):
        return []
    keep = _keep(agent_ids)
    return _run(rows, agent_facts(agents), config, requirement_queues, keep,
                previous=None if previous is None else cells_from_frame(previous, "previous",
                                                                        codes),
                leave=None if leave is None else cells_from_frame(leave, "leave", codes,
                                                                  ("agent_id", "date")),
                fixed=None if fixed is None else cells_from_frame(fixed, "fixed", codes))


def check_roster_rows(
    rows: Iterable[tuple[str, object, object, object]],
    agents: Iterable[Mapping[str, object]] | pd.DataFrame,
    config: SiteConfig,
    *,
    requirement_queues: list[str] | None = None,
    agent_ids: Iterable[str] | None = None,
) -> list[Violation]:
    """``check_roster`` on rows given as plain Python values (no previous roster, leave or fixed
    table), e.g. the two agents of a swap: the same violations, without building frames.

    Parameters
    ----------
    rows
        ``(agent_id, date, shift, queue)`` tuples; ``date`` a ``datetime.date``, ``queue`` text
        ("" or None when absent).
    agents
        Agent records (``agent_id, skills[, max_nights_per_week, start_date, end_date]``) or
        the agents table.
    requirement_queues, agent_ids
        As in ``check_roster``.

    Raises
    ------
    InvalidInput
        A date is not a ``datetime.date``.
    """
    cells = cells_from_rows(rows, shift_codes(config))
    if not len(cells):
        return []
    return _run(cells, agent_facts(agents), config, requirement_queues, _keep(agent_ids))


def _keep(agent_ids: Iterable[str] | None) -> set[str] | None:
    return None if agent_ids is None else {str(a).strip() for a in agent_ids}


def _run(rows: Cells, agents: AgentFacts, config: SiteConfig,
         requirement_queues: list[str] | None, keep: set[str] | None, *,
         previous: Cells | None = None, leave: Cells | None = None,
         fixed: Cells | None = None) -> list[Violation]:
    horizon = (int(rows.day.min()), int(rows.day.max()))
    site_queues = set(requirement_queues or [])
    for skills in agents.skills:
        site_queues.update(skills)
    if fixed is not None:
        fixed = fixed.take((fixed.day >= horizon[0]) & (fixed.day <= horizon[1]))
    ctx = RosterContext(
        config=config, rows=rows.of_agents(keep), agents=agents,
        several_queues=len(site_queues) > 1, horizon=horizon,
        previous=None if previous is None else previous.of_agents(keep),
        leave=None if leave is None else leave.of_agents(keep),
        fixed=None if fixed is None else fixed.of_agents(keep), subset=keep is not None)
    for check in rule_checks():
        check(ctx)
    return ctx.found.result()


def violations_frame(violations: list[Violation]) -> pd.DataFrame:
    """Violations as a table with columns code, agent_id, date, message."""
    return pd.DataFrame([v.as_dict() for v in violations],
                        columns=["code", "agent_id", "date", "message"])

