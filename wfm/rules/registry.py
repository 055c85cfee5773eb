"""Every rule the checker knows: its code, its configuration key, a one-line statement and the
function of its family that checks it. ``wfm check-roster --list-rules`` prints this table, and
the planner guide quotes it.

To add a rule: write its check in a module of this package (a function taking the
``RosterContext`` and adding to ``ctx.found``), add a ``Rule`` here naming its code, the site
configuration key that sets it (None when it has none) and its statement, then encode it in the
solver (a ``HardRule`` module in ``solvers/roster/rules/`` and its ``HARD_RULES`` entry) and
test both (the README's "Adding a rule"). Paste the new ``wfm check-roster --list-rules`` output
into the rules section of ``docs/planner-guide.md``; a test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wfm.config import Rules
from wfm.rules.consecutive import check_consecutive
from wfm.rules.consecutive_nights import check_consecutive_nights
from wfm.rules.context import RosterContext
from wfm.rules.fairness import check_fair_share
from wfm.rules.identity import check_identity, check_rows
from wfm.rules.leave import check_fixed, check_leave
from wfm.rules.night_pattern import check_weekly_blocks
from wfm.rules.nights import check_nights
from wfm.rules.rest_hours import check_rest_hours
from wfm.rules.weekly_rest import check_weekly_rest

Check = Callable[[RosterContext], None]


@dataclass(frozen=True)
class Rule:
    """One rule of the checker.

    Attributes
    ----------
    code
        The ``Violation.code`` the rule reports.
    config_key
        The site configuration key that sets the rule's limit (``rules.min_rest_hours``), or
        None when the rule has none (its data then comes from the tables it names).
    statement
        What the rule requires, in one line a planner understands.
    check
        The family function that reports this rule (several rules may share one).
    """

    code: str
    config_key: str | None
    statement: str
    check: Check

    @property
    def family(self) -> str:
        """The module holding the check (``consecutive``, ``rest_hours`` ...)."""
        return self.check.__module__.rsplit(".", 1)[-1]

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "config_key": self.config_key, "statement": self.statement,
                "family": self.family}


RULES: tuple[Rule, ...] = (
    Rule("unknown_agent", None,
         "every roster row names an agent of the agents table", check_identity),
    Rule("unknown_shift", "shifts",
         "every shift is a configured shift template code, OFF or LEAVE", check_identity),
    Rule("one_shift_per_day", None,
         "at most one roster row per agent and date", check_identity),
    Rule("skill", None,
         "an agent works only queues in its skills (agents table)", check_rows),
    Rule("missing_queue", None,
         "a working row names its queue when the site has several queues", check_rows),
    Rule("outside_contract", None,
         "no working shift before the agent's start_date or after its end_date", check_rows),
    Rule("leave", None,
         "no working shift on approved leave; LEAVE only where leave is approved",
         check_leave),
    Rule("fixed", None,
         "assignments pinned in the fixed table are kept (shift and, when given, queue)",
         check_fixed),
    Rule("max_consecutive_days", "rules.max_consecutive_days",
         "no more working days in a row than rules.max_consecutive_days "
         "(counting the previous roster)", check_consecutive),
    Rule("min_rest_days_per_week", "rules.min_rest_days_per_week",
         "at least rules.min_rest_days_per_week OFF/LEAVE days in every fully known "
         "Monday-Sunday week", check_weekly_rest),
    Rule("min_rest_hours", "rules.min_rest_hours",
         "at least rules.min_rest_hours hours between the end of one shift and the start of the "
         "next",
         check_rest_hours),
    Rule("max_nights_per_week", None,
         "no more night shifts (any minute in 20:00-06:00) in a Monday-Sunday week than the "
         "agent's max_nights_per_week", check_nights),
    Rule("max_consecutive_nights", "rules.max_consecutive_nights",
         "with rules.max_consecutive_nights above 0: no more night shifts on consecutive days "
         "than that (a rest day or a day shift ends the run; counting the previous roster)",
         check_consecutive_nights),
    Rule("fair_share_nights", "roster.fairness_band",
         "with fairness_band = \"hard\": each agent's nights within 1 + days // 14 of its "
         "team's fair share (team: same skills; pro rata by available days and night caps; "
         "the previous roster's last roster.fairness_weeks weeks count)", check_fair_share),
    Rule("fair_share_weekend_rest", "roster.fairness_band",
         "with fairness_band = \"hard\": each agent's Saturday/Sunday rest days within "
         "1 + days // 14 of its team's fair share", check_fair_share),
    Rule("weekly_blocks", "roster.night_pattern",
         "with night_pattern = \"weekly_blocks\": no Monday-Sunday week mixes night and day "
         "shifts, and no night is followed by a day shift the next day", check_weekly_blocks),
)

RULE_CODES: dict[str, str] = {rule.code: rule.statement for rule in RULES}
"""Rule code -> statement (the registry as a plain mapping)."""


def rule_checks(rules: tuple[Rule, ...] = RULES) -> list[Check]:
    """The distinct family checks of ``rules``, in registry order (each runs once)."""
    checks: list[Check] = []
    for rule in rules:
        if rule.check not in checks:
            checks.append(rule.check)
    return checks


def rules_table_lines(rules: tuple[Rule, ...] = RULES) -> list[str]:
    """The registry as aligned text lines under a header: code, configuration key ("-" for
    none), statement."""
    table = [("code", "config key", "statement")] + [
        (r.code, r.config_key or "-", r.statement) for r in rules]
    code_width = max(len(row[0]) for row in table)
    key_width = max(len(row[1]) for row in table)
    return [f"{code:<{code_width}}  {key:<{key_width}}  {statement}".rstrip()
            for code, key, statement in table]


def days_rules_reach(rules: Rules) -> int:
    """How many days before (or after) a changed day the rules can look: a run of working days
    or of nights, and a whole Monday-Sunday week. Whoever loads the stored roster around a
    horizon or a change (re-plans, grids, request checks) reads at least this far."""
    return max(rules.max_consecutive_days, rules.max_consecutive_nights, 7)
