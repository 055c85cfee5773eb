"""Assign individual agents to the aggregate head-counts, day by day, then fill gaps.

Agents of one group are interchangeable for coverage, so for each day and group the
constructive pass only decides *who* works (those with the least need to rest: weekly rest still
owed, length of the current run, preferred rest days, weekend rest so far) and *which shift* each
worker takes (keep yesterday's shift, otherwise move later in the day, never back to an earlier
start when avoidable; nights go to those furthest behind their fair share; where the rest
between shifts rules out some shifts the next day, those shifts go first to agents who rest
then). The fair share is the team's planned nights water-filled over its members' history, as
the fairness stage will judge them (``fair_share.planned_night_shares``): spreading nights
evenly instead left 1,070 agents outside the nights band on 4,000 x 28 two queues at 60 s, for
the fairness stage to trade back, against 2 now. Every choice is checked against the hard
rules (each rule's ``may_take``) with the days already decided and the pinned days ahead, and
resting never breaks a rule, so the result is always legal. A repair pass then adds shifts
where coverage is still short and legal rest days allow it.
"""

from __future__ import annotations

import heapq

import numpy as np

from solvers.roster.budget import WorkLimit, unlimited
from solvers.roster.fair_share import planned_night_shares
from solvers.roster.legal import agent_violations
from solvers.roster.problem import LEAVE, OFF, UNKNOWN, RosterProblem, shortfall_cost
from solvers.roster.rules import COVERAGE_RULES
from solvers.roster.transitions import binds, blocked_counts, night_pairs_blocked


class _State:
    """The roster being built and the facts the greedy choices need per agent."""

    def __init__(self, problem: RosterProblem, workdays: np.ndarray | None = None) -> None:
        self.problem = problem
        num_agents, num_days = problem.num_agents, problem.num_days
        self.states = np.full((num_agents, num_days), UNKNOWN, dtype=np.int64)
        self.queues = np.full((num_agents, num_days), -1, dtype=np.int64)
        resting = (problem.forced != UNKNOWN) | np.isin(problem.fixed_shift, (OFF, LEAVE))
        self.states[resting] = problem.rest_state_table[resting]
        self.nights = np.zeros(num_agents, dtype=np.int64)
        self.night_share = np.zeros(num_agents)  # planned horizon nights (fair share), if known
        self.weekend_rest = np.zeros(num_agents, dtype=np.int64)
        self.fixed_run_after = np.zeros((num_agents, num_days + 1), dtype=np.int64)
        for d in range(num_days - 1, -1, -1):
            self.fixed_run_after[:, d] = np.where(problem.fixed_shift[:, d] >= 0,
                                                  self.fixed_run_after[:, d + 1] + 1, 0)
        self.run = problem.entering_runs.copy()
        self.week_of: dict[int, tuple[list[int], list[int]]] = {}
        for inside, before in problem.weeks():
            for d in inside:
                self.week_of[d] = (inside, before)
        self.tests = [rule.may_take for rule in COVERAGE_RULES
                      if rule.may_take is not None and rule.applies(problem)]
        self.workdays = workdays  # who should work each day (realize.py), if known
        self.nights_blocked = night_pairs_blocked(problem)
        self.blocked_after = blocked_counts(problem)
        self.plans_transitions = binds(problem)

    def state(self, a: int, d: int) -> int:
        return self.problem.state_on(a, d, self.states)

    def week_slack(self, a: int, d: int) -> tuple[int, int]:
        """(rest days still owed in d's week if a works on d, free days left after d)."""
        week = self.week_of.get(d)
        if week is None or not self.problem.week_known(a, week[1]):
            return 0, 0
        inside, before = week
        rest = sum(1 for e in before if self.problem.state_on(a, e) < 0)
        free = 0
        for e in inside:
            if e == d:
                continue
            value = self.states[a, e]
            if value in (OFF, LEAVE):
                rest += 1
            elif e > d and value == UNKNOWN and self.problem.fixed_shift[a, e] == UNKNOWN:
                free += 1
        return max(0, self.problem.min_rest_days_per_week - rest), free

    def can_work(self, a: int, d: int, s: int) -> bool:
        """Whether shift ``s`` on day ``d`` keeps every rule of agent ``a`` satisfiable (each
        rule's ``may_take``, with every later free day at rest)."""
        return all(may_take(self, a, d, s) for may_take in self.tests)

    def run_slack(self, a: int, d: int) -> int:
        """Working days left before the run forces a rest (a rest day already fixed ahead, such
        as leave, ends the run; so does the end of the horizon)."""
        limit = self.problem.max_consecutive_days
        run = int(self.run[a])
        for e in range(d, min(self.problem.num_days, d + limit + 1)):
            if self.states[a, e] in (OFF, LEAVE):
                return 50
            run += 1
            if run > limit:
                return e - d
        return 50

    def rest_desire(self, a: int, d: int, noise: float) -> float:
        """Higher for agents who should rest today (they are chosen to work last)."""
        problem = self.problem
        owed, free = self.week_slack(a, d)
        slack = self.run_slack(a, d)
        if owed:
            slack = min(slack, free + 1 - owed)
        desire = -float(min(slack, 50))  # earliest deadline rests first
        if problem.preferred_rest[a, problem.weekday(d)]:
            desire += 0.6
        if problem.weekday(d) >= 5:
            desire += 0.3 / (1 + self.weekend_rest[a])
        return desire + noise

    def place(self, a: int, d: int, s: int, q: int) -> None:
        self.states[a, d] = s
        self.queues[a, d] = q
        if s >= 0 and self.problem.night[s]:
            self.nights[a] += 1

    def close_day(self, d: int) -> None:
        working = self.states[:, d] >= 0
        self.states[:, d] = np.where(self.states[:, d] == UNKNOWN, OFF, self.states[:, d])
        self.run = np.where(working, self.run + 1, 0)
        if self.problem.weekday(d) >= 5:
            self.weekend_rest += ~working


