"""Decision variables of the full model: ``work[a, d, s, q]``, one boolean per agent, day,
shift type and skilled queue (an agent without the skill gets no variable)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solvers.roster.problem import RosterProblem

WorkVars = dict[tuple[int, int, int, int], cp_model.IntVar]


def build_work_vars(model: cp_model.CpModel, problem: RosterProblem) -> WorkVars:
    """``work[a, d, s, q]`` named ``work(a=..,d=..,s=..,q=..)``."""
    return {(a, d, s, q): model.new_bool_var(f"work(a={a},d={d},s={s},q={q})")
            for a in range(problem.num_agents) for d in range(problem.num_days)
            for s in range(problem.num_shifts) for q in problem.skills[a]}


def shift_work(work: WorkVars, problem: RosterProblem, a: int, d: int, s: int
               ) -> cp_model.LinearExpr:
    """1 when agent ``a`` works shift ``s`` on day ``d`` (any queue)."""
    return cp_model.LinearExpr.sum([work[a, d, s, q] for q in problem.skills[a]])


def day_work(work: WorkVars, problem: RosterProblem, a: int, d: int) -> cp_model.LinearExpr:
    """1 when agent ``a`` works on day ``d``."""
    return cp_model.LinearExpr.sum([work[a, d, s, q] for s in range(problem.num_shifts)
                                    for q in problem.skills[a]])
