"""Request and response models of the HTTP API (one schema family per resource)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models import AdherenceException, AuditEntry, SolveJob, SwapRequest, TimeOffRequest
from api.validation import NO_NUL, IsoDate

SwapKind = Literal["swap", "give", "rest-day"]
SwapStatus = Literal["requested", "accepted", "rejected", "cancelled", "expired", "applied",
                     "denied", "invalidated"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Message(BaseModel):
    detail: str


class FieldError(BaseModel):
    """One invalid request value: where (``["body", "dates", 0]``, ``["query", "to"]``),
    what is wrong, and pydantic's error type."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationFailed(BaseModel):
    """422 answer when a request value does not fit its declared type or limits (or the body
    is not JSON): every field at fault, without the input."""

    detail: list[FieldError]


class ViolationPublic(BaseModel):
    code: str
    agent_id: str
    date: str
    message: str


class RulesBroken(BaseModel):
    """422 answer when a swap or a roster breaks rules."""

    detail: str
    violations: list[ViolationPublic]


# The 422 answers, as ``responses=`` entries: a request value that does not fit its declaration
# (``ValidationFailed``), what is wrong with the data sent (a CSV row, a kind: ``Message``), and
# on routes that check rules, the rules a change would break (``RulesBroken``).
INVALID: dict[int | str, dict[str, Any]] = {422: {
    "model": ValidationFailed | Message,
    "description": "Invalid input: `detail` lists the request values at fault (`loc`, `msg`), "
                   "or says what is wrong with the data sent."}}
REFUSED: dict[int | str, dict[str, Any]] = {422: {
    "model": RulesBroken | ValidationFailed | Message,
    "description": "Invalid input, as above, or the change breaks rules: `violations` lists "
                   "them."}}


class Health(BaseModel):
    status: str
    roster_version: int


# ---- rosters ---------------------------------------------------------------------------
class RosterVersion(BaseModel):
    """Answer of a roster import: the new version and the rows the upload carried."""

    version: int
    rows: int


class RosterRow(BaseModel):
    agent_id: str
    date: date
    shift: str
    queue: str


class RosterPublic(BaseModel):
    version: int
    rows: list[RosterRow]


class ImportCount(BaseModel):
    rows: int


class AgentsImported(BaseModel):
    """Answer of an agents import: the rows, and the rule breaks a forced import left in the
    current roster (always empty without ``force``: those are refused)."""

    rows: int
    violations: list[ViolationPublic]


class EventsImported(BaseModel):
    received: int
    inserted: int
    duplicates: int


class SolveRequest(_Model):
    """A solve: CSV texts of the inputs; stored ones are used where a CSV is omitted."""

    requirement_csv: str | None = Field(None, max_length=20_000_000, pattern=NO_NUL)
    agents_csv: str | None = Field(None, max_length=20_000_000, pattern=NO_NUL)
    leave_csv: str | None = Field(None, max_length=20_000_000, pattern=NO_NUL)
    fixed_csv: str | None = Field(None, max_length=20_000_000, pattern=NO_NUL)
    previous_csv: str | None = Field(None, max_length=20_000_000, pattern=NO_NUL)
    time_limit_seconds: float | None = Field(None, gt=0, le=3600, allow_inf_nan=False)
    reason: str = Field("", max_length=2000, pattern=NO_NUL)


class JobCreated(BaseModel):
    job_id: str


class JobStatus(BaseModel):
    """A solve job: ``queued`` (``position`` 1 runs next), ``running``, ``done``, ``failed``
    or ``cancelled``; ``attempts`` counts its starts (a restart may cut one off)."""

    job_id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    version: int | None = None
    error: str | None = None
    position: int | None = None
    attempts: int = 0

    @classmethod
    def of(cls, job: SolveJob, position: int | None = None) -> JobStatus:
        return cls(job_id=job.id, status=job.status, version=job.version,  # type: ignore[arg-type]
                   error=job.error, position=position, attempts=job.attempts or 0)


