"""Roster solver benchmark: the issue's target instances, the independent lower bounds, the
checker, and pyworkforce's shift scheduler on the largest instance it can express.

Run ``python bench/roster.py`` (or ``--quick`` for small instances and short limits; ``--repeat``
solves each case twice and compares the rosters). Prints figures, the stages the wall-clock cap
cut short (the solver budgets work, so a roster is repeatable unless a stage was capped); asserts
nothing about time.

Targets (issue 5, 2 cores): 200 agents x 7 days optimal or within 0.5% of the lower bound in
< 10 s; 1,000 agents x 28 days, 2 queues: feasible in < 10 s and within 1% of the lower bound
+ 0.05% of the total requirement in < 60 s. Issue 13 (fairness), at the 60 s default on
200 x 7, 150 x 14 (2 queues, leave, previous roster) and 1,000 x 28 (2 queues): every agent's
nights and weekend rest within 1 + days // 14 of the team fair share (judged by the independent
``wfm.fairness_check``), quick returns at most 0.5% of agent-days (0 with weekly blocks), and
the coverage target above still met. Per team it prints fewest / median / most nights and
weekend rest against the median fair share.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers.roster import build_problem, solve_problem
from solvers.roster.aggregate import solve_aggregate
from solvers.roster.instances import Instance, InstanceParameters, make_instance
from solvers.roster.report import coverage_cost
from wfm.config import SiteConfig
from wfm.coverage import coverage_table
from wfm.rules import check_roster, is_night_shift
from wfm.rules.fairness import check_fairness


@dataclass(frozen=True)
class Case:
    name: str
    params: InstanceParameters
    time_limits: tuple[float, ...]
    target_rel: float
    target_abs_share: float
    night_pattern: str = "mixed"


def cases(quick: bool) -> list[Case]:
    two = ("sales", "service")
    if quick:
        return [
            Case("60 agents x 7 days, 1 queue", InstanceParameters(num_agents=60, num_days=7),
                 (5,), 0.005, 0.0),
            Case("200 agents x 14 days, 2 queues", InstanceParameters(
                num_agents=200, num_days=14, queues=two), (10,), 0.01, 0.0005),
            Case("60 agents x 14 days, 2 queues, weekly night blocks", InstanceParameters(
                num_agents=60, num_days=14, queues=two), (10,), 0.01, 0.0005,
                "weekly_blocks"),
        ]
    # issue 13: coverage within 1% of the bound + 0.05% of the requirement at the 60 s default,
    # on its three instances (a previous roster only on 150 x 14) and two more: the 200 x 7 week
    # after a previous roster of weekly blocks (half the agents on nights last week), and the
    # 150 x 14 in weekly night blocks
    return [
        Case("200 agents x 7 days, 1 queue", InstanceParameters(
            num_agents=200, num_days=7, with_previous=False), (60,), 0.01, 0.0005),
        Case("200 agents x 7 days, 1 queue, previous roster", InstanceParameters(
            num_agents=200, num_days=7), (60,), 0.01, 0.0005),
        Case("150 agents x 14 days, 2 queues, leave, previous roster", InstanceParameters(
            num_agents=150, num_days=14, queues=two, leave_share=0.05), (60,), 0.01, 0.0005),
        Case("1000 agents x 28 days, 2 queues", InstanceParameters(
            num_agents=1000, num_days=28, queues=two, with_previous=False), (60,), 0.01, 0.0005),
        Case("150 agents x 14 days, 2 queues, leave, weekly night blocks", InstanceParameters(
            num_agents=150, num_days=14, queues=two, leave_share=0.05), (60,), 0.01, 0.0005,
            "weekly_blocks"),
    ]


def quick_returns(assignments, previous, config: SiteConfig) -> tuple[int, int]:
    """(night then day shift on the next day, of which from the previous roster's last day),
    counted from the tables alone."""
    night = {t.code: is_night_shift(t) for t in config.shifts}
    frames = [assignments] + ([previous] if previous is not None else [])
    table = pd.concat(frames)[["agent_id", "date", "shift"]].drop_duplicates(
        ["agent_id", "date"], keep="first")
    table = table.assign(date=pd.to_datetime(table["date"].astype(str)))
    table = table.sort_values(["agent_id", "date"])
    is_night = table["shift"].map(lambda code: night.get(code, False)).astype(bool)
    is_day = table["shift"].isin([c for c, n in night.items() if not n])
    same = table["agent_id"].eq(table["agent_id"].shift())
    next_day = (table["date"] - table["date"].shift()).dt.days.eq(1)
    after_night = same & next_day & is_night.shift(fill_value=False)
    first = pd.Timestamp(min(assignments["date"]))
    returns = after_night & is_day & (table["date"] >= first)
    return int(returns.sum()), int((returns & (table["date"] == first)).sum())


def print_fairness(solution, instance: Instance, config: SiteConfig) -> None:
    """Per team: fewest / median / most nights and weekend rest against the fair share, from
    the independent checker; quick returns."""
    check = check_fairness(solution.assignments, instance.agents, config,
                           previous=instance.previous, leave=instance.leave)
    for spread in check.teams:
        print(f"      {spread.kind:<12} team {spread.skills:<14} {spread.agents:>4} agents: "
              f"fewest {spread.fewest:>2}, median {spread.median:>4g}, most {spread.most:>2}; "
              f"median fair share {spread.median_share:>5g}; outside ±{check.band}: "
              f"{spread.outside_band} (farthest {spread.max_deviation:g})")
    returns, boundary = quick_returns(solution.assignments, instance.previous, config)
    agent_days = len(solution.assignments)
    print(f"      quick returns (night then day): {returns} = {100 * returns / agent_days:.2f}% "
          f"of {agent_days} agent-days ({boundary} from the previous roster's last night); "
          f"weekly-blocks violations {len(check.pattern)}")


def _digest(table) -> str:
    return hashlib.md5(table.to_csv(index=False).encode()).hexdigest()[:12]


def run_case(case: Case, config: SiteConfig, *, repeat: bool = False,
             wall_cap: float | None = None) -> Instance:
    config = config.model_copy(update={"roster": config.roster.model_copy(
        update={"night_pattern": case.night_pattern})})
    instance = make_instance(case.params, config)
    problem = build_problem(instance.requirement, instance.agents, config,
                            leave=instance.leave, previous=instance.previous)
    started = time.monotonic()
    linear = solve_aggregate(problem, time_limit_seconds=60, convex=False, class_wide=True)
    print(f"\n== {case.name}: {problem.num_agents} agents, {problem.num_days} days, "
          f"{problem.num_queues} queue(s), {len(problem.coverage_classes())} coverage classes; "
          f"required {int(problem.required.sum())} agent-intervals")
    print(f"   shortfall lower bound (aggregate, linear): {linear.best_bound:.0f} agent-intervals"
          f" [{linear.status}, {time.monotonic() - started:.1f} s]")
    for limit in case.time_limits:
        solution = solve_problem(problem, time_limit_seconds=limit, wall_cap_seconds=wall_cap)
        coverage = coverage_table(solution.assignments, instance.requirement, config)
        violations = check_roster(solution.assignments, instance.agents, config,
                                  previous=instance.previous, leave=instance.leave,
                                  requirement_queues=list(problem.queues))
        shortfall = int(coverage["shortfall"].sum())
        scheduled = _scheduled(problem, coverage)
        cost = coverage_cost(problem, scheduled)
        cost_gap = (cost - solution.lower_bound) / max(solution.lower_bound, 1)
        allowed = (1 + case.target_rel) * linear.best_bound + case.target_abs_share * int(
            problem.required.sum())
        print(f"   limit {limit:>4g} s: {solution.seconds:5.1f} s, {solution.status} "
              f"({solution.method}); objective {solution.objective:.0f}, bound "
              f"{solution.best_bound:.0f}, gap {100 * solution.gap:.2f}%")
        print(f"      coverage cost {cost} vs lower bound {solution.lower_bound:.0f} "
              f"(gap {100 * cost_gap:.2f}%); shortfall {shortfall} agent-intervals vs bound "
              f"{linear.best_bound:.0f} (target <= {allowed:.0f}: "
              f"{'met' if shortfall <= allowed else 'NOT met'})")
        print(f"      penalties {solution.penalties}")
        print(f"      checker: {len(violations)} violation(s)")
        print_fairness(solution, instance, config)
        capped = solution.figures.get("wall_clock_capped") or []
        print(f"      wall-clock cap reached in: {', '.join(capped) if capped else 'no stage'}"
              f"; roster digest {_digest(solution.assignments)}")
        if repeat:
            again = solve_problem(problem, time_limit_seconds=limit, wall_cap_seconds=wall_cap)
            same = again.assignments.equals(solution.assignments)
            print(f"      repeated run: {again.seconds:.1f} s, digest "
                  f"{_digest(again.assignments)} ({'identical' if same else 'DIFFERENT'}"
                  f"{'' if not again.figures.get('wall_clock_capped') else ', capped'})")
    return instance


def _scheduled(problem, coverage) -> np.ndarray:
    index = {t: i for i, t in enumerate(problem.interval_starts)}
    queue = {q: i for i, q in enumerate(problem.queues)}
    scheduled = np.zeros_like(problem.required)
    local = coverage["interval_start"].dt.tz_localize(None)
    for t, q, n in zip(local, coverage["queue"], coverage["scheduled"], strict=True):
        scheduled[index[t], queue[q]] = n
    return scheduled


def compare_pyworkforce(instance: Instance, config: SiteConfig, limit: float) -> None:
    """pyworkforce's MinAbsDifference on the same requirement (one queue, head-counts only)."""
    try:
        from pyworkforce.scheduling import MinAbsDifference
    except ImportError:
        print("\npyworkforce not installed: comparison skipped")
        return
    problem = build_problem(instance.requirement, instance.agents, config)
    periods = 1440 // config.interval_minutes
    masks = {}
    for s, code in enumerate(problem.shift_codes):
        mask = np.zeros(periods, dtype=int)
        offsets = (problem.interval_starts[t] for t in problem.cover[0][s])
        for stamp in offsets:
            mask[(stamp.hour * 60 + stamp.minute) // config.interval_minutes] = 1
        masks[code] = mask.tolist()
    required = np.zeros((problem.num_days, periods), dtype=int)
    for t, stamp in enumerate(problem.interval_starts):
        d = (stamp.date() - problem.dates[0]).days
        if 0 <= d < problem.num_days:
            required[d, (stamp.hour * 60 + stamp.minute) // config.interval_minutes] += int(
                problem.required[t].sum())
    started = time.monotonic()
    scheduler = MinAbsDifference(num_days=problem.num_days, periods=periods,
                                 shifts_coverage=masks, required_resources=required.tolist(),
                                 max_period_concurrency=problem.num_agents,
                                 max_shift_concurrency=problem.num_agents,
                                 max_search_time=limit, num_search_workers=2)
    result = scheduler.solve()
    seconds = time.monotonic() - started
    print(f"\n== pyworkforce MinAbsDifference on {problem.num_days} days, one queue: "
          f"{result.get('status')} in {seconds:.1f} s")
    if result.get("status") not in ("OPTIMAL", "FEASIBLE"):
        return
    scheduled = np.zeros_like(required)
    for row in result["resources_shifts"]:
        scheduled[row["day"]] += np.array(masks[row["shift"]]) * row["resources"]
    per_day = np.zeros(problem.num_days, dtype=int)
    for row in result["resources_shifts"]:
        per_day[row["day"]] += row["resources"]
    print(f"   shortfall {int(np.clip(required - scheduled, 0, None).sum())} agent-intervals, "
          f"over {int(np.clip(scheduled - required, 0, None).sum())}; agents on shift per day "
          f"{per_day.tolist()} of {problem.num_agents} employed")
    print("   it cannot express: individual agents, rest days / six-on-one-off, the previous "
          "week, leave, skills and several queues, minimum rest hours, night caps, fixed "
          "assignments, fairness or preferences; its head-counts may exceed the agents "
          "available on a day, so its shortfall is not reachable by a legal roster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances, short limits")
    parser.add_argument("--repeat", action="store_true",
                        help="solve every case twice and say whether the rosters are identical")
    parser.add_argument("--wall-cap", type=float, default=None, metavar="SECONDS",
                        help="wall-clock cap of each solve (default: its time limit); a large "
                             "one keeps a busy machine from cutting a stage short, so the "
                             "digests compare code, not machine load")
    parser.add_argument("--case", default="",
                        help="run only the cases whose name contains this text")
    args = parser.parse_args()
    config = SiteConfig(country="")
    chosen = [case for case in cases(args.quick) if args.case in case.name]
    if not chosen:
        parser.error(f"no case name contains {args.case!r}")
    instances = [run_case(case, config, repeat=args.repeat, wall_cap=args.wall_cap)
                 for case in chosen]
    if not args.case:
        compare_pyworkforce(instances[0], config, limit=10.0)


if __name__ == "__main__":
    main()
