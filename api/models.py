"""Database tables of the service (SQLAlchemy 2 typed ORM).

Times are stored as naive UTC; roster dates as plain dates. The schema itself is created and
upgraded by the Alembic migrations in ``api/migrations`` (run at start-up), never by
``create_all``, so a database made by an older version is upgraded in place.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    """A bearer-token identity: a planner, or an agent acting for ``agent_id``.

    ``name`` is what the audit shows (a planner's ``--name``, an agent's name in the agents
    table); ``password_hash`` (argon2) allows sign-in on the pages beside the token;
    ``revoked_at`` ends the token and every session of the user.
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser: the SHA-256 of its random session id (the cookie), its user and
    when it ends. Signing out or revoking the user deletes the row."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Agent(Base):
    """One row of the agents table (DESIGN.md); lists are ``;``-joined."""

    __tablename__ = "agents"
    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    skills: Mapped[str] = mapped_column(Text, default="")
    preferred_rest_days: Mapped[str] = mapped_column(String(64), default="")
    max_nights_per_week: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class RosterCell(Base):
    """One agent-day of the current roster."""

    __tablename__ = "roster_cells"
    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    shift: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(64), default="")


class RosterMeta(Base):
    """A single row holding the roster version, bumped by every change (compare-and-set)."""

    __tablename__ = "roster_meta"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class RequirementRow(Base):
    """One interval and queue of the requirement that swap impact is measured against."""

    __tablename__ = "requirement_rows"
    interval_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    queue: Mapped[str] = mapped_column(String(64), primary_key=True)
    contacts: Mapped[float] = mapped_column(Float)
    aht_seconds: Mapped[float | None] = mapped_column(Float)
    traffic_erlangs: Mapped[float] = mapped_column(Float)
    agents: Mapped[int] = mapped_column(Integer)
    service_level: Mapped[float | None] = mapped_column(Float)
    asa_seconds: Mapped[float | None] = mapped_column(Float)
    occupancy: Mapped[float | None] = mapped_column(Float)
    scheduled_agents: Mapped[int] = mapped_column(Integer)


class SwapRequest(Base):
    """A swap request; ``snapshot`` holds the cells it was checked against (JSON)."""

    __tablename__ = "swap_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    requester_id: Mapped[str] = mapped_column(String(64), index=True)
    counterpart_id: Mapped[str] = mapped_column(String(64), index=True)
    dates: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    snapshot: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="[]")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    applied_version: Mapped[int | None] = mapped_column(Integer)


class SwapEvent(Base):
    """One status change of a swap request (its history)."""

    __tablename__ = "swap_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    swap_id: Mapped[int] = mapped_column(ForeignKey("swap_requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class LoginEvent(Base):
    """One ACD state event; idempotent by (agent_id, timestamp, state)."""

    __tablename__ = "login_events"
    __table_args__ = (UniqueConstraint("agent_id", "timestamp", "state",
                                       name="uq_login_events_agent_time_state"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    timestamp: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))


