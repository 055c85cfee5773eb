"""The reported objective: the roster priced by everything the stages optimise.

The stages before the fairness stage minimise the full model's objective (``report.evaluate``:
coverage, night and weekend-rest spread per group, shift-type switches, quick returns, worked
preferred rest days, each at its ``[roster] weights``). The fairness stage minimises, per agent,
the deviation from its fair share of nights and weekend rest (``fair_share.deviation_cost``:
convex, steep outside the band), switches, preferences and quick returns at
``quick_return_factor`` times their weight. The reported objective is the sum of both: the
full model's terms, plus

- ``fair_share_nights`` and ``fair_share_weekend``: every agent's deviation cost against the
  fair shares of the final roster (the shares the checker judges), and
- ``quick_return_surcharge``: ``(quick_return_factor - 1) x quick_returns``, so that quick returns
  are priced as the last stage, which decides them, prices them.

Why a sum rather than the stages' own mix: the stages are ordered priorities (coverage, then
fairness within ``coverage_tolerance``), which no single weighted sum expresses; the sum at the
configured weights is the one price that covers every term and reads in the weights' units.

The bound. ``best_bound`` comes from the aggregate model (coverage only) and, on small
instances, the full model, so it bounds the full model's terms (``BOUND_COVERS``) and none of
the three added ones. Since those are never negative, it is still a valid lower bound on the
reported objective, and ``gap = (objective - best_bound) / objective`` is computed on it as it
stands (a looser gap, never a false one); ``figures["objective_bound"]`` names the terms it
covers and their sum. The status is ``OPTIMAL`` only when the reported objective reaches the
bound.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solvers.roster.fair_share import band_targets, deviation_cost, horizon_counts
from solvers.roster.problem import RosterProblem
from solvers.roster.report import evaluate
from solvers.roster.settings import DEFAULT_SETTINGS, Costs

# The terms best_bound covers: the full model's objective (report.evaluate)
BOUND_COVERS = ("coverage", "fairness_nights", "fairness_weekend", "switches", "quick_returns",
                "preferences")


def fair_share_costs(problem: RosterProblem, states: np.ndarray,
                     costs: Costs = DEFAULT_SETTINGS.costs) -> tuple[int, int]:
    """(nights, weekend rest) deviation cost of every agent against the roster's fair shares,
    with the knees and the outside-band cost of ``costs`` (as the fairness stage priced them)."""
    night_target, rest_target = band_targets(problem, states)
    nights, rests = horizon_counts(problem, states)
    weights = problem.weights
    return (int(deviation_cost(nights, night_target, weights.fair_share_nights, costs).sum()),
            int(deviation_cost(rests, rest_target, weights.fair_share_weekend, costs).sum()))


def price(problem: RosterProblem, states: np.ndarray, scheduled: np.ndarray, costs: Costs
          ) -> dict[str, int]:
    """Each term of the reported objective (module docstring) and their ``total``."""
    parts = {k: v for k, v in evaluate(problem, states, scheduled).items() if k != "total"}
    parts["fair_share_nights"], parts["fair_share_weekend"] = fair_share_costs(problem, states,
                                                                               costs)
    parts["quick_return_surcharge"] = (costs.quick_return_factor - 1) * parts["quick_returns"]
    parts["total"] = sum(parts.values())
    return parts


def bound_figures(parts: dict[str, int], best_bound: float) -> dict[str, Any]:
    """What ``best_bound`` covers: the terms, their sum, and the bound."""
    return {"covers": list(BOUND_COVERS),
            "covered_objective": sum(parts[k] for k in BOUND_COVERS),
            "best_bound": best_bound}
