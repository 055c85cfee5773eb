"""Teams, fairness groups and coverage classes: who is compared with whom.

One home for the three groupings of agents, so no module builds them by hand:

*Team*
    The agents with the same skill set: two agents are in the same team when they have the same
    skills, whatever their order or repeats in the agents file. An agent without skills is in
    the team of the other agents without skills. Every rule that speaks of a team uses it:
    time-off's ``max_off_per_team_per_day``, the checker's fairness report and the solver's
    trades and team re-solves (members of a team can trade days without changing coverage).

*Fairness group*
    The team. Nights and weekend rest are compared between the members of a team through each
    member's *fair share*, which accounts for what differs between them (available days, night
    caps, the previous weeks): an agent capped at one night a week gets a smaller share, not a
    group of its own. The checker (``wfm.rules.fairness``), the fairness stage's targets
    (``solvers/roster/fair_share.py``) and the full model's spread terms
    (``solvers/roster/soft.py``, each member's deviation from the team's pro-rata share) all
    compare inside the team.

*Coverage class*
    A team split by night cap (``coverage_class_of``): agents interchangeable in the aggregate
    head-count model, whose summed caps are only exact when the members share them. It is about
    interchangeability for coverage, not fairness; it never decides a fair share.
"""

from __future__ import annotations

from collections.abc import Iterable

Team = tuple[str, ...]
CoverageClass = tuple[Team, int]  # (team, max nights per week; -1 where unlimited)


def team_of(skills: Iterable[str] | str) -> Team:
    """The agent's team: its distinct skills, sorted. A text is read as the agents file writes
    skills (``;``-separated, blanks ignored).

    Examples
    --------
    >>> team_of(["support", "sales"]) == team_of(["sales", "support", "sales"])
    True
    >>> team_of(["sales"]) == team_of(["sales", "support"])
    False
    >>> team_of("support; sales;") == team_of(("sales", "support"))
    True
    """
    if isinstance(skills, str):
        skills = [part.strip() for part in skills.split(";") if part.strip()]
    return tuple(sorted({str(skill) for skill in skills}))


def teams_of(skill_sets: Iterable[Iterable[str] | str]) -> dict[Team, list[int]]:
    """Positions (in the order given) of each team's members, teams in order of their first
    member: deterministic for a given agents table.

    >>> teams_of([["b"], ["a", "b"], ["b", "a"], ["b", "b"]])
    {('b',): [0, 3], ('a', 'b'): [1, 2]}
    """
    found: dict[Team, list[int]] = {}
    for position, skills in enumerate(skill_sets):
        found.setdefault(team_of(skills), []).append(position)
    return found


def coverage_class_of(skills: Iterable[str] | str, max_nights: int | None) -> CoverageClass:
    """The agent's coverage class: its team and night cap (``None`` or negative: no cap)."""
    return team_of(skills), -1 if max_nights is None or max_nights < 0 else int(max_nights)


def coverage_classes_of(skill_sets: Iterable[Iterable[str] | str],
                        max_nights: Iterable[int | None]) -> dict[CoverageClass, list[int]]:
    """Positions of each coverage class's members, classes in order of their first member."""
    found: dict[CoverageClass, list[int]] = {}
    for position, (skills, cap) in enumerate(zip(skill_sets, max_nights, strict=True)):
        found.setdefault(coverage_class_of(skills, cap), []).append(position)
    return found