# ---- swaps -----------------------------------------------------------------------------
class SwapRequestBase(_Model):
    kind: SwapKind
    counterpart_id: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    dates: list[IsoDate] = Field(min_length=1, max_length=2)
    reason: str = Field("", max_length=2000, pattern=NO_NUL)


class SwapRequestCreate(SwapRequestBase):
    pass


class SwapRequestUpdate(_Model):
    """Why a transition is made (optional, kept in the history and the audit)."""

    reason: str | None = Field(None, max_length=2000, pattern=NO_NUL)


class ImpactRow(BaseModel):
    interval_start: datetime
    queue: str
    required: int
    scheduled_before: int
    scheduled_after: int


class SwapRequestPublic(BaseModel):
    id: int
    kind: SwapKind
    requester_id: str
    counterpart_id: str
    dates: list[date]
    reason: str
    status: SwapStatus
    impact: list[ImpactRow]
    starts_at: datetime
    created_at: datetime
    updated_at: datetime
    applied_version: int | None = None

    @classmethod
    def of(cls, swap: SwapRequest) -> SwapRequestPublic:
        return cls(id=swap.id, kind=swap.kind, requester_id=swap.requester_id,  # type: ignore[arg-type]
                   counterpart_id=swap.counterpart_id, dates=json.loads(swap.dates),
                   reason=swap.reason, status=swap.status,  # type: ignore[arg-type]
                   impact=json.loads(swap.impact), starts_at=_utc(swap.starts_at),
                   created_at=_utc(swap.created_at), updated_at=_utc(swap.updated_at),
                   applied_version=swap.applied_version)


class SwapRequestsPublic(BaseModel):
    items: list[SwapRequestPublic]
    total: int


# ---- time off --------------------------------------------------------------------------
TimeOffStatus = Literal["requested", "approved", "recorded", "rejected", "cancelled", "expired",
                        "invalidated"]
_Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["14:00"])]


class ShiftPart(_Model):
    """Part of the shift on the one requested date, as clock times on the interval grid."""

    start: _Clock
    end: _Clock


class TimeOffRequestCreate(_Model):
    """Leave of a configured kind on whole days (or part of one shift), or a rest-day change
    (``kind = "rest_day"``, ``dates = [off_date, new_off_date]`` in one Monday-Sunday week)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "annual", "dates": ["2030-01-08", "2030-01-09"], "reason": "family visit"},
        {"kind": "personal", "dates": ["2030-01-10"], "part": {"start": "14:00",
                                                                "end": "16:00"},
         "reason": "the last 2 hours: school meeting"},
        {"kind": "rest_day", "dates": ["2030-01-12", "2030-01-09"], "reason": "swap my Saturday"},
        {"kind": "sick", "dates": ["2030-01-07"], "reason": "fever"},
        {"kind": "sick", "dates": ["2030-01-07"], "agent_id": "A17",
         "reason": "phoned in at 07:40 (a planner records it)"},
    ]})

    kind: str = Field(min_length=1, max_length=32, pattern=NO_NUL)
    dates: list[IsoDate] = Field(min_length=1, max_length=31)
    part: ShiftPart | None = None
    agent_id: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL,
                                 description="planners only: the agent it is for (e.g. a "
                                             "sick call taken by phone); agents omit it")
    reason: str = Field("", max_length=2000, pattern=NO_NUL)


class TimeOffImpactRow(BaseModel):
    interval_start: datetime
    queue: str
    required: int
    scheduled_before: int
    scheduled_after: int
    shortfall_after: int
    service_level_before: float
    service_level_after: float
    service_level_target: float


class TimeOffRequestPublic(BaseModel):
    """A time-off request; ``flagged``: recorded on the day without approval."""

    id: int
    kind: str
    requester_id: str
    dates: list[date]
    part: ShiftPart | None = None
    reason: str
    status: TimeOffStatus
    flagged: bool
    days: float
    impact: list[TimeOffImpactRow]
    starts_at: datetime
    created_at: datetime
    updated_at: datetime
    applied_version: int | None = None

    @classmethod
    def of(cls, request: TimeOffRequest) -> TimeOffRequestPublic:
        part = (ShiftPart(start=request.part_start, end=request.part_end)
                if request.part_start and request.part_end else None)
        return cls(id=request.id, kind=request.kind, requester_id=request.requester_id,
                   dates=json.loads(request.dates), part=part, reason=request.reason,
                   status=request.status,  # type: ignore[arg-type]
                   flagged=request.flagged, days=request.cost_millidays / 1000,
                   impact=json.loads(request.impact), starts_at=_utc(request.starts_at),
                   created_at=_utc(request.created_at), updated_at=_utc(request.updated_at),
                   applied_version=request.applied_version)


class TimeOffRequestsPublic(BaseModel):
    items: list[TimeOffRequestPublic]
    total: int


class LeaveBalancePublic(BaseModel):
    """One kind's yearly balance; ``limited = false`` kinds are counted but not capped."""

    agent_id: str
    kind: str
    year: int
    limited: bool
    allowance_days: float | None
    used_days: float
    remaining_days: float | None


