"""Every tunable of the roster pipeline's stages, in one frozen object.

These are engineering settings, not site keys: they size each stage's work from the time limit
and set the stages' internal priorities. A site tunes the roster through ``[roster]`` in
``site.toml`` (time limit, seed, weights, fairness band, night pattern, coverage tolerance);
none of the fields below is read from there. ``docs/planner-guide.md`` ("Solver settings")
tabulates each field with its default and the reason for it; ``bench/README.md`` keeps the
measurements behind the defaults.

The pipeline (``pipeline.py``) carries one ``SolverSettings`` in its context and hands each
stage the group it reads; no module copies a field into a constant of its own. Functions that
tests and helpers also call alone default to ``DEFAULT_SETTINGS``' group, and the pipeline
always passes its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Calibration:
    """How much work a second of the time limit buys (2-core machine, load 2-4)."""

    det_per_second: float = 0.65     # CP-SAT deterministic seconds per wall second (one worker)
    units_per_second: int = 3_000    # counted work units per wall second on a 28-day horizon
    reference_days: int = 28         # horizon of that rate (a unit's cost scales with days)


@dataclass(frozen=True)
class TimeShares:
    """How the time limit is shared between the stages (computed once, ``pipeline.StagePlan``)."""

    setup_seconds_per_agent_day: float = 2.0e-4  # aggregate + smoothing + assignment, per agent-day
    # the assignment's working-day LPs and greedy pass, per agent-day: the wall time the stages
    # before it leave it (4,000 x 28, one task's assignment: two queues 9.4-13.6 s, four
    # queues 8.4 s, round the clock 12.1-13.6 s)
    assignment_seconds_per_agent_day: float = 1.0e-4
    flexible_share: float = 0.75      # of the limit, less setup: local moves, search, fairness
    least_flexible_share: float = 0.25  # of the limit: the flexible time never falls below this
    aggregate_share: float = 0.3      # of the limit: cap of each aggregate model (det. time)
    smooth_share: float = 0.1         # of the limit: cap of the shift-mix smoothing (det. time)
    fair_share_full: float = 0.6      # of the flexible time: fairness stage, full-model instances
    fair_share_large: float = 0.4     # of the flexible time: fairness stage, larger instances
    local_share_full: float = 0.5     # of what fairness leaves: local moves before the full model
    local_share_large: float = 0.85   # of what fairness leaves: local moves before the LNS


@dataclass(frozen=True)
class Construction:
    """Aggregate plan, assignment and local moves."""

    shortfall_slack: float = 0.0      # total shortfall at most this share above the least
    match_workdays: bool = True       # each group's working days by LP before the greedy pass
    # the shift-mix smoothing stops within this share of its bound: its LP bound is tight (4,000
    # x 28 two queues seed 77: within 0.1% after 2.3 s, then 30 s more for the last 0.02%, a
    # handful of planned switches, time the local moves then lacked)
    smooth_gap: float = 1e-3
    local_rounds: int = 4             # rounds of gap filling + local moves at most
    tries_per_agent: int = 30         # local moves tried per agent visit, best first


@dataclass(frozen=True)
class Search:
    """The full model (small instances) or the neighbourhood search (large ones)."""

    full_model_max_vars: int = 12_000  # work variables up to which the full model is solved
    full_det_per_second: float = 0.3  # full model: deterministic seconds per second of its share
    full_hint_share: float = 0.2      # of the full model's det. time: completing its hint
    seconds_per_move: float = 1.0     # neighbourhood search: wall seconds per move tried
    det_per_move: float = 0.5         # deterministic seconds of one neighbourhood sub-solve
    move_agents: int = 24             # agents re-solved per neighbourhood move
    move_window_days: int = 10        # days re-solved per neighbourhood move
    move_hint_share: float = 0.3      # of a move's det. time: completing its hint


@dataclass(frozen=True)
class Fairness:
    """The fairness stage's sub-stages (``fair.FAIRNESS_STAGES``)."""

    pattern_share: float = 0.5        # of the stage: the class-pattern model, where it applies
    resolve_share: float = 0.1        # of the stage after it: team re-solves (trades get the rest)
    release_share: float = 0.25       # of the stage: weekend rest released at a coverage price
    least_wall_share: float = 0.25    # of the stage: wall time it keeps when earlier stages overran
    chunk_agents: int = 12            # agents per re-solve (team re-solves and weekly-block chunks)
    max_chunk_agents: int = 48        # team re-solve chunks double up to this when a round is idle
    resolve_rounds: int = 50          # team re-solve rounds at most (the work ends them first)
    det_per_chunk: float = 0.2        # det. s per re-solve of chunk_agents x 7 days x 2 shifts
    det_per_block_solve: float = 0.5  # det. seconds per weekly-blocks chunk re-solve
    block_hint_share: float = 0.2     # of a weekly-blocks re-solve: completing its hint
    block_wall_factor: float = 5.0    # a weekly-blocks re-solve's least wall cap, x its det. time
    trade_rounds: int = 50            # pair-trade rounds at most (the work ends them first)
    max_segment_days: int = 28        # longest run of days traded at once
    tries_per_pair: int = 6           # improving trades checked for legality per pair
    candidates_per_unit: int = 60     # candidate trades priced per work unit
    repair_partners: int = 12         # team-mates tried per agent outside the band or quick return
    pattern_max_checks: int = 250_000  # class x pattern rule checks at most, else no pattern model


@dataclass(frozen=True)
class Costs:
    """Multipliers of the fairness stage's costs, on top of the ``[roster] weights``."""

    quick_return_factor: int = 10     # fairness stage: a quick return = its weight x this
    outside_band_cost: int = 50       # per tenth of a day beyond the fair-share band, x the weight
    deviation_knees: tuple[int, ...] = (5, 10)  # tenths where a deviation's marginal cost rises
    fair_first: int = 100             # pattern model: fairness cost x this + coverage cost


@dataclass(frozen=True)
class Decomposition:
    """Large sites solved team by team (``team_tasks.py``): once the aggregate plan has fixed
    each coverage class's head-counts, assignment, local moves, the neighbourhood search and
    the fairness stage run per team as independent tasks, then a cross-team repair pass."""

    min_agents: int = 1_500           # decompose from this many agents (and two teams or more)
    min_teams: int = 2                # ... and at least this many teams
    max_team_agents: int = 1_500      # a larger team's tasks are split into parts of at most this
    workers: int = 0                  # parallel team tasks; 0: one per CPU; 1: in process
    work_factor: float = 2.0          # team tasks' work, x their share of the stages' work
    fair_share: float = 0.6           # of a team's flexible time: its fairness task
    repair_share: float = 0.05        # of the local-move time: the cross-team repair pass


@dataclass(frozen=True)
class SolverSettings:
    """All stage tunables, grouped by stage (module docstring)."""

    calibration: Calibration = field(default_factory=Calibration)
    shares: TimeShares = field(default_factory=TimeShares)
    construction: Construction = field(default_factory=Construction)
    search: Search = field(default_factory=Search)
    fairness: Fairness = field(default_factory=Fairness)
    costs: Costs = field(default_factory=Costs)
    decomposition: Decomposition = field(default_factory=Decomposition)


DEFAULT_SETTINGS = SolverSettings()
