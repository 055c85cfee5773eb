"""Large sites solved team by team (``solvers/roster/team_tasks.py``): the decomposed roster
passes the independent checker and keeps every team inside the fair-share band, is the same
for one and two workers, uses an injected task runner, and small sites keep the monolithic
pipeline. Small instances with the threshold lowered; every solve on work alone
(``roomy_cap``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from solvers.roster import build_problem, plan_roster, solve_problem
from solvers.roster.aggregate import solve_aggregate
from solvers.roster.assign import scheduled_counts
from solvers.roster.budget import Budget
from solvers.roster.fair_share import band_targets
from solvers.roster.instances import InstanceParameters, make_instance
from solvers.roster.neighbourhood import subproblem
from solvers.roster.problem import available
from solvers.roster.report import roster_frame
from solvers.roster.settings import DEFAULT_SETTINGS, Decomposition
from solvers.roster.team_tasks import (
    TeamRun,
    _class_coverage,
    _whole_team_targets,
    decomposes,
    imbalance,
    in_process,
    split_counts,
    task_teams,
    task_work_factor,
    team_seed,
)
from wfm.coverage import coverage_table
from wfm.rules import check_roster
from wfm.rules.fairness import check_fairness

from .factories import ROOMY_CAP, roster_arrays, site

TWO = ("sales", "service")


def _settings(workers: int = 1, min_agents: int = 0, max_team_agents: int = 1_500):
    return replace(DEFAULT_SETTINGS, decomposition=Decomposition(
        min_agents=min_agents, workers=workers, max_team_agents=max_team_agents))


def _instance(num_agents: int = 48, queues: tuple[str, ...] = TWO):
    config = site(roster={"time_limit_seconds": 4})
    instance = make_instance(InstanceParameters(
        num_agents=num_agents, num_days=14, queues=queues, leave_share=0.05,
        random_seed=11), config)
    problem = build_problem(instance.requirement, instance.agents, config,
                            leave=instance.leave, previous=instance.previous)
    return config, instance, problem


def test_decomposed_roster_passes_the_checker_and_the_band_in_every_team(roomy_cap):
    config, instance, problem = _instance()
    assert len(problem.teams()) == 3  # sales, service, both
    solution = plan_roster(instance.requirement, instance.agents, config,
                           leave=instance.leave, previous=instance.previous,
                           settings=_settings())
    assert solution.figures["decomposition"]["teams"] == 3
    assert "team tasks" in solution.figures["stage_seconds"]
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave) == []
    check = check_fairness(solution.assignments, instance.agents, config,
                           previous=instance.previous, leave=instance.leave)
    assert len(check.teams) == 6  # 3 teams x (nights, weekend rest)
    assert [(s.skills, s.kind, s.outside_band) for s in check.teams if s.outside_band] == []


def test_same_roster_with_one_and_two_workers(roomy_cap):
    _, _, problem = _instance()
    one = solve_problem(problem, time_limit_seconds=3, settings=_settings(workers=1))
    two = solve_problem(problem, time_limit_seconds=3, settings=_settings(workers=2))
    assert two.figures["decomposition"]["workers"] == 2
    assert one.figures["wall_clock_capped"] == two.figures["wall_clock_capped"] == []
    assert one.assignments.equals(two.assignments)
    assert one.objective == two.objective


def test_an_injected_runner_runs_every_team_task(roomy_cap):
    _, _, problem = _instance()
    calls: list[int] = []

    def recording(fn, items):
        calls.append(len(items))
        return in_process(fn, items)

    injected = solve_problem(problem, time_limit_seconds=3, settings=_settings(workers=2),
                             map_tasks=recording)
    default = solve_problem(problem, time_limit_seconds=3, settings=_settings(workers=1))
    assert calls == [3, 3]  # the assignment round and the fairness round, one task per team
    assert injected.assignments.equals(default.assignments)


def test_small_sites_and_single_teams_keep_the_monolithic_pipeline(roomy_cap):
    _, _, problem = _instance()
    assert not decomposes(problem, DEFAULT_SETTINGS)  # 48 agents: below the threshold
    assert decomposes(problem, _settings(min_agents=48))
    assert not decomposes(problem, _settings(min_agents=49))
    _, _, one_team = _instance(queues=("sales",))
    assert not decomposes(one_team, _settings(min_agents=0))  # one team: nothing to split
    solution = solve_problem(problem, time_limit_seconds=2)
    assert "decomposition" not in solution.figures
    assert "team tasks" not in solution.figures["stage_seconds"]
    assert "fairness" in solution.figures["stage_seconds"]


def test_class_coverage_adds_up_to_the_roster_s_coverage(roomy_cap):
    # the head-counts of a real roster per coverage class, day, shift and queue, covered
    # interval by interval, must give the roster's own scheduled counts (counted agent by agent)
    config, instance, problem = _instance()
    solution = solve_problem(problem, time_limit_seconds=2)
    states, queues = roster_arrays(problem, solution.assignments)
    classes = problem.coverage_classes()
    counts = np.zeros((len(classes), problem.num_days, problem.num_shifts, problem.num_queues),
                      dtype=np.int64)
    for g, members in enumerate(classes):
        for a in members:
            for d in range(problem.num_days):
                if states[a, d] >= 0:
                    counts[g, d, states[a, d], queues[a, d]] += 1
    covered = _class_coverage(problem, counts)
    assert np.array_equal(covered.sum(axis=0), scheduled_counts(problem, states, queues))
    assert roster_frame(problem, states, queues).equals(solution.assignments)


def test_team_seeds_are_fixed_distinct_and_fit_cp_sat():
    seeds = [team_seed(0, k) for k in range(5)]
    assert seeds == [team_seed(0, k) for k in range(5)]
    assert len(set(seeds)) == 5 and all(0 <= s < 2**31 for s in seeds)
    assert team_seed(1, 0) != team_seed(0, 0)


@pytest.mark.parametrize("workers", [0, 3])
def test_worker_setting(workers):
    from solvers.roster.team_tasks import worker_count
    count = worker_count(_settings(workers=workers))
    assert count == (workers or count) and count >= 1


def test_team_tasks_on_ray_give_the_in_process_roster(roomy_cap, preferred_engine):
    """``wfm roster --address`` hands the team tasks to Ray (``wfm.parallel.task_map``): the
    roster passes the checker and is the roster of the in-process run. A task carries the
    run's wall-clock cap as data (``TeamTask.deadline_epoch``), so ``roomy_cap`` reaches the
    Ray workers too and nothing is cut short on a busy machine."""
    from wfm.parallel import task_map

    config, instance, problem = _instance()
    on_engine = solve_problem(problem, time_limit_seconds=3, settings=_settings(workers=2),
                              map_tasks=task_map(workers=preferred_engine))
    default = solve_problem(problem, time_limit_seconds=3, settings=_settings(workers=1))
    assert check_roster(on_engine.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave) == []
    assert on_engine.figures["wall_clock_capped"] == default.figures["wall_clock_capped"] == []
    assert on_engine.assignments.equals(default.assignments)


def test_a_team_over_the_part_size_is_dealt_into_even_parts(roomy_cap):
    _, _, one_team = _instance(queues=("sales",))
    assert not decomposes(one_team, _settings(max_team_agents=48))
    assert decomposes(one_team, _settings(max_team_agents=20))
    parts = task_teams(one_team, 20)
    assert [len(p) for p in parts] == [16, 16, 16]  # ceil(48 / 20) = 3 parts
    assert sorted(a for p in parts for a in p) == list(range(48))
    for group in one_team.coverage_classes():  # each night-cap class dealt evenly
        sizes = [len(set(group) & set(p)) for p in parts]
        assert max(sizes) - min(sizes) <= 1


def test_split_counts_share_each_class_s_plan_among_the_parts(roomy_cap):
    _, _, one_team = _instance(queues=("sales",))
    plan = solve_aggregate(one_team, time_limit_seconds=ROOMY_CAP, det_seconds=20,
                           budget=Budget.start(20, wall_cap_seconds=ROOMY_CAP))
    assert plan.status in ("OPTIMAL", "FEASIBLE")  # work, not the clock, ends the solve
    parts = task_teams(one_team, 20)
    counts = split_counts(one_team, plan, parts)
    np.testing.assert_array_equal(sum(counts), plan.counts)
    free = available(one_team)
    for part, mine in zip(parts, counts, strict=True):
        for g, group in enumerate(plan.groups):
            inside = sorted(set(group) & set(part))
            for d in range(one_team.num_days):
                workers = int(mine[g, d].sum())
                assert workers <= int(free[inside, d].sum())  # never more than are free
                planned = plan.counts[g, d].sum(axis=1)  # per shift type
                if planned.sum():  # each part's mix follows the class's, to one agent
                    share = planned * workers / planned.sum()
                    assert np.all(np.abs(mine[g, d].sum(axis=1) - share) <= 1)


def test_a_single_large_team_is_solved_in_parts(roomy_cap):
    config, instance, _ = _instance(queues=("sales",))
    solution = plan_roster(instance.requirement, instance.agents, config,
                           leave=instance.leave, previous=instance.previous,
                           settings=_settings(max_team_agents=20))
    assert solution.figures["decomposition"]["agents"] == [16, 16, 16]
    assert "team fairness: site band repair" in solution.figures["stage_seconds"]
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave) == []


def test_parts_of_a_team_are_judged_on_the_whole_team_s_shares(roomy_cap):
    """The checker shares a team's nights and weekend rest over the whole team; a part's own
    sub-problem would share them over the part (other totals, other histories). The fairness
    tasks of the parts get the whole team's targets; whole teams keep their own (the same)."""
    _, _, one_team = _instance(queues=("sales",))
    solution = solve_problem(one_team, time_limit_seconds=2)
    states, _ = roster_arrays(one_team, solution.assignments)
    parts = task_teams(one_team, 20)
    given = _whole_team_targets(one_team, states, parts)
    night, rest = band_targets(one_team, states)
    own_differs = False
    for part, targets in zip(parts, given, strict=True):
        assert targets is not None
        for mine, whole in zip(targets, (night.take(part), rest.take(part)), strict=True):
            np.testing.assert_array_equal(mine.tenths, whole.tenths)
            np.testing.assert_array_equal(mine.high, whole.high)
        own = band_targets(subproblem(one_team, part, one_team.required), states[part])
        own_differs |= any(not np.array_equal(a.tenths, b.tenths)
                           for a, b in zip(own, targets, strict=True))
    assert own_differs  # why: the parts' own shares are not the checker's
    _, _, two_teams = _instance()
    assert _whole_team_targets(two_teams, states, two_teams.teams()) == [None] * len(
        two_teams.teams())