class LeaveBalancesPublic(BaseModel):
    items: list[LeaveBalancePublic]


# ---- agents, adherence, audit ----------------------------------------------------------
class AdherenceRow(BaseModel):
    agent_id: str
    date: date
    shift: str
    scheduled_minutes: float
    logged_in_minutes: float
    in_adherence_minutes: float
    adherence_pct: float | None
    conformance_pct: float | None
    late_start_minutes: float
    early_leave_minutes: float
    overtime_minutes: float
    absent: bool
    episodes: int
    # why minutes were lost (issue 24); they sum to scheduled - in adherence + excused
    lost_late_start_minutes: float = 0.0
    lost_early_leave_minutes: float = 0.0
    lost_absent_minutes: float = 0.0
    lost_break_overrun_minutes: float = 0.0
    lost_not_ready_minutes: float = 0.0
    lost_other_minutes: float = 0.0
    lost_worked_break_minutes: float = 0.0
    lost_excused_minutes: float = 0.0


class AdherenceAgent(BaseModel):
    """One agent over the period, by gap to the target (``wfm.adherence.reason_items``)."""

    agent_id: str
    name: str | None
    adherence_pct: float | None
    gap_pct: float | None
    below_target: bool
    days_scheduled: int
    scheduled_minutes: float
    lost_minutes: float
    main_cause: str
    lost_by_cause: dict[str, float]


class AdherenceExceptionCreate(_Model):
    """A period to excuse: for one agent or a team (its skills, ';'-separated), not both.
    Times without an offset are site time."""

    agent_id: str | None = Field(None, max_length=64, pattern=NO_NUL)
    team: str | None = Field(None, max_length=400, pattern=NO_NUL)
    start: datetime
    end: datetime
    reason: str = Field(..., min_length=1, max_length=2000, pattern=NO_NUL)


class AdherenceExceptionPublic(BaseModel):
    id: int
    agent_id: str | None
    team: str | None
    start: datetime
    end: datetime
    reason: str
    excused_by: str
    user_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: AdherenceException) -> AdherenceExceptionPublic:
        return cls(id=row.id, agent_id=row.agent_id, team=row.team, start=_utc(row.start),
                   end=_utc(row.end), reason=row.reason, excused_by=row.excused_by,
                   user_id=row.user_id, created_at=_utc(row.created_at))


class AdherenceExceptionsPublic(BaseModel):
    items: list[AdherenceExceptionPublic]


class AdherencePublic(BaseModel):
    rows: list[AdherenceRow]
    # issue 24: every agent by gap to the target with the causes, what the login data covers
    # (span, agents without data, shifts partly covered) and the exceptions applied
    agents: list[AdherenceAgent] = []
    coverage: dict[str, Any] = {}
    exceptions: list[AdherenceExceptionPublic] = []


