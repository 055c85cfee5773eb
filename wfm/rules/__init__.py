"""The independent roster rule checker: is this roster legal, and if not, why.

``check_roster`` verifies every hard rule of DESIGN.md on a roster table (``agent_id, date,
shift[, queue]``) and returns one ``Violation`` per broken rule, each with a sentence a planner
understands. It shares no code with the solver: the solver encodes the same rules as constraints
and its output is held against this package.

Layout
------
One module per rule family, each with one implementation that is vectorised over an agents x
days grid and cheap on a two-agent swap window (the same code on fewer rows):

``identity``     unknown_agent, unknown_shift, one_shift_per_day, skill, missing_queue,
                 outside_contract
``leave``        leave, fixed
``consecutive``  max_consecutive_days
``consecutive_nights`` max_consecutive_nights
``weekly_rest``  min_rest_days_per_week
``nights``       max_nights_per_week (and ``is_night_shift``)
``rest_hours``   min_rest_hours
``fairness``     fair_share_nights, fair_share_weekend_rest (the team fair-share band; also
                 ``check_fairness``, the per-team spreads ``wfm check-roster`` prints)
``night_pattern`` weekly_blocks

``cells`` turns frames or tuples into numpy columns, ``context`` holds one run's inputs and the
grid, ``registry`` lists every rule (code, configuration key, statement, check) and ``check``
runs them.

Adding a rule
-------------
1. Write its check in a module here (a new one for a new family): a function
   ``check_x(ctx: RosterContext) -> None`` that reads ``ctx.unique`` (one row per agent and day)
   or ``ctx.grid`` (agents x days states) and calls ``ctx.found.add(code, agent_id, day,
   message)``.
2. Add a ``Rule(code, config_key, statement, check_x)`` to ``registry.RULES``; the checker runs
   it, ``wfm check-roster --list-rules`` prints it (paste that list into the planner guide's
   rules section: a test holds them equal).
3. Encode the same rule in the solver: one ``HardRule`` module in ``solvers/roster/rules/`` and
   its ``HARD_RULES`` entry (the README's "Adding a rule" lists every home). Test both: the
   checker on hand-worked rosters, the solver on a tiny problem; the encodings test
   (``tests/solvers/test_rule_encodings.py``) holds the solver's versions equal to this one.
4. If the rule looks further back or ahead than the ones here, widen ``days_rules_reach``.

Known days
----------
A day is *known* for an agent when the roster (or, before the horizon, the previous roster) has
a row for it with a valid shift (a template code, ``OFF`` or ``LEAVE``). The *horizon* runs from
the first to the last date in the roster. Previous-roster rows on or after the horizon start are
ignored (the roster supersedes them). Unknown days break runs of working days and keep a week
from being judged for rest days, because nothing can be said about them. Rules are only reported
when the roster's own days take part in breaking them: previous-roster facts are context, not the
subject. So a run of working days is reported when it goes over the limit on a horizon day, a
week's rest days when the week has a horizon day, a week's nights when one of them is in the
horizon, and a short rest when the shift after it is in the horizon.

A row with an unknown shift or a second row for the same agent and date is reported, and (for
the second row) the first row is the one the other rules see.
"""

from __future__ import annotations

from wfm.errors import Violation
from wfm.rules.check import check_roster, check_roster_rows, violations_frame
from wfm.rules.nights import NIGHT_END_MINUTE, NIGHT_START_MINUTE, is_night_shift
from wfm.rules.registry import RULE_CODES, RULES, Rule, days_rules_reach, rules_table_lines

__all__ = ["NIGHT_END_MINUTE", "NIGHT_START_MINUTE", "RULES", "RULE_CODES", "Rule", "Violation",
           "check_roster", "check_roster_rows", "days_rules_reach", "is_night_shift",
           "rules_table_lines", "violations_frame"]
