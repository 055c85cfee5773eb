"""Large sites decomposed by team (issue 26): the roster of one large site, monolithic against
decomposed, with the figures the issue's quality line names.

Run ``python bench/scale_teams.py`` (the 4,000 agents x 28 days site: two queues, leave, a
previous roster, the 120 s limit). ``--shape`` picks another instance shape (``24x7`` three
shifts round the clock, ``weekdays`` no weekend demand, ``teams4`` four queues), ``--agents`` /
``--days`` / ``--limit`` / ``--seed`` its size, ``--param`` any generator parameter and
``--min-rest-hours`` the rest between shifts. ``--before DIR`` first runs the same case with
the code at ``DIR`` on the Python path (e.g. ``/work/main``, before the decomposition), in a
subprocess, so both are printed side by side in one run; ``--mode`` chooses ``decomposed``
(default: the setting's threshold decides), ``monolithic`` (threshold out of reach) or
``both``. Prints, per solve: rule violations (independent checker), shortfall against the
aggregate's linear lower bound and the target (1% of the bound + 0.05% of the requirement),
agents outside the nights and weekend-rest bands (``1 + days // 14`` around the fair share,
independent ``wfm.rules.fairness``), the farthest and how many of each the checker calls
locked (no exchange of rosters with a team-mate fits its band, ``wfm.rules.band_locks``),
quick returns as a share of agent-days, what the weekend release moved, wall seconds, the
stages the wall-clock cap cut short, the roster digest. Asserts nothing about time; the
machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from dataclasses import fields, replace

import pandas as pd
from roster import quick_returns  # bench/roster.py: the same count for both benches

from solvers.roster import build_problem, solve_problem
from solvers.roster.aggregate import solve_aggregate
from solvers.roster.instances import InstanceParameters, make_instance
from wfm.config import SiteConfig
from wfm.coverage import coverage_table
from wfm.rules import check_roster
from wfm.rules.fairness import check_fairness

SHAPES = ("two-queues", "24x7", "weekdays", "teams4", "one-queue")


def shape_config(shape: str, min_rest_hours: float | None = None) -> SiteConfig:
    """The site configuration of an instance shape (``24x7``: three shifts round the clock),
    with ``min_rest_hours`` between shifts when given (default: the configuration's, 9)."""
    data: dict = {"country": ""}
    if shape == "24x7":
        data["shifts"] = [{"code": "EARLY", "start": "07:00", "end": "15:00"},
                          {"code": "LATE", "start": "15:00", "end": "23:00"},
                          {"code": "NIGHT", "start": "23:00", "end": "07:00"}]
    if min_rest_hours is not None:
        data["rules"] = {"min_rest_hours": min_rest_hours}
    return SiteConfig.model_validate(data)


def shape_params(shape: str, agents: int, days: int, seed: int,
                 overrides: dict[str, float] | None = None) -> InstanceParameters:
    """The generator's parameters of a shape; ``overrides`` (``--param``) replace any of them."""
    queues = {"one-queue": ("sales",), "teams4": ("sales", "service", "returns", "vip")}.get(
        shape, ("sales", "service"))
    params = InstanceParameters(num_agents=agents, num_days=days, queues=queues,
                                leave_share=0.03, with_previous=True, random_seed=seed)
    return replace(params, **(overrides or {}))


def parse_params(pairs: list[str]) -> dict[str, float]:
    """``--param load=1.0 --param with_previous=0``: numeric generator parameters by name."""
    known = {f.name for f in fields(InstanceParameters)
             if f.name not in ("num_agents", "num_days", "queues", "start", "random_seed")}
    overrides: dict[str, float] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if key not in known:
            raise SystemExit(f"--param {pair}: unknown parameter {key!r}; one of "
                             f"{', '.join(sorted(known))}")
        try:
            number = float(value)
        except ValueError:
            raise SystemExit(f"--param {pair}: {value!r} is not a number") from None
        overrides[key] = bool(number) if key == "with_previous" else number
    return overrides


def make(shape: str, agents: int, days: int, seed: int,
         overrides: dict[str, float] | None = None, min_rest_hours: float | None = None):
    config = shape_config(shape, min_rest_hours)
    instance = make_instance(shape_params(shape, agents, days, seed, overrides), config)
    if shape == "weekdays":  # no demand on Saturdays and Sundays
        stamps = pd.to_datetime(instance.requirement["interval_start"])
        weekend = stamps.dt.weekday >= 5
        requirement = instance.requirement.copy()
        for column in ("agents", "scheduled_agents"):
            requirement.loc[weekend, column] = 0
        instance = replace(instance, requirement=requirement)
    return instance, config


def run(args: argparse.Namespace, label: str, threshold: int | None) -> None:
    instance, config = make(args.shape, args.agents, args.days, args.seed,
                            parse_params(args.param), args.min_rest_hours)
    problem = build_problem(instance.requirement, instance.agents, config,
                            leave=instance.leave, previous=instance.previous)
    linear = solve_aggregate(problem, time_limit_seconds=60, convex=False, class_wide=True)
    kwargs = {}
    if threshold is not None:  # only with the decomposition's settings (not on older code)
        from solvers.roster.settings import DEFAULT_SETTINGS, Decomposition
        rule = Decomposition(min_agents=threshold, workers=args.workers)
        if args.work_factor:
            rule = replace(rule, work_factor=args.work_factor)
        if args.fair_share:
            rule = replace(rule, fair_share=args.fair_share)
        kwargs["settings"] = replace(DEFAULT_SETTINGS, decomposition=rule)
    started = time.monotonic()
    if args.progress:
        kwargs["progress"] = lambda line: print(f"     | {line}", flush=True)
    solution = solve_problem(problem, time_limit_seconds=args.limit,
                             wall_cap_seconds=args.wall_cap, **kwargs)
    seconds = time.monotonic() - started
    violations = [v for v in check_roster(solution.assignments, instance.agents, config,
                                          previous=instance.previous, leave=instance.leave,
                                          requirement_queues=list(problem.queues))
                  if v.code not in ("fair_share_nights", "fair_share_weekend_rest")]
    coverage = coverage_table(solution.assignments, instance.requirement, config)
    shortfall = int(coverage["shortfall"].sum())
    required = int(problem.required.sum())
    allowed = 1.01 * linear.best_bound + 0.0005 * required
    check = check_fairness(solution.assignments, instance.agents, config,
                           previous=instance.previous, leave=instance.leave)
    outside = {"nights": 0, "weekend_rest": 0}
    farthest = {"nights": 0.0, "weekend_rest": 0.0}
    for spread in check.teams:
        outside[spread.kind] += spread.outside_band
        farthest[spread.kind] = max(farthest[spread.kind], spread.max_deviation)
    locked = {kind: sum(1 for v in check.outside if v.code == f"fair_share_{kind}"
                        and str(v.params.get("variant", "")).startswith("locked"))
              for kind in outside}  # above or below the share
    returns, boundary = quick_returns(solution.assignments, instance.previous, config)
    agent_days = len(solution.assignments)
    digest = hashlib.md5(solution.assignments.to_csv(index=False).encode()).hexdigest()[:12]
    capped = solution.figures.get("wall_clock_capped") or []
    teams = solution.figures.get("decomposition", {})
    tasks = (f", {teams.get('teams')} team tasks on {teams.get('workers')} worker(s)"
             if teams else "")
    print(f"  {label}: {seconds:.1f} s wall (limit {args.limit:g} s), load "
          f"{os.getloadavg()[0]:.1f}; {solution.status}, {solution.method}{tasks}")
    print(f"     violations {len(violations)}; shortfall {shortfall} agent-intervals vs lower "
          f"bound {linear.best_bound:.0f} (target <= {allowed:.0f}: "
          f"{'met' if shortfall <= allowed else 'NOT met'}; "
          f"{100 * (shortfall - linear.best_bound) / max(required, 1):.3f}% of the requirement "
          "above the bound)")
    print(f"     outside the band ±{check.band}: nights {outside['nights']} (farthest "
          f"{farthest['nights']:g}, {locked['nights']} locked), weekend rest "
          f"{outside['weekend_rest']} (farthest {farthest['weekend_rest']:g}, "
          f"{locked['weekend_rest']} locked); quick returns {returns} = "
          f"{100 * returns / agent_days:.2f}% of {agent_days} agent-days ({boundary} on the "
          "first day)")
    stages = {**solution.figures.get("stage_seconds", {}),
              **{f"[team] {k}": v for k, v in
                 solution.figures.get("team_stage_seconds", {}).items()}}
    fair = solution.figures.get("fairness_stage", {})
    if "weekend_rest_taken" in fair:  # not on older code
        print(f"     weekend release: {fair['weekend_rest_released']} weekend rest days "
              f"released, {fair['weekend_rest_taken']} taken, {fair['rest_days_shuffled']} rest "
              "days shuffled")
    if fair.get("shortfall_ceiling") is not None:  # not on older code
        print(f"     fairness stage: shortfall {fair['shortfall_before']} before it, ceiling "
              f"{fair['shortfall_ceiling']}")
    print("     stage seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    print(f"     wall-clock cap reached in: {', '.join(capped) if capped else 'no stage'}; "
          f"digest {digest}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=SHAPES, default="two-queues")
    parser.add_argument("--agents", type=int, default=4000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--limit", type=float, default=120.0, help="time limit (s)")
    parser.add_argument("--seed", type=int, default=11, help="instance seed")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a generator parameter (InstanceParameters), e.g. load=1.0, "
                             "leave_share=0.08, night_cap_share=0.3, with_previous=0")
    parser.add_argument("--min-rest-hours", type=float, default=None, metavar="HOURS",
                        help="rest between shifts (default: the configuration's, 9 hours; "
                             "11 rules out a day shift after the default night)")
    parser.add_argument("--progress", action="store_true", help="print the solver's progress")
    parser.add_argument("--wall-cap", type=float, default=None, metavar="SECONDS",
                        help="wall-clock cap of each solve (default: its time limit)")
    parser.add_argument("--workers", type=int, default=0,
                        help="team task workers (0: one per CPU)")
    parser.add_argument("--work-factor", type=float, default=0.0,
                        help="the decomposition's work_factor (0: the default)")
    parser.add_argument("--fair-share", type=float, default=0.0,
                        help="the decomposition's fair_share (0: the default)")
    parser.add_argument("--mode", choices=("decomposed", "monolithic", "both", "default"),
                        default="decomposed")
    parser.add_argument("--before", default="", metavar="DIR",
                        help="first run the case with the code at DIR (e.g. /work/main)")
    parser.add_argument("--label", default="as is", help=argparse.SUPPRESS)
    args = parser.parse_args()
    print(f"== {args.agents} agents x {args.days} days, shape {args.shape}, seed {args.seed}, "
          f"{os.cpu_count()} CPUs", flush=True)
    if args.before:
        command = [sys.executable, __file__, "--shape", args.shape, "--agents",
                   str(args.agents), "--days", str(args.days), "--limit", str(args.limit),
                   "--seed", str(args.seed), "--mode", "default", "--label", "before"]
        if args.wall_cap is not None:
            command += ["--wall-cap", str(args.wall_cap)]
        for pair in args.param:
            command += ["--param", pair]
        if args.min_rest_hours is not None:
            command += ["--min-rest-hours", str(args.min_rest_hours)]
        output = subprocess.run(command, env={**os.environ, "PYTHONPATH": args.before},
                                capture_output=True, text=True, check=False)
        print(f"  (code at {args.before})")
        print("\n".join(output.stdout.splitlines()[1:]) or output.stderr, flush=True)
    if args.mode == "default":
        run(args, args.label, None)
    if args.mode in ("monolithic", "both"):
        run(args, "monolithic", 10**9)
    if args.mode in ("decomposed", "both"):
        run(args, "decomposed", 0)


if __name__ == "__main__":
    main()