class AuditEntry(Base):
    """Who changed what, when and why; ``actor_name`` is the user's name when it acted."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    actor_agent_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")
    reason: Mapped[str] = mapped_column(Text, default="")
    roster_version: Mapped[int | None] = mapped_column(Integer)


class SolveJob(Base):
    """A roster solve in the durable queue (``api.store.jobs``): ``queued`` in ``position``
    order, ``running`` while a worker (``claimed_by``) heartbeats, then ``done`` or ``failed``.
    ``payload`` is the request and the site configuration it was submitted under (JSON)."""

    __tablename__ = "solve_jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TimeOffRequest(Base):
    """A time-off request: leave of a kind on some dates (or part of one shift), or a rest-day
    change; ``snapshot`` holds the cells it was checked against (JSON)."""

    __tablename__ = "time_off_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    requester_id: Mapped[str] = mapped_column(String(64), index=True)
    dates: Mapped[str] = mapped_column(Text)
    part_start: Mapped[str | None] = mapped_column(String(5))
    part_end: Mapped[str | None] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    snapshot: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text, default="[]")
    cost_millidays: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    applied_version: Mapped[int | None] = mapped_column(Integer)


class TimeOffEvent(Base):
    """One status change of a time-off request (its history)."""

    __tablename__ = "time_off_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("time_off_requests.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class LeaveBalance(Base):
    """Leave an agent has used of one kind in one calendar year (thousandths of a day, so
    part-of-shift leave adds up exactly); changed only by approved requests."""

    __tablename__ = "leave_balances"
    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    used_millidays: Mapped[int] = mapped_column(Integer, default=0)


class PublishedForecast(Base):
    """A forecast published to the service, kept with its model and origin (issue 23)."""

    __tablename__ = "forecasts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    origin: Mapped[date] = mapped_column(Date)  # the first local date it forecasts
    published_at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    rows: Mapped[int] = mapped_column(Integer)
    # the intraday update's spread measured by the forecast's backtest (migration 0008);
    # null: not sent, the update's default (``wfm.intraday.UpdateSpread``)
    day_sigma: Mapped[float | None] = mapped_column(Float, nullable=True)
    dispersion: Mapped[float | None] = mapped_column(Float, nullable=True)
    block_dispersion: Mapped[float | None] = mapped_column(Float, nullable=True)


class ForecastRow(Base):
    """One interval and queue of a published forecast."""

    __tablename__ = "forecast_rows"
    forecast_id: Mapped[int] = mapped_column(ForeignKey("forecasts.id"), primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True, index=True)
    queue: Mapped[str] = mapped_column(String(64), primary_key=True)
    contacts: Mapped[float] = mapped_column(Float)
    aht_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class ActualRow(Base):
    """One interval and queue of the actuals table (``wfm kpi --actuals``); a re-sent
    interval replaces it."""

    __tablename__ = "actuals"
    interval_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    queue: Mapped[str] = mapped_column(String(64), primary_key=True)
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    answered_within_target: Mapped[int] = mapped_column(Integer)
    handle_seconds: Mapped[float] = mapped_column(Float)
    acw_seconds: Mapped[float] = mapped_column(Float)
    wait_seconds: Mapped[float] = mapped_column(Float)
    staffed_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class OfferRow(Base):
    """An overtime or VTO offer (``wfm.requests.offers``): one window of one day, its queues
    (JSON list) and how many agents it needs; ``filled`` counts applied acceptances and only
    grows by a conditional update (``filled < agents_needed``), so it never over-fills."""

    __tablename__ = "offers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column("date", Date, index=True)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    queues: Mapped[str] = mapped_column(Text)
    agents_needed: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class OfferAcceptance(Base):
    """An agent's acceptance of an offer: the request kind ``offer`` of the lifecycle. It holds
    the change (``change``, the working ``start``-``end`` after it, ``minutes`` of overtime or
    VTO, the queue it ``serves``) and ``snapshot``, the roster cell it was checked against."""

    __tablename__ = "offer_acceptances"
    __table_args__ = (UniqueConstraint("offer_id", "requester_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    requester_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    change: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column("date", Date, index=True)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    minutes: Mapped[int] = mapped_column(Integer)
    serves: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    snapshot: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    applied_version: Mapped[int | None] = mapped_column(Integer)


class OfferEvent(Base):
    """One status change of an offer acceptance (its history)."""

    __tablename__ = "offer_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("offer_acceptances.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class AdherenceException(Base):
    """A period a supervisor excused for one agent or a team (issue 24): out-of-adherence
    minutes inside it count as adherent, with the cause ``excused``. Exactly one of
    ``agent_id`` and ``team`` (a team is its skills, ``;``-separated); times in naive UTC."""

    __tablename__ = "adherence_exceptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    team: Mapped[str | None] = mapped_column(String(400), nullable=True)
    start: Mapped[datetime] = mapped_column(DateTime, index=True)
    end: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    excused_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
