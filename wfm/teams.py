"""Teams: the agents with the same skill set.

One definition for every rule that speaks of a team (the roster's fairness inside a team,
time-off's ``max_off_per_team_per_day``): two agents are in the same team when they have the
same skills, whatever their order or repeats in the agents file. An agent without skills is in
the team of the other agents without skills.
"""

from __future__ import annotations

from collections.abc import Iterable

Team = tuple[str, ...]


def team_of(skills: Iterable[str]) -> Team:
    """The agent's team: its distinct skills, sorted.

    Examples
    --------
    >>> team_of(["support", "sales"]) == team_of(["sales", "support", "sales"])
    True
    >>> team_of(["sales"]) == team_of(["sales", "support"])
    False
    """
    return tuple(sorted({str(skill) for skill in skills}))
