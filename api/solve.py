"""Roster solve jobs: parse the inputs now (bad input is a 422 at once), solve in a thread.

The job's status lives in the ``solve_jobs`` table, so ``GET /api/v1/jobs/{id}`` works from any
worker and after a restart (a job that was running when the server stopped stays ``running``;
submit it again).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pandas as pd

from api.schemas import SolveRequest
from api.store import Actor, Store
from wfm.errors import InvalidInput, WfmError
from wfm.tables import AGENTS, FIXED, LEAVE, REQUIREMENT, ROSTER, read_table_text


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


def parse_solve_request(store: Store, request: SolveRequest) -> SolveInputs:
    """Read the CSVs of a solve request, falling back on the stored requirement and agents."""
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
    return SolveInputs(requirement, agents, table(request.leave_csv, LEAVE, "leave_csv"),
                       table(request.fixed_csv, FIXED, "fixed_csv"),
                       table(request.previous_csv, ROSTER, "previous_csv"),
                       request.time_limit_seconds, request.reason,
                       new_agents=request.agents_csv is not None,
                       new_requirement=request.requirement_csv is not None)


def start_solve(store: Store, actor: Actor, inputs: SolveInputs) -> str:
    """Store the inputs sent, record a job, start the solve in a thread; return the job id."""
    if inputs.new_agents:
        store.import_agents(frame=inputs.agents, actor=actor, reason="solve request")
    if inputs.new_requirement:
        store.import_requirement(frame=inputs.requirement, actor=actor, reason="solve request")
    job = store.create_job(actor=actor)
    thread = threading.Thread(target=_run, args=(store, actor, job.id, inputs),
                              name=f"solve-{job.id}", daemon=True)
    thread.start()
    return job.id


def _run(store: Store, actor: Actor, job_id: str, inputs: SolveInputs) -> None:
    store.finish_job(job_id=job_id, status="running")
    try:
        from solvers.roster import plan_roster

        solution = plan_roster(inputs.requirement, inputs.agents, store.config,
                               leave=inputs.leave, previous=inputs.previous, fixed=inputs.fixed,
                               time_limit_seconds=inputs.time_limit_seconds)
        version = store.import_roster(frame=solution.assignments, actor=actor,
                                      reason=inputs.reason or f"solve job {job_id}",
                                      action="roster.solve")
    except (WfmError, ImportError) as error:
        store.finish_job(job_id=job_id, status="failed", error=str(error))
    except Exception as error:  # noqa: BLE001 - a job records any failure instead of dying
        store.finish_job(job_id=job_id, status="failed", error=f"{type(error).__name__}: {error}")
    else:
        store.finish_job(job_id=job_id, status="done", version=version)
