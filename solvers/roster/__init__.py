"""Roster optimisation with OR-Tools CP-SAT: ``plan_roster`` and its building blocks."""

from solvers.roster.problem import RosterProblem, Weights, build_problem
from solvers.roster.solve import RosterSolution, build_model, plan_roster, solve_problem

__all__ = ["RosterProblem", "RosterSolution", "Weights", "build_model", "build_problem",
           "plan_roster", "solve_problem"]
