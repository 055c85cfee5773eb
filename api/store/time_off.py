"""Time-off requests: the second kind of the request lifecycle, and leave balances.

An agent asks; the request is checked at once (notice, shape, rules, balance, team limit:
refusals are 422) and its coverage impact with the service level per interval is stored.
The auto-approval policy (``[time_off] auto_approve``) may approve it at once; else a planner
approves or rejects it. A kind with ``same_day`` (sick leave) inside the notice is recorded
without approval and flagged. Approving writes ``LEAVE`` (or the moved ``OFF``) into the
roster, the balance change and the audit in one transaction that compares and sets the roster
version, then invalidates the open requests of the agent it makes illegal.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import (
    Agent,
    LeaveBalance,
    RequirementRow,
    RosterCell,
    TimeOffEvent,
    TimeOffRequest,
)
from api.store.frames import agent_record, stored_queues
from api.store.offers import worked_head_deltas
from api.store.reference import Reference, window_counts
from api.store.requests import KindStore
from api.store.rosters import ROSTER_VERSION, changed_cell, generations
from api.store.unit import SYSTEM, Actor, to_utc
from wfm.errors import Conflict, NotFound, SwapRejected, Violation
from wfm.requests.status import TIME_OFF_MACHINE
from wfm.requests.time_off import REST_DAY, TimeOffVerdict, check_time_off
from wfm.requests.time_off_impact import Part, impact_json
from wfm.teams import team_of

OPEN = TIME_OFF_MACHINE.open_statuses


class TimeOffRejected(SwapRejected):
    """A time-off request breaks a rule (422 with the violations)."""


class TimeOff(KindStore):
    """The time-off kind: an agent asks, a planner (or the policy) approves."""

    name = "time_off"
    label = "time-off request"
    event_model = TimeOffEvent
    model = TimeOffRequest
    machine = TIME_OFF_MACHINE
    revalidate_on: tuple[str, ...] = ("approve",)
    auto_approve_after: str | None = None  # the policy is applied when a request is made

    # ---- the lifecycle's hooks -----------------------------------------------------------
    def involving(self, agent_ids: Sequence[str]) -> Any:
        return TimeOffRequest.requester_id.in_(agent_ids)

    def still_valid(self, session: Session, request: TimeOffRequest) -> str | None:
        """None when the request still applies cleanly, else why not."""
        key = changed_cell(session, request.snapshot)
        if key is not None:
            return f"the roster of {key[0]} on {key[1]} changed since the request was checked"
        verdict = self.verdict_of(session, request)
        if verdict.violations:
            return "; ".join(f"{v.code}: {v.message}" for v in verdict.violations)
        return None

    @property
    def auto_approve_reason(self) -> str:
        kept = ("coverage kept" if self.unit.config.time_off.auto_approve == "coverage"
                else "service level kept")
        return f"auto-approved: no rule broken, {kept}"

    def auto_approvable(self, session: Session, request: TimeOffRequest) -> bool:
        """The policy on a verdict read inside the transaction; the request keeps that
        verdict's impact (what the planner sees when the policy refuses it)."""
        verdict = self.verdict_of(session, request)
        request.impact = impact_json(verdict.impact)
        return self._policy_allows(verdict)

    def _policy_allows(self, verdict: TimeOffVerdict) -> bool:
        policy = self.unit.config.time_off.auto_approve
        if policy == "never" or not verdict.ok:
            return False
        return verdict.keeps_coverage if policy == "coverage" else verdict.keeps_service_level

    def apply(self, session: Session, request: TimeOffRequest, actor: Actor, reason: str,
              action: str = "approve") -> int:
        version = self.rosters.lock_version(session)
        verdict = self.verdict_of(session, request)
        if verdict.violations:  # the caller re-validated; a same-day record is never refused
            raise Conflict("; ".join(f"{v.code}: {v.message}" for v in verdict.violations))
        cells = [c for c in verdict.after
                 if c not in verdict.before]  # part of a shift leaves the roster as it is
        self.rosters.write_cells(session, [
            {"agent_id": str(c["agent_id"]), "date": c["date"], "shift": str(c["shift"]),
             "queue": str(c["queue"] or "")} for c in cells])
        self._charge(session, request, verdict)
        new_version = self.rosters.bump(session, version)
        request.applied_version = new_version
        request.impact = impact_json(verdict.impact)
        self.lifecycle.set_status(session, self, request, action, actor, reason, new_version)
        self.lifecycle.audit.record(session, actor, "roster.time_off", {
            "time_off_id": request.id, "kind": request.kind, "before": verdict.before,
            "after": verdict.after, "days_charged": {
                str(y): n / 1000 for y, n in verdict.cost_millidays.items()}}, reason,
            new_version)
        self.lifecycle.invalidate_open(session, [request.requester_id], new_version,
                                       skip=request)
        self._invalidate_team(session, request, verdict, new_version)
        return new_version

    def _invalidate_team(self, session: Session, request: TimeOffRequest,
                         verdict: TimeOffVerdict, version: int) -> None:
        """With a per-team daily limit, the team's other open requests for the days this one
        takes may have become illegal: re-check them now, so the planner's queue is true."""
        if not self.unit.config.time_off.max_off_per_team_per_day:
            return
        taken = {str(c["date"]) for c in verdict.after if c["shift"] == "LEAVE"}
        if not taken:
            return
        others = session.scalars(select(TimeOffRequest).where(
            TimeOffRequest.status.in_(OPEN), TimeOffRequest.requester_id
            != request.requester_id))
        for other in list(others):
            if taken & set(json.loads(other.dates)):
                problem = self.still_valid(session, other)
                if problem is not None:
                    self.lifecycle.set_status(session, self, other, "invalidate", SYSTEM,
                                              problem, version)

    def _charge(self, session: Session, request: TimeOffRequest,
                verdict: TimeOffVerdict) -> None:
        """Add the request's cost to the agent's balance (the verdict checked the allowance
        inside this transaction; the guard below keeps a balance from going negative even so)."""
        settings = self.unit.config.time_off.kinds.get(request.kind)
        for year, take in verdict.cost_millidays.items():
            table = LeaveBalance.__table__
            statement = self.unit.insert(table).values(
                agent_id=request.requester_id, kind=request.kind, year=year,
                used_millidays=take)
            session.execute(statement.on_conflict_do_update(
                index_elements=["agent_id", "kind", "year"],
                set_={"used_millidays": table.c.used_millidays + take}))  # type: ignore[attr-defined]
            used = session.scalar(select(LeaveBalance.used_millidays).where(
                LeaveBalance.agent_id == request.requester_id,
                LeaveBalance.kind == request.kind, LeaveBalance.year == year)) or 0
            if (settings is not None and settings.limited and not request.flagged
                    and used > round(settings.allowance_days * 1000)):
                raise Conflict(f"the {request.kind} balance of {request.requester_id} for "
                               f"{year} would go negative")

    # ---- checks --------------------------------------------------------------------------
    def verdict(self, session: Session, *, agent_id: str, kind: str, dates: list[date],
                part: Part | None = None, cached: bool = False,
                same_day: bool = False) -> TimeOffVerdict:
        """Check a request against the stored roster, requirement, balance and team.

        With ``cached`` (a session that has written nothing) the agents, the requirement and
        the per-date head-counts come from the process's ``ReferenceCache``.
        """
        window = sorted({d + timedelta(days=k) for d in dates for k in (-1, 0, 1)})
        if cached:
            counters = generations(session)
            reference = self.cache.reference(session, counters)
            counts = self.cache.counts(session, window, counters[ROSTER_VERSION])
        else:
            reference = self._reference(session, [agent_id], window)
            counts = window_counts(session, window)
        agent = reference.agents.get(agent_id)
        if agent is None:
            raise NotFound(f"agent {agent_id!r} not found")
        rows = session.execute(
            select(RosterCell.agent_id, RosterCell.date, RosterCell.shift, RosterCell.queue)
            .where(RosterCell.agent_id == agent_id)).all()
        used = dict(session.execute(
            select(LeaveBalance.year, LeaveBalance.used_millidays)
            .where(LeaveBalance.agent_id == agent_id, LeaveBalance.kind == kind)).all())
        config = self.unit.config
        if same_day:  # recorded without approval: no balance or team limit can refuse it
            config = config.with_overrides(**{"time_off.max_off_per_team_per_day": 0})
            used = {}
        return check_time_off(
            [(a, d, s, q) for a, d, s, q in rows], agent, config, kind=kind, dates=dates, part=part,
            requirement=reference.requirement, load=reference.load, queues=reference.queues,
            window_counts=counts, used_millidays=used,
            team_off=self._team_off(session, agent, dates, reference, cached),
            offers=worked_head_deltas(session, window, self.unit.config, reference.queues))

    def _reference(self, session: Session, agent_ids: list[str],
                   window: list[date]) -> Reference:
        """The reference of one check read inside a transaction (no cache)."""
        agents = {a.agent_id: agent_record(a) for a in session.scalars(select(Agent))}
        requirement, load = {}, {}
        for start, queue, need, contacts, aht in session.execute(
                select(RequirementRow.interval_start, RequirementRow.queue,
                       RequirementRow.scheduled_agents, RequirementRow.contacts,
                       RequirementRow.aht_seconds)
                .where(RequirementRow.interval_start >= self.unit.local_midnight_utc(window[0]),
                       RequirementRow.interval_start
                       < self.unit.local_midnight_utc(window[-1] + timedelta(days=1)))):
            key = (self.unit.local_naive(start), queue)
            requirement[key], load[key] = need, (contacts, aht)
        return Reference(agents, requirement, load, stored_queues(session))

    def _team_off(self, session: Session, agent: dict[str, Any], dates: list[date],
                  reference: Reference, cached: bool) -> dict[date, int]:
        """Agents of the agent's team (``wfm.teams``: the same skill set) on LEAVE on each of
        ``dates``."""
        if not self.unit.config.time_off.max_off_per_team_per_day:
            return {}
        team = team_of(agent["skills"])
        off = session.execute(select(RosterCell.agent_id, RosterCell.date, RosterCell.shift)
                              .where(RosterCell.date.in_(dates),
                                     RosterCell.shift == "LEAVE")).all()
        counts: Counter[date] = Counter()
        for other, day, shift in off:
            record = reference.agents.get(other)
            if shift != "LEAVE" or other == agent["agent_id"] or record is None:
                continue
            if team_of(record["skills"]) == team:
                counts[day] += 1
        return dict(counts)

    def verdict_of(self, session: Session, request: TimeOffRequest) -> TimeOffVerdict:
        return self.verdict(session, agent_id=request.requester_id, kind=request.kind,
                            dates=[date.fromisoformat(d) for d in json.loads(request.dates)],
                            part=_part_of(request), same_day=request.flagged)

    # ---- routes --------------------------------------------------------------------------
    def judge(self, *, agent_id: str, kind: str, dates: list[date], part: Part | None = None,
              ) -> tuple[TimeOffVerdict, list[Violation], bool]:
        """What ``create`` would decide, without recording: the verdict on committed data,
        every refusal (the verdict's and the minimum notice) and whether it would be recorded
        on the day (a ``same_day`` kind inside the notice). The pages' pre-check calls it."""
        settings = self.unit.config.time_off
        with self.unit.read() as session:
            verdict = self.verdict(session, agent_id=agent_id, kind=kind, dates=dates,
                                   part=part, cached=True)
        assert verdict.starts_at is not None
        late = self.lifecycle.notice(verdict.starts_at, settings.min_notice_hours, agent_id)
        same_day = (bool(late) and kind != REST_DAY and settings.kinds[kind].same_day
                    and min(dates) >= self.unit.local_today())  # never rewrites the past
        if same_day:
            with self.unit.read() as session:
                verdict = self.verdict(session, agent_id=agent_id, kind=kind, dates=dates,
                                       part=part, cached=True, same_day=True)
            late = []
        return verdict, list(verdict.violations) + late, same_day

    def create(self, *, actor: Actor, kind: str, dates: list[date], part: Part | None = None,
               reason: str = "", agent_id: str | None = None) -> TimeOffRequest:
        """Check and record a request; raise ``TimeOffRejected`` when it breaks a rule.

        Returns the stored request: ``requested``, ``approved`` (auto-approval) or
        ``recorded`` (a same-day kind inside the notice, flagged for the planner).
        ``agent_id`` (planners: the agent phoned in) defaults to the actor's agent.
        """
        agent_id = agent_id or actor.agent_id or ""  # a planner records for an agent
        verdict, problems, same_day = self.judge(agent_id=agent_id, kind=kind, dates=dates,
                                                 part=part)
        if problems:
            raise TimeOffRejected(f"the time-off request breaks {len(problems)} rule(s)",
                                  problems)
        with self.unit.write() as session:
            now = self.unit.clock()
            request = TimeOffRequest(
                kind=kind, requester_id=agent_id,
                dates=json.dumps([d.isoformat() for d in dates]),
                part_start=part.start if part else None, part_end=part.end if part else None,
                reason=reason, status="requested",
                snapshot=json.dumps(verdict.before, default=str),
                impact=impact_json(verdict.impact),
                cost_millidays=sum(verdict.cost_millidays.values()), flagged=same_day,
                starts_at=to_utc(verdict.starts_at), created_at=now, updated_at=now)
            self.lifecycle.record(session, self, request, actor, {
                "kind": kind, "dates": [d.isoformat() for d in dates],
                "part": [part.start, part.end] if part else None, "flagged": same_day}, reason)
            if same_day:
                self.apply(session, request, SYSTEM, "recorded on the day without approval; "
                           "flagged for the planner", action="record")
            elif self._policy_allows(verdict):
                self.lifecycle.auto_approve(session, self, request)
        return request

    def query(self, *, status: str | None, agent_id: str | None,
              flagged: bool | None = None) -> Any:
        query = select(TimeOffRequest)
        if status:
            query = query.where(TimeOffRequest.status == status)
        if agent_id:
            query = query.where(TimeOffRequest.requester_id == agent_id)
        if flagged is not None:
            query = query.where(TimeOffRequest.flagged == flagged)
        return query

    def balances(self, *, agent_id: str, year: int) -> list[dict[str, Any]]:
        """Every configured kind's allowance, used and remaining days for one agent and year."""
        with self.unit.read() as session:
            if session.get(Agent, agent_id) is None:
                raise NotFound(f"agent {agent_id!r} not found")
            used = dict(session.execute(
                select(LeaveBalance.kind, func.sum(LeaveBalance.used_millidays))
                .where(LeaveBalance.agent_id == agent_id, LeaveBalance.year == year)
                .group_by(LeaveBalance.kind)).all())
        out = []
        for kind, settings in sorted(self.unit.config.time_off.kinds.items()):
            taken = int(used.get(kind, 0) or 0)
            allowance = round(settings.allowance_days * 1000)
            out.append({"agent_id": agent_id, "kind": kind, "year": year,
                        "limited": settings.limited,
                        "allowance_days": settings.allowance_days if settings.limited else None,
                        "used_days": taken / 1000,
                        "remaining_days": (allowance - taken) / 1000 if settings.limited
                        else None})
        return out

    def pinned(self, *, date_from: date, date_to: date,
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """What approved (and recorded) requests fix for a solve of ``date_from``..``date_to``:
        leave rows (``agent_id, date, reason``) for whole days, fixed rows (``agent_id, date,
        shift, queue``) for a moved rest day (``OFF`` on the new rest day, the moved shift on
        the old one) and for part of a shift (the shift stays)."""
        leave: list[dict[str, Any]] = []
        fixed: list[dict[str, Any]] = []
        with self.unit.read() as session:
            requests = list(session.scalars(select(TimeOffRequest).where(
                TimeOffRequest.status.in_(("approved", "recorded")))))
        for request in requests:
            cells = [{**c, "date": date.fromisoformat(c["date"])}
                     for c in json.loads(request.snapshot)]
            note = f"time-off request {request.id} ({request.kind})"
            if request.kind == REST_DAY:
                off_day, work_day = cells
                fixed.append({"agent_id": request.requester_id, "date": work_day["date"],
                              "shift": "OFF", "queue": ""})
                fixed.append({"agent_id": request.requester_id, "date": off_day["date"],
                              "shift": work_day["shift"], "queue": work_day["queue"]})
            elif request.part_start is not None:
                fixed.extend({k: c[k] for k in ("agent_id", "date", "shift", "queue")}
                             for c in cells)
            else:
                leave.extend({"agent_id": c["agent_id"], "date": c["date"], "reason": note}
                             for c in cells)
        def inside(row: dict[str, Any]) -> bool:
            return bool(date_from <= row["date"] <= date_to)

        return [r for r in leave if inside(r)], [r for r in fixed if inside(r)]


def _part_of(request: TimeOffRequest) -> Part | None:
    if request.part_start is None or request.part_end is None:
        return None
    return Part(request.part_start, request.part_end)
