"""Roster solve jobs: parse the inputs now (bad input is a 422 at once), queue the job, and
let a worker solve it (``api.solve_pool``: a separate process, never a thread of the server).

The job lives in the ``solve_jobs`` table (``api.store.jobs``) with its request and the site
configuration it was submitted under, so any worker on the same database can run it, also
after a restart. The inputs the request omits (requirement, agents, the previous roster,
approved time off, the days after the horizon) are read from the store when the job starts
running, so a job that waited in the queue plans against the roster as it is then.

Approved time off is fixed for the solve: whole days join the leave table, a moved rest day and
part of a shift join the fixed table (rows the request sends for the same agent-date win).

The stored days after the horizon are held fixed while solving, so the solved days fit them
(``solve_following``); only the horizon's own days are stored.

A job is all or nothing: the requirement and agents a request sends are stored together with the
solved roster and the job's ``done``, in one transaction, only when that roster passes the rule
checker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from api.schemas import SolveRequest
from api.solve_following import following_days, hold_following, within
from api.store import Actor, RosterRejected, Store
from api.store.jobs import Claimed, ClaimLost
from wfm.config import SiteConfig, build_config
from wfm.errors import InvalidInput, WfmError
from wfm.rules import days_rules_reach
from wfm.tables import AGENTS, FIXED, LEAVE, REQUIREMENT, ROSTER, read_table_text
from wfm.validation import check_known_agents

MAX_LISTED_VIOLATIONS = 20  # a failed job's error names at most this many, then counts the rest


@dataclass(frozen=True)
class SolveInputs:
    requirement: pd.DataFrame
    agents: pd.DataFrame
    leave: pd.DataFrame | None
    fixed: pd.DataFrame | None
    previous: pd.DataFrame | None
    time_limit_seconds: float | None
    reason: str
    new_agents: bool = False
    new_requirement: bool = False
    following: pd.DataFrame | None = None  # stored rows after the horizon (solve_following)


def parse_solve_request(store: Store, request: SolveRequest) -> SolveInputs:
    """Read the CSVs of a solve request, falling back on the stored requirement, agents and
    (before the requirement's first date) roster."""
    tz = store.config.timezone

    def table(text: str | None, spec: object, label: str) -> pd.DataFrame | None:
        return None if text is None else read_table_text(text, spec, timezone=tz,  # type: ignore[arg-type]
                                                          label=label)

    requirement = table(request.requirement_csv, REQUIREMENT, "requirement_csv")
    if requirement is None:
        requirement = store.requirement_frame()
    agents = table(request.agents_csv, AGENTS, "agents_csv")
    if agents is None:
        agents = store.agents_frame()
    if requirement.empty:
        raise InvalidInput("no requirement: send requirement_csv or POST /api/v1/requirements")
    if agents.empty:
        raise InvalidInput("no agents: send agents_csv or POST /api/v1/agents")
    previous = table(request.previous_csv, ROSTER, "previous_csv")
    if previous is None:
        previous = stored_previous(store, first_requirement_date(requirement, store))
    first, last = first_requirement_date(requirement, store), last_requirement_date(
        requirement, store)
    leave_rows, fixed_rows = store.time_off.pinned(date_from=first, date_to=last)
    sent_leave = table(request.leave_csv, LEAVE, "leave_csv")
    sent_fixed = table(request.fixed_csv, FIXED, "fixed_csv")
    check_known_agents(sent_leave, agents, table="leave table", label="leave_csv")
    check_known_agents(sent_fixed, agents, table="fixed table", label="fixed_csv")
    leave = with_stored(sent_leave, leave_rows, ["agent_id", "date", "reason"])
    fixed = with_stored(sent_fixed, fixed_rows, ["agent_id", "date", "shift", "queue"])
    return SolveInputs(requirement, agents, leave, fixed, previous,
                       request.time_limit_seconds, request.reason,
                       new_agents=request.agents_csv is not None,
                       new_requirement=request.requirement_csv is not None,
                       following=stored_following(store, last))


def with_stored(sent: pd.DataFrame | None, stored: list[dict[str, object]],
                columns: list[str]) -> pd.DataFrame | None:
    """A leave or fixed table with the rows approved time-off requests pin added (a row the
    request sent for the same agent and date wins: the planner said so explicitly)."""
    if not stored:
        return sent
    pinned = pd.DataFrame(stored, columns=columns)
    if sent is None or sent.empty:
        return pinned
    keys = set(zip(sent["agent_id"], sent["date"], strict=True))
    keep = [k not in keys for k in zip(pinned["agent_id"], pinned["date"], strict=True)]
    return pd.concat([sent, pinned[keep]], ignore_index=True)


def last_requirement_date(requirement: pd.DataFrame, store: Store) -> date:
    """The site-local date of the requirement's last interval."""
    starts = pd.to_datetime(requirement["interval_start"])
    if starts.dt.tz is not None:
        starts = starts.dt.tz_convert(store.config.tz)
    return starts.max().date()


def first_requirement_date(requirement: pd.DataFrame, store: Store) -> date:
    """The site-local date of the requirement's first interval: the first day of the horizon."""
    starts = pd.to_datetime(requirement["interval_start"])
    if starts.dt.tz is not None:
        starts = starts.dt.tz_convert(store.config.tz)
    return starts.min().date()


def stored_previous(store: Store, first_day: date) -> pd.DataFrame | None:
    """The stored roster's rows of the weeks before ``first_day`` (None when there are none).

    Only rows dated before the horizon: rows inside it are what the solve replaces. The window
    reaches back further than any rule looks (consecutive days, Monday-Sunday weeks) and over
    the ``[roster] fairness_weeks`` whose nights and weekend rest count for fair shares.
    """
    config = store.config
    lookback = max(days_rules_reach(config.rules), 7 * config.roster.fairness_weeks) + 7
    _, rows = store.roster_frame(date_from=first_day - timedelta(days=lookback),
                                 date_to=first_day - timedelta(days=1))
    return None if rows.empty else rows


def stored_following(store: Store, last_day: date) -> pd.DataFrame | None:
    """The stored roster's rows of the days after ``last_day`` that a rule looks at (None when
    there are none): the solve holds them fixed so the solved days fit them."""
    _, rows = store.roster_frame(
        date_from=last_day + timedelta(days=1),
        date_to=last_day + timedelta(days=following_days(store.config)))
    return None if rows.empty else rows


def job_config(payload: str | None) -> SiteConfig | None:
    """The site configuration a job was submitted under (None without a payload)."""
    if payload is None:
        return None
    return build_config(json.loads(payload)["config"], source="the job's configuration")


def run_job(store: Store, claimed: Claimed) -> str:
    """Solve a claimed job and store its roster (with the job's ``done``) or its failure;
    returns the job's final status. ``store`` must be opened with ``job_config``'s
    configuration. Never raises for a failure of the job itself."""
    job_id, token = claimed.job_id, claimed.token
    try:
        if claimed.payload is None:
            raise InvalidInput("the job has no request (made by an older version); submit it "
                               "again")
        data = json.loads(claimed.payload)
        actor = Actor(**data["actor"])
        inputs = parse_solve_request(store, SolveRequest.model_validate(data["request"]))
        from solvers.roster import plan_roster

        requirement, leave, fixed = inputs.requirement, inputs.leave, inputs.fixed
        last = last_requirement_date(requirement, store)
        if inputs.following is not None:
            requirement, leave, fixed = hold_following(
                inputs.following, requirement, inputs.agents, leave, fixed, last, store.config)
        solution = plan_roster(requirement, inputs.agents, store.config,
                               leave=leave, previous=inputs.previous, fixed=fixed,
                               time_limit_seconds=inputs.time_limit_seconds)
        store.store_solution(
            assignments=within(solution.assignments, last), actor=actor,
            reason=inputs.reason or f"solve job {job_id}",
            agents=inputs.agents if inputs.new_agents else None,
            requirement=inputs.requirement if inputs.new_requirement else None,
            job=(job_id, token))
    except ClaimLost:
        return "lost"
    except RosterRejected as error:
        error_text = rejection_text(error)
    except (WfmError, ImportError) as error:
        error_text = str(error)
    except Exception as error:  # noqa: BLE001 - a job records any failure instead of dying
        error_text = f"{type(error).__name__}: {error}"
    else:
        return "done"
    store.jobs.fail(job_id=job_id, token=token, error=error_text)
    return "failed"


def rejection_text(error: RosterRejected) -> str:
    """The refusal and its violations, one ``rule agent date: message`` each."""
    shown = [f"{v.code} {v.agent_id} {v.date}: {v.message}"
             for v in error.violations[:MAX_LISTED_VIOLATIONS]]
    more = len(error.violations) - len(shown)
    if more > 0:
        shown.append(f"... and {more} more")
    return f"{error}: " + "; ".join(shown)