@pytest.mark.parametrize(("least_share", "requirement_share"), [(1.0, 0.01), (0.0, 0.0)])
def test_the_site_release_keeps_the_shortfall_ceiling_across_parts(roomy_cap, least_share,
                                                                   requirement_share):
    """One queue of 60 agents in three parts over four weeks: every part covers the same
    intervals, so parts releasing weekend rest each on its own view would add up. With room
    under the ceiling the site's release brings weekend rest back; with the ceiling at the
    least possible shortfall (below the roster's) the total shortfall, counted from the
    roster against the requirement, ends no higher than the fairness stage found it."""
    config = site(roster={"time_limit_seconds": 4, "weekend_release_tolerance": 0.1,
                          "shortfall_ceiling_least_share": least_share,
                          "shortfall_ceiling_requirement_share": requirement_share})
    instance = make_instance(InstanceParameters(
        num_agents=60, num_days=28, queues=("sales",), leave_share=0.05, with_previous=True,
        random_seed=12), config)
    solution = plan_roster(instance.requirement, instance.agents, config,
                           leave=instance.leave, previous=instance.previous,
                           settings=_settings(max_team_agents=20))
    assert solution.figures["decomposition"]["agents"] == [20, 20, 20]
    figures = solution.figures["fairness_stage"]
    shortfall = int(coverage_table(solution.assignments, instance.requirement,
                                   config)["shortfall"].sum())
    if least_share:
        assert figures["weekend_rest_released"] >= 1
        assert shortfall <= figures["shortfall_ceiling"]
    else:
        assert figures["shortfall_ceiling"] < figures["shortfall_before"]
        assert shortfall <= figures["shortfall_before"]
    assert check_roster(solution.assignments, instance.agents, config,
                        previous=instance.previous, leave=instance.leave) == []