def assign_counts(problem: RosterProblem, groups: list[list[int]], counts: np.ndarray,
                  *, seed: int = 0, workdays: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """States (A, D) and queues (A, D) realising ``counts[g, d, s, q]`` as closely as the rules
    allow. ``workdays`` (A, D), when given, says who should work each day (others only fill
    slots left open)."""
    rng = np.random.default_rng(seed)
    noise = rng.random(problem.num_agents) * 1e-3
    state = _State(problem, workdays)
    if problem.weights.fair_share_nights > 0:  # nights priced: pace each agent to its share
        state.night_share = planned_night_shares(problem, groups, counts)
    for d in range(problem.num_days):
        for g, members in enumerate(groups):
            need = counts[g, d].copy()
            free = []
            for a in members:
                if state.states[a, d] != UNKNOWN:
                    continue
                pinned = int(problem.fixed_shift[a, d])
                if pinned >= 0:
                    q = int(problem.fixed_queue[a, d])
                    if q < 0:
                        q = max(problem.skills[a], key=lambda k: int(need[pinned, k]))
                    state.place(a, d, pinned, q)
                    need[pinned, q] -= 1
                else:
                    free.append(a)
            need = np.clip(need, 0, None)
            target = int(need.sum())
            if target == 0 or not free:
                continue
            candidates = {}
            crowded = _crowded_shifts(state, d, free, need)
            for a in free:
                allowed = [s for s in range(problem.num_shifts) if state.can_work(a, d, s)]
                if allowed:
                    desire = state.rest_desire(a, d, noise[a])
                    if state.state(a, d - 1) in crowded:
                        desire += 0.4  # fewer seats on yesterday's shift: rest rather than switch
                    if workdays is not None and not workdays[a, d]:
                        desire += 1000.0
                    candidates[a] = (desire, allowed)
            _choose_workers(state, d, candidates, need)
        state.close_day(d)
    return state.states, state.queues


def _crowded_shifts(state: _State, d: int, free: list[int], need: np.ndarray) -> set[int]:
    """Shift types more of today's free agents worked yesterday than today needs."""
    yesterday = [state.state(a, d - 1) for a in free]
    return {s for s in range(state.problem.num_shifts)
            if yesterday.count(s) > int(need[s].sum())}


def _shift_cost(state: _State, a: int, d: int, s: int) -> float:
    """Cost of giving shift ``s`` to agent ``a`` on day ``d``: keep yesterday's shift, move
    later in the day rather than earlier, spread nights."""
    problem = state.problem
    yesterday = state.state(a, d - 1)
    if yesterday >= 0 and problem.same_hours(yesterday, s):  # same hours: no change
        cost = -5.0
    elif yesterday >= 0:
        cost = 10.0 if problem.shift_start[s] < problem.shift_start[yesterday] else 3.0
    else:
        cost = 1.0
    workdays = state.workdays
    if workdays is not None and state.plans_transitions and d + 1 < problem.num_days and (
            workdays[a, d + 1]):
        # the agent should work tomorrow: a shift few types may follow ties it down (per type
        # ruled out, less than a change of shift costs: keeping yesterday's hours still wins)
        cost += 2.0 * float(state.blocked_after[int(state.nights_blocked[a, d]), s])
    if problem.night[s]:
        cap = int(problem.max_nights[a])
        pace = state.night_share[a] * (d + 1) / problem.num_days  # its share by today
        cost += 0.3 * (float(state.nights[a]) - pace) + (6.0 / (cap + 1) if cap >= 0 else 0.0)
    return cost


def _choose_workers(state: _State, d: int, candidates: dict[int, tuple[float, list[int]]],
                    need: np.ndarray) -> None:
    """Pick who works (least need to rest first), then give the workers the needed (shift,
    queue) slots with the fewest shift changes; slots left open go to the next candidates."""
    ranked = sorted(candidates, key=lambda a: candidates[a][0])
    target = int(need.sum())
    _fill_slots(state, d, [(a, candidates[a][1]) for a in ranked[:target]], need)
    if need.sum() > 0:
        spare = [(a, candidates[a][1]) for a in ranked if state.states[a, d] == UNKNOWN]
        _fill_slots(state, d, spare, need, keep_order=True)


def _fill_slots(state: _State, d: int, workers: list[tuple[int, list[int]]], need: np.ndarray,
                *, keep_order: bool = False) -> None:
    problem = state.problem
    order = sorted(range(problem.num_shifts), key=lambda s: -problem.shift_start[s])
    left = dict(workers)
    rank = {a: i for i, (a, _) in enumerate(workers)}
    for s in order:
        slots = int(need[s].sum())
        if slots <= 0:
            continue
        if keep_order:
            ranked = [a for a, allowed in workers if a in left and s in allowed]
        else:
            ranked = [a for _, a in sorted(
                (_shift_cost(state, a, d, s) - 0.01 * len(allowed) + 1e-6 * rank[a], a)
                for a, allowed in left.items() if s in allowed)]
        for a in ranked[:slots]:
            q = max(problem.skills[a], key=lambda k: need[s, k])
            state.place(a, d, s, q)
            need[s, q] -= 1
            del left[a]


# ---- repair: add shifts where coverage is short ----------------------------------------------

def scheduled_counts(problem: RosterProblem, states: np.ndarray, queues: np.ndarray
                     ) -> np.ndarray:
    """Scheduled agents per interval and queue (T, Q): head-counts per (day, shift, queue)
    first, then each shift's intervals once (not once per agent-day: the final price of a
    4,000-agent roster spent 0.4 s here)."""
    scheduled = np.zeros_like(problem.required)
    agents, days = np.nonzero(states >= 0)
    counts = np.zeros((problem.num_days, problem.num_shifts, scheduled.shape[1]),
                      dtype=scheduled.dtype)
    np.add.at(counts, (days, states[agents, days], queues[agents, days]), 1)
    for d, s in zip(*np.nonzero(counts.any(axis=2)), strict=True):
        scheduled[problem.cover[d][s]] += counts[d, s]
    return scheduled


def _gain(problem: RosterProblem, scheduled: np.ndarray, d: int, s: int, q: int) -> int:
    """Objective decrease from one more agent on shift ``s``, day ``d``, queue ``q``."""
    t = problem.cover[d][s]
    short = np.clip(problem.required[t, q] - scheduled[t, q], 0, None)
    saved = shortfall_cost(short) - shortfall_cost(np.clip(short - 1, 0, None))
    over = (scheduled[t, q] >= problem.required[t, q]).sum()
    weights = problem.weights
    return int(weights.coverage * saved.sum() - weights.overstaffing * over)


def fill_gaps(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, *,
              work: WorkLimit | None = None) -> int:
    """Add legal shifts on rest days while that lowers the coverage cost and ``work`` lasts (a
    unit per rule check); returns how many."""
    work = work or unlimited()
    scheduled = scheduled_counts(problem, states, queues)
    by_queue: dict[int, list[int]] = {q: [] for q in range(problem.num_queues)}
    for a in range(problem.num_agents):
        for q in problem.skills[a]:
            by_queue[q].append(a)
    heap = []
    for d in range(problem.num_days):
        for s in range(problem.num_shifts):
            for q in range(problem.num_queues):
                gain = _gain(problem, scheduled, d, s, q)
                if gain > 0:
                    heap.append((-gain, d, s, q))
    heapq.heapify(heap)
    added = 0
    while heap and work.left():
        negative, d, s, q = heapq.heappop(heap)
        gain = _gain(problem, scheduled, d, s, q)
        if gain <= 0:
            continue
        if gain < -negative:
            heapq.heappush(heap, (-gain, d, s, q))
            continue
        chosen = _first_legal(problem, states, queues, by_queue[q], d, s, q, work)
        if chosen is None:
            continue
        scheduled[problem.cover[d][s], q] += 1
        added += 1
        heapq.heappush(heap, (-_gain(problem, scheduled, d, s, q), d, s, q))
    return added


def _first_legal(problem: RosterProblem, states: np.ndarray, queues: np.ndarray,
                 agents: list[int], d: int, s: int, q: int, work: WorkLimit) -> int | None:
    """Give shift ``s``/queue ``q`` on day ``d`` to an agent resting that day: directly when
    legal, otherwise by a rest-day swap (the agent rests on one of its working days d2 and a
    colleague resting on d2 takes that shift)."""
    resting = [a for a in agents if states[a, d] == OFF and problem.assignable[a, d]]
    for a in resting:
        if not work.spend():
            return None
        states[a, d], queues[a, d] = s, q
        if not agent_violations(problem, a, states[a], first_only=True):
            return a
        states[a, d], queues[a, d] = OFF, -1
    for a in resting:
        if not work.spend(1 + problem.max_consecutive_days):  # up to one check per day tried
            return None
        if _swap_rest_day(problem, states, queues, a, d, s, q):
            return a
    return None


def _swap_rest_day(problem: RosterProblem, states: np.ndarray, queues: np.ndarray, a: int,
                   d: int, s: int, q: int) -> bool:
    limit = problem.max_consecutive_days
    for d2 in range(max(0, d - limit), min(problem.num_days, d + limit + 1)):
        s2, q2 = int(states[a, d2]), int(queues[a, d2])
        if d2 == d or s2 < 0 or problem.fixed_shift[a, d2] != UNKNOWN:
            continue
        states[a, d2], queues[a, d2] = OFF, -1
        states[a, d], queues[a, d] = s, q
        if not agent_violations(problem, a, states[a], first_only=True):
            # colleagues resting on d2 who may take its shift, in agent order (only the one
            # tried changes, and it is put back when it fails)
            takers = (states[:, d2] == OFF) & problem.skilled[q2] & problem.assignable[:, d2]
            for b in np.flatnonzero(takers).tolist():
                states[b, d2], queues[b, d2] = s2, q2
                if not agent_violations(problem, b, states[b], first_only=True):
                    return True
                states[b, d2], queues[b, d2] = OFF, -1
        states[a, d], queues[a, d] = OFF, -1
        states[a, d2], queues[a, d2] = s2, q2
    return False