class AuditPublic(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    role: str
    actor_agent_id: str | None
    action: str
    details: dict[str, object]
    reason: str
    roster_version: int | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditPublic:
        return cls(id=entry.id, at=_utc(entry.at), user_id=entry.user_id, role=entry.role,
                   actor_agent_id=entry.actor_agent_id, action=entry.action,
                   details=json.loads(entry.details), reason=entry.reason,
                   roster_version=entry.roster_version)


class AuditsPublic(BaseModel):
    items: list[AuditPublic]
    total: int


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return value.replace(tzinfo=UTC)


# ---- issue 28 (accounts and swap partners): the shifts a swap exchanges, partners an agent
# can swap with, names in the audit ----------------------------------------------------------
class ShiftCell(BaseModel):
    """One agent-day: its shift (``OFF``/``LEAVE`` included; null without a roster row)."""

    date: date
    shift: str | None
    queue: str


def _exchange_cells(snapshot: str, agent_id: str) -> list[ShiftCell]:
    return [ShiftCell(date=c["date"], shift=c["shift"], queue=c.get("queue") or "")
            for c in json.loads(snapshot) if c.get("agent_id") == agent_id]


class SwapShifts(BaseModel):
    """What each side gives up, as the swap was checked: the requester's days go to the
    counterpart and the counterpart's to the requester (so each gets what the other gives)."""

    requester_gives: list[ShiftCell]
    counterpart_gives: list[ShiftCell]


class SwapRequestWithShifts(SwapRequestPublic):
    """A swap request with the shifts it exchanges (what the receiver gives up and gets)."""

    shifts: SwapShifts | None = None

    @classmethod
    def of(cls, swap: SwapRequest) -> SwapRequestWithShifts:
        base = SwapRequestPublic.of(swap)
        return cls(**dict(base), shifts=SwapShifts(
            requester_gives=_exchange_cells(swap.snapshot, swap.requester_id),
            counterpart_gives=_exchange_cells(swap.snapshot, swap.counterpart_id)))


class SwapRequestsWithShifts(BaseModel):
    items: list[SwapRequestWithShifts]
    total: int


class SwapPartner(BaseModel):
    """A colleague with whom the swap passes every rule, and what each side works."""

    agent_id: str
    name: str
    you_give: list[ShiftCell]
    you_get: list[ShiftCell]


class SwapPartners(BaseModel):
    """The colleagues a swap of ``kind`` on ``dates`` is legal with, each checked by the rule
    checker before it is listed; ``blocked`` says why none can be (the requester's own day,
    the minimum notice), ``checked`` how many colleagues were judged in full."""

    kind: SwapKind
    dates: list[date]
    items: list[SwapPartner]
    checked: int
    blocked: list[ViolationPublic]


class AuditNamedPublic(AuditPublic):
    """An audit entry with the actor's name (a planner's, or the agent's from the agents
    table; empty for the system or a user made without one)."""

    actor_name: str = ""


class AuditsNamedPublic(BaseModel):
    items: list[AuditNamedPublic]
    total: int


# ---- published forecasts, actuals and accuracy (issue 23) ---------------------------------
class ActualsImported(BaseModel):
    """Answer of an actuals upload: rows received, new intervals, and re-sent intervals that
    replaced the stored ones."""

    received: int
    inserted: int
    replaced: int


# ---- the intraday view (issue 25) -----------------------------------------------------------
class IntradayInterval(BaseModel):
    """One interval and queue of the day (``wfm intraday``'s CSV columns, plus
    ``working_agents``). ``net_agents`` (effective − required; + long, − short) is the net
    staffing offers are published against."""

    interval_start: datetime
    queue: str
    status: Literal["actual", "coming"]
    forecast_contacts: float
    reforecast_contacts: float
    actual_offered: int | None
    aht_planned_seconds: float | None
    aht_actual_seconds: float | None
    required_agents: int
    scheduled_agents: int
    effective_agents: int
    working_agents: int | None = Field(
        description="agents of the queue whose last state today is a working one, on the row "
                    "of the current interval only; null elsewhere and without login events")
    net_agents: int
    projected_service_level: float


class IntradayTotal(BaseModel):
    """The day of one queue, or ``all``: contacts, AHT, agent-hours and service level."""

    queue: str
    forecast_contacts: float
    reforecast_contacts: float
    actual_offered: float
    aht_planned_seconds: float | None
    aht_actual_seconds: float | None
    required_agent_hours: float
    scheduled_agent_hours: float
    short_agent_hours: float
    long_agent_hours: float
    projected_service_level: float | None


class IntradayUpdatePublic(BaseModel):
    """One queue's intraday update: its stated spread (prior ``day_sigma``, ``dispersion``,
    ``block_dispersion``) and, once actuals arrived, contacts arrived against expected by
    ``through`` (HH:MM) and the ``factor`` applied to the rest of the day."""

    queue: str
    day_sigma: float
    dispersion: float
    block_dispersion: float
    spread_source: Literal["backtest", "default"] = Field(
        description="backtest: the spread kept with the published forecast; default: the "
        "forecast was published without one (0.15, Poisson)")
    arrived: float | None
    expected: float | None
    factor: float
    through: str | None


class StaffingPeriodPublic(BaseModel):
    """A run of coming intervals of one queue that are short (net < 0) or long (net > 0)."""

    queue: str
    kind: Literal["short", "long"]
    start: datetime
    end: datetime
    peak_agents: int
    agent_hours: float
    text: str


_INTRADAY_EXAMPLE: dict[str, Any] = {
    "date": "2026-11-24", "queue": "", "queues": ["presales"],
    "as_of": "2026-11-24T14:05:00+08:00", "actuals_through": "2026-11-24T14:00:00+08:00",
    "forecast_ids": [3], "models": ["median_4w"], "actuals_without_forecast": [],
    "live": True,
    "updates": [{"queue": "presales", "day_sigma": 0.15, "dispersion": 0.0,
                 "block_dispersion": 0.0, "spread_source": "default",
                 "arrived": 1630.0, "expected": 1500.0,
                 "factor": 1.0735, "through": "14:00"}],
    "intervals": [{"interval_start": "2026-11-24T14:00:00+08:00", "queue": "presales",
                   "status": "coming", "forecast_contacts": 120.0,
                   "reforecast_contacts": 128.82, "actual_offered": None,
                   "aht_planned_seconds": 300.0, "aht_actual_seconds": None,
                   "required_agents": 26, "scheduled_agents": 30, "effective_agents": 21,
                   "working_agents": 22, "net_agents": -5,
                   "projected_service_level": 0.2113}],
    "totals": [{"queue": "all", "forecast_contacts": 3000.0, "reforecast_contacts": 3210.4,
                "actual_offered": 1630.0, "aht_planned_seconds": 300.0,
                "aht_actual_seconds": 312.5, "required_agent_hours": 180.5,
                "scheduled_agent_hours": 210.0, "short_agent_hours": 6.5,
                "long_agent_hours": 24.0, "projected_service_level": 0.8123}],
    "periods": [{"queue": "presales", "kind": "short", "start": "2026-11-24T14:00:00+08:00",
                 "end": "2026-11-24T15:30:00+08:00", "peak_agents": 5, "agent_hours": 6.5,
                 "text": "presales short 14:00-15:30: up to 5 agent(s), 6.5 agent-hour(s)"}]}


class IntradayPublic(BaseModel):
    """``GET /api/v1/intraday``: the day per interval and queue, the day's totals, each
    queue's intraday update and the coming short and long periods.

    ``as_of`` is the time of the view (today: now; another day: null, every stored actual
    counts); ``actuals_through`` the end of the last interval with actuals. ``periods`` (and
    each interval's ``net_agents``) are where overtime / VTO offers attach.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_INTRADAY_EXAMPLE]})
    date: date
    queue: str
    queues: list[str]
    as_of: datetime | None
    actuals_through: datetime | None
    forecast_ids: list[int]
    models: list[str]
    actuals_without_forecast: list[str]
    live: bool
    updates: list[IntradayUpdatePublic]
    intervals: list[IntradayInterval]
    totals: list[IntradayTotal]
    periods: list[StaffingPeriodPublic]


class ForecastPublic(BaseModel):
    """A published forecast: its model, origin (first local date forecast) and size."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    model: str
    origin: date
    published_at: datetime
    rows: int
    reason: str
    day_sigma: float | None = Field(
        default=None, description="the intraday update's day-level spread kept with it (null: "
        "the default 0.15)")
    dispersion: float | None = None
    block_dispersion: float | None = None


class ForecastsPublic(BaseModel):
    items: list[ForecastPublic]
    total: int


class AccuracyPeriod(BaseModel):
    """Forecast against actual over one day or week (ratios of sums; null where no actual)."""

    forecast: float
    actual: float
    wape: float | None
    bias: float | None


class AccuracyDay(AccuracyPeriod):
    date: date
    intervals: int
    models: str


class AccuracyWeek(AccuracyPeriod):
    week: date
    days: int
    noise: float | None
    beyond_noise: bool


class AccuracyWindowPublic(AccuracyPeriod):
    first_day: date | None
    last_day: date | None
    days: int
    noise: float | None
    drift: bool


class AccuracyPublic(BaseModel):
    """``GET /api/v1/forecasts/accuracy``: the window (WAPE, bias, its noise, the drift flag),
    its weeks and days, and the queues that have both forecast and actuals."""

    queue: str
    queues: list[str]
    window: AccuracyWindowPublic
    weeks: list[AccuracyWeek]
    days: list[AccuracyDay]


# ---- overtime and VTO offers (wfm.requests.offers) -------------------------------------
OfferKind = Literal["overtime", "vto"]
OfferStatus = Literal["open", "filled", "withdrawn", "expired"]
_OfferClock = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$",
                                   examples=["16:00"])]