def test_imbalance_of_teams_on_parallel_slots():
    # hand-worked, longest first to the least loaded slot: three equal teams on two slots
    # end at 2/3 of the work against 1/2 for an even split
    assert imbalance([1 / 3] * 3, 2) == pytest.approx(4 / 3)
    assert imbalance([0.5, 0.5], 2) == pytest.approx(1.0)
    assert imbalance([0.25] * 4, 2) == pytest.approx(1.0)
    assert imbalance([0.4, 0.3, 0.3], 2) == pytest.approx(1.2)  # 0.4 | 0.3 + 0.3
    assert imbalance([0.6, 0.4], 2) == pytest.approx(1.2)  # one team longer than half
    assert imbalance([1.0], 1) == pytest.approx(1.0)


@pytest.mark.parametrize("shares", [[1 / 3] * 3, [0.5, 0.5], [0.4, 0.3, 0.3], [0.2] * 5])
def test_team_tasks_end_together_inside_the_slots_time(shares):
    # each task's work is its share times the factor; on work_factor slots (longest first)
    # the last one ends at the nominal time of the stage, never later
    run = TeamRun([[0]] * len(shares), shares, in_process, workers=1)
    factor = task_work_factor(run, DEFAULT_SETTINGS)
    slots = round(DEFAULT_SETTINGS.decomposition.work_factor)
    loads = [0.0] * slots
    for share in sorted(shares, reverse=True):
        loads[loads.index(min(loads))] += share * factor
    assert max(loads) == pytest.approx(1.0)
