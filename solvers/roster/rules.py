"""The rule registries: the readable spec of the full roster model."""

from __future__ import annotations

from solvers.roster.hard import (
    add_fixed_assignments,
    add_leave_and_contract,
    add_max_consecutive_days,
    add_max_nights_per_week,
    add_min_rest_between_shifts,
    add_min_rest_days_per_week,
    add_one_shift_per_day,
)
from solvers.roster.soft import (
    penalize_coverage,
    penalize_night_spread,
    penalize_preferences,
    penalize_switches,
    penalize_weekend_spread,
)

# Hard rules (skills are structural: no variable exists for a queue outside an agent's skills)
HARD_RULES = (
    add_one_shift_per_day,
    add_leave_and_contract,
    add_fixed_assignments,
    add_max_consecutive_days,
    add_min_rest_days_per_week,
    add_min_rest_between_shifts,
    add_max_nights_per_week,
)

# Soft goals, in priority order (weights in RosterProblem.weights)
SOFT_RULES = (
    penalize_coverage,
    penalize_night_spread,
    penalize_weekend_spread,
    penalize_switches,
    penalize_preferences,
)