class OfferCreate(_Model):
    """An offer for one window of one day (on the interval grid, not crossing midnight), for
    one or more queues and a number of agents."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "overtime", "date": "2030-01-08", "start": "16:00", "end": "18:00",
         "queues": ["sales"], "agents_needed": 3, "reason": "the evening runs short"},
        {"kind": "vto", "date": "2030-01-08", "start": "14:00", "end": "16:00",
         "queues": ["sales"], "agents_needed": 2, "reason": "the afternoon runs long"},
    ]})

    kind: OfferKind
    date: IsoDate
    start: _Clock
    end: _OfferClock
    queues: list[Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]] = Field(
        min_length=1, max_length=20)
    agents_needed: int = Field(ge=1, le=10_000)
    reason: str = Field("", max_length=2000, pattern=NO_NUL)


class OfferChangePublic(BaseModel):
    """What taking the offer does to the agent's day (an agent's listing)."""

    change: Literal["extend_after", "extend_before", "add_shift", "end_early", "day_off"]
    shift: str
    queue: str
    start: str
    end: str
    hours: float


class OfferPublic(BaseModel):
    id: int
    kind: OfferKind
    date: date
    start: str
    end: str
    queues: list[str]
    agents_needed: int
    filled: int
    status: OfferStatus
    auto: bool
    reason: str
    starts_at: datetime
    created_at: datetime
    change: OfferChangePublic | None = Field(
        None, description="for an agent: what taking it changes on its day")


class OffersPublic(BaseModel):
    items: list[OfferPublic]
    total: int


class OfferAcceptancePublic(BaseModel):
    """An applied acceptance: the request kind ``offer`` of the lifecycle."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": 1, "offer_id": 4, "agent_id": "A1", "kind": "overtime",
         "change": "extend_after", "date": "2030-01-08", "start": "08:30", "end": "18:00",
         "hours": 2.0, "serves": "sales", "status": "applied",
         "created_at": "2030-01-07T09:00:00Z", "applied_version": 7}]})

    id: int
    offer_id: int
    agent_id: str
    kind: OfferKind
    change: str
    date: date
    start: str
    end: str
    hours: float
    serves: str
    status: str
    created_at: datetime
    applied_version: int | None = None


class OfferTotal(BaseModel):
    agent_id: str
    overtime_hours: float
    vto_hours: float
    offers: int


class OfferTotalsPublic(BaseModel):
    date_from: date
    date_to: date
    items: list[OfferTotal]
