"""``Store``: the small facade routes call, one method per route need, delegating to the
resource modules (users, audit, agents, rosters, requirements, events, jobs, and the request
kinds on the one request lifecycle)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, select

from api.models import (
    AdherenceException,
    AuditEntry,
    OfferAcceptance,
    OfferRow,
    PublishedForecast,
    SolveJob,
    SwapEvent,
    SwapRequest,
    TimeOffEvent,
    TimeOffRequest,
    User,
)
from api.store.actuals import Actuals
from api.store.agents import Agents
from api.store.audit import Audit
from api.store.events import Events
from api.store.exceptions import AdherenceExceptions
from api.store.forecasts import Forecasts
from api.store.intraday import IntradayReads
from api.store.jobs import ClaimLost, Jobs
from api.store.offers import Offers
from api.store.partners import Partners
from api.store.reference import ReferenceCache
from api.store.requests import Lifecycle
from api.store.requirements import Requirements
from api.store.rosters import Rosters
from api.store.swaps import Swaps
from api.store.time_off import TimeOff
from api.store.unit import Actor, Unit, utc_now
from api.store.users import Users
from wfm.config import SiteConfig
from wfm.errors import Violation
from wfm.forecast.accuracy import ACCURACY_WEEKS, AccuracyReport, accuracy_report, latest_forecast
from wfm.intraday import UpdateSpread
from wfm.requests.offers import OfferVerdict
from wfm.requests.partners import PartnerSearch
from wfm.requests.swaps import SwapVerdict
from wfm.requests.time_off import TimeOffVerdict
from wfm.requests.time_off_impact import Part

UNSEEN_AHEAD_DAYS = 42  # the published days ahead checked for holidays without history
UNSEEN_HISTORY_DAYS = 3 * 366  # the actuals read for that evidence (earlier years' holidays)


class Store:
    """The service's data, on one SQLAlchemy engine.

    Parameters
    ----------
    engine
        A migrated database (``api.db.migrate``).
    config
        The site configuration (shifts, rules, swap policy).
    clock
        Returns the current naive UTC time (tests move it).
    """

    def __init__(self, engine: Engine, config: SiteConfig,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.unit = Unit(engine, config, clock)
        self.audit = Audit(self.unit)
        self.users = Users(self.unit)
        self.rosters = Rosters(self.unit, self.audit)
        self.agents = Agents(self.unit, self.audit, self.rosters)
        self.requirements = Requirements(self.unit, self.audit, self.rosters)
        self.events = Events(self.unit, self.audit)
        self.exceptions = AdherenceExceptions(self.unit, self.audit)
        self.forecasts = Forecasts(self.unit, self.audit)
        self.actuals = Actuals(self.unit, self.audit)
        self.intraday = IntradayReads(self.unit)
        self.jobs = Jobs(self.unit, self.audit)
        self.reference = ReferenceCache(self.unit)
        self.lifecycle = Lifecycle(self.unit, self.audit, self.rosters)
        self.swaps = Swaps(self.unit, self.rosters, self.lifecycle, self.reference)
        self.time_off = TimeOff(self.unit, self.rosters, self.lifecycle, self.reference)
        self.partners = Partners(self.unit, self.reference, self.lifecycle)
        self.lifecycle.register(self.swaps)
        self.lifecycle.register(self.time_off)
        self.offers = Offers(self.unit, self.rosters, self.lifecycle, self.reference)
        self.lifecycle.register(self.offers)
        self.rosters.on_change = self.lifecycle.invalidate_open

    @property
    def engine(self) -> Engine:
        return self.unit.engine

    @property
    def config(self) -> SiteConfig:
        return self.unit.config

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.unit.clock

    # ---- users and audit -----------------------------------------------------------------
    def create_user(self, *, role: str, agent_id: str | None = None, name: str = "",
                    password: str | None = None) -> tuple[User, str]:
        return self.users.create(role=role, agent_id=agent_id, name=name, password=password)

    def create_agent_users(self, *, agents: list[tuple[str, str]]
                           ) -> tuple[list[tuple[User, str]], list[str]]:
        return self.users.create_agents(agents=agents)

    def list_users(self) -> list[User]:
        return self.users.everyone()

    def user_session_counts(self) -> dict[int, int]:
        return self.users.session_counts()

    def revoke_user(self, *, user_id: int) -> User:
        return self.users.revoke(user_id=user_id)

    def rotate_user(self, *, user_id: int) -> tuple[User, str]:
        return self.users.rotate(user_id=user_id)

    def set_password(self, *, user_id: int, password: str) -> User:
        return self.users.set_password(user_id=user_id, password=password)

    def user_names(self, *, user_ids: list[int]) -> dict[int, str]:
        return self.users.names(user_ids)

    def user_for_token(self, *, token: str) -> User | None:
        return self.users.for_token(token=token)

    def cached_user(self, *, token: str) -> User | None:
        return self.users.cached(token=token)

    def user_for_password(self, *, login: str, password: str) -> User | None:
        return self.users.for_password(login=login, password=password)

    def start_session(self, *, user: User) -> str:
        return self.users.start_session(user=user)

    def user_for_session(self, *, session_id: str) -> User | None:
        return self.users.for_session(session_id=session_id)

    def end_session(self, *, session_id: str) -> None:
        self.users.end_session(session_id=session_id)

    def read_audit(self, *, date_from: date | None, date_to: date | None, page: int,
                   page_size: int) -> tuple[list[AuditEntry], int]:
        return self.audit.read(date_from=date_from, date_to=date_to, page=page,
                               page_size=page_size)

    # ---- agents, roster, requirement -----------------------------------------------------
    def import_agents(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "",
                      force: bool = False) -> tuple[int, list[Violation]]:
        return self.agents.import_frame(frame=frame, actor=actor, reason=reason, force=force)

    def agents_frame(self, *, agent_ids: list[str] | None = None) -> pd.DataFrame:
        return self.agents.frame(agent_ids=agent_ids)

    def roster_version(self) -> int:
        return self.rosters.version()

    def roster_frame(self, *, agent_ids: list[str] | None = None, date_from: date | None = None,
                     date_to: date | None = None) -> tuple[int, pd.DataFrame]:
        return self.rosters.frame(agent_ids=agent_ids, date_from=date_from, date_to=date_to)

    def worked_roster_frame(self, *, date_from: date, date_to: date
                            ) -> tuple[pd.DataFrame, SiteConfig]:
        """The roster of local dates ``date_from``..``date_to`` as worked: each row an
        accepted overtime extension or VTO early end changed carries a template of its
        accepted hours (``Offers.worked_roster``), with the site that holds those templates.
        What coverage counts (the coverage page), as adherence and the intraday view do."""
        _, roster = self.roster_frame(date_from=date_from, date_to=date_to)
        worked, config, _ = self.offers.worked_roster(roster)
        return worked, config

    def import_roster(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "",
                      force: bool = False, action: str = "roster.import") -> int:
        """Replace the agent-dates in ``frame``; refuse rule breaks unless ``force``.

        Returns the new roster version.
        """
        cells = self.rosters.cells(frame)
        with self.unit.write() as session:
            return self.rosters.replace(session, cells, actor, reason, force=force,
                                        action=action)

    def store_solution(self, *, assignments: pd.DataFrame, actor: Actor, reason: str,
                       agents: pd.DataFrame | None = None,
                       requirement: pd.DataFrame | None = None,
                       job: tuple[str, str] | None = None) -> int:
        """Store a solve's result in one transaction: the agents and the requirement it was
        solved with (when the request sent them) and the roster, checked like an import.

        A roster that breaks rules raises ``RosterRejected`` and nothing is stored, so a failed
        solve leaves the service as it was. Returns the new roster version. With ``job``
        (job id, claim token) the job is marked done in the same transaction; when its claim
        was lost meanwhile (recovered elsewhere) ``ClaimLost`` is raised and nothing is stored.
        """
        cells = self.rosters.cells(assignments)
        with self.unit.write() as session:
            if agents is not None:
                self.agents.merge(session, agents, actor, reason)
            if requirement is not None:
                self.requirements.upsert(session, requirement, actor, reason)
            session.flush()
            version = self.rosters.replace(
                session, cells, actor, reason, force=False, action="roster.solve",
                refusal="the solved roster breaks {n} rule(s) together with the stored roster; "
                        "nothing was stored")
            if job is not None and not self.jobs.complete(session, job_id=job[0], token=job[1],
                                                          version=version):
                raise ClaimLost(f"job {job[0]} was taken over by another worker; its roster "
                                "was not stored")
            return version

    def import_requirement(self, *, frame: pd.DataFrame, actor: Actor, reason: str = "") -> int:
        return self.requirements.import_frame(frame=frame, actor=actor, reason=reason)

    def requirement_frame(self, *, date_from: date | None = None,
                          date_to: date | None = None) -> pd.DataFrame:
        return self.requirements.frame(date_from=date_from, date_to=date_to)

    # ---- swaps ---------------------------------------------------------------------------
    def create_swap(self, *, actor: Actor, kind: str, counterpart_id: str, dates: list[date],
                    reason: str = "") -> SwapRequest:
        return self.swaps.create(actor=actor, kind=kind, counterpart_id=counterpart_id,
                                 dates=dates, reason=reason)

    def check_swap(self, *, kind: str, requester_id: str, counterpart_id: str,
                   dates: list[date]) -> SwapVerdict:
        """The verdict ``create_swap`` reaches before the minimum notice, without recording:
        the same cached reference and head-counts, on committed data."""
        with self.unit.read() as session:
            return self.swaps.verdict(session, kind=kind, requester_id=requester_id,
                                      counterpart_id=counterpart_id, dates=dates, cached=True)

    def find_swap_partners(self, *, requester_id: str, kind: str,
                           dates: list[date]) -> tuple[PartnerSearch, dict[str, str]]:
        """The colleagues a swap is legal with (rules and minimum notice), with their names."""
        return self.partners.find(requester_id=requester_id, kind=kind, dates=dates)

    def swap_histories(self, *, swap_ids: list[int]) -> dict[int, list[SwapEvent]]:
        """The histories of many swaps in one query (a page listing them), oldest first."""
        found: dict[int, list[SwapEvent]] = {i: [] for i in swap_ids}
        if not swap_ids:
            return found
        with self.unit.read() as session:
            for event in session.scalars(select(SwapEvent)
                                         .where(SwapEvent.swap_id.in_(swap_ids))
                                         .order_by(SwapEvent.id)):
                found[event.swap_id].append(event)
        return found

    def get_swap(self, *, swap_id: int) -> SwapRequest:
        return self.lifecycle.get(self.swaps, swap_id)  # type: ignore[no-any-return]

    def list_swaps(self, *, status: str | None, agent_id: str | None, page: int,
                   page_size: int) -> tuple[list[SwapRequest], int]:
        query = self.swaps.query(status=status, agent_id=agent_id)
        return self.lifecycle.page(self.swaps, query, page, page_size)

    def swap_history(self, *, swap_id: int) -> list[SwapEvent]:
        return self.lifecycle.history(self.swaps, swap_id)

    def expire_due(self) -> int:
        """Mark open requests of every kind whose first shift has started as ``expired``."""
        return sum(self.lifecycle.expire_due(kind) for kind in self.lifecycle.kinds)

    def transition_swap(self, *, swap_id: int, action: str, actor: Actor,
                        reason: str = "") -> SwapRequest:
        return self.lifecycle.transition(  # type: ignore[no-any-return]
            self.swaps, swap_id, action, actor, reason)

    # ---- time off ------------------------------------------------------------------------
    def create_time_off(self, *, actor: Actor, kind: str, dates: list[date],
                        part: Part | None = None, reason: str = "",
                        agent_id: str | None = None) -> TimeOffRequest:
        return self.time_off.create(actor=actor, kind=kind, dates=dates, part=part,
                                    reason=reason, agent_id=agent_id)

    def check_time_off(self, *, agent_id: str, kind: str, dates: list[date],
                       part: Part | None = None) -> tuple[TimeOffVerdict, list[Violation], bool]:
        """``create_time_off``'s verdict without recording it: (verdict, refusals, recorded
        on the day)."""
        return self.time_off.judge(agent_id=agent_id, kind=kind, dates=dates, part=part)

    def get_time_off(self, *, request_id: int) -> TimeOffRequest:
        return self.lifecycle.get(self.time_off, request_id)  # type: ignore[no-any-return]

    def list_time_off(self, *, status: str | None, agent_id: str | None, page: int,
                      page_size: int, flagged: bool | None = None,
                      ) -> tuple[list[TimeOffRequest], int]:
        query = self.time_off.query(status=status, agent_id=agent_id, flagged=flagged)
        return self.lifecycle.page(self.time_off, query, page, page_size)

    def time_off_history(self, *, request_id: int) -> list[TimeOffEvent]:
        return self.lifecycle.history(self.time_off, request_id)

    def transition_time_off(self, *, request_id: int, action: str, actor: Actor,
                            reason: str = "") -> TimeOffRequest:
        return self.lifecycle.transition(  # type: ignore[no-any-return]
            self.time_off, request_id, action, actor, reason)

    def leave_balances(self, *, agent_id: str, year: int) -> list[dict[str, object]]:
        return self.time_off.balances(agent_id=agent_id, year=year)

    # ---- overtime and VTO offers ----------------------------------------------------------
    def publish_offer(self, *, actor: Actor, kind: str, day: date, start: str, end: str,
                      queues: list[str], agents_needed: int, reason: str = "") -> OfferRow:
        return self.offers.publish(actor=actor, kind=kind, day=day, start=start, end=end,
                                   queues=queues, agents_needed=agents_needed, reason=reason)

    def list_offers(self, *, date_from: date | None = None, date_to: date | None = None,
                    status: str | None = None) -> list[OfferRow]:
        return self.offers.rows(date_from=date_from, date_to=date_to, status=status)

    def eligible_offers(self, *, agent_id: str) -> list[tuple[OfferRow, OfferVerdict]]:
        return self.offers.eligible(agent_id=agent_id)

    def accept_offer(self, *, offer_id: int, actor: Actor, reason: str = "") -> OfferAcceptance:
        return self.offers.accept(offer_id=offer_id, actor=actor, reason=reason)

    def withdraw_offer(self, *, offer_id: int, actor: Actor, reason: str = "") -> OfferRow:
        return self.offers.withdraw(offer_id=offer_id, actor=actor, reason=reason)

    def offer_acceptances(self, *, agent_id: str | None = None,
                          offer_ids: list[int] | None = None, date_from: date | None = None,
                          date_to: date | None = None) -> list[OfferAcceptance]:
        return self.offers.acceptances(agent_id=agent_id, offer_ids=offer_ids,
                                       date_from=date_from, date_to=date_to)

    def offer_totals(self, *, date_from: date, date_to: date) -> list[dict[str, object]]:
        return self.offers.totals(date_from=date_from, date_to=date_to)

    # ---- login events --------------------------------------------------------------------
    def add_events(self, *, frame: pd.DataFrame, actor: Actor) -> tuple[int, int]:
        return self.events.add(frame=frame, actor=actor)

    def last_event_date(self) -> date | None:
        return self.events.last_date()

    def local_today(self) -> date:
        return self.unit.local_today()

    def events_frame(self, *, agent_ids: list[str] | None = None) -> pd.DataFrame:
        return self.events.frame(agent_ids=agent_ids)

    # ---- adherence exceptions (issue 24) -------------------------------------------------
    def create_exception(self, *, agent_id: str | None, team: str | None, start: datetime,
                         end: datetime, reason: str, actor: Actor) -> AdherenceException:
        return self.exceptions.create(agent_id=agent_id, team=team, start=start, end=end,
                                      reason=reason, actor=actor)

    def delete_exception(self, *, exception_id: int, actor: Actor, reason: str = "") -> None:
        self.exceptions.delete(exception_id=exception_id, actor=actor, reason=reason)

    def list_exceptions(self, *, date_from: date | None = None, date_to: date | None = None,
                        agent_id: str | None = None) -> list[AdherenceException]:
        return self.exceptions.list(date_from=date_from, date_to=date_to, agent_id=agent_id)

    def exceptions_frame(self, *, date_from: date | None = None,
                         date_to: date | None = None) -> pd.DataFrame:
        return self.exceptions.frame(date_from=date_from, date_to=date_to)

    # ---- published forecasts, actuals and accuracy --------------------------------------
    def publish_forecast(self, *, frame: pd.DataFrame, model: str, origin: date | None,
                         actor: Actor, reason: str = "",
                         spread: UpdateSpread | None = None) -> PublishedForecast:
        return self.forecasts.publish(frame=frame, model=model, origin=origin, actor=actor,
                                      reason=reason, spread=spread)

    def published_forecasts(self) -> list[PublishedForecast]:
        return self.forecasts.published()

    def import_actuals(self, *, frame: pd.DataFrame, actor: Actor) -> tuple[int, int]:
        return self.actuals.upsert(frame=frame, actor=actor)

    def forecast_accuracy(self, *, queue: str = "", last_day: date | None = None,
                          weeks: int = ACCURACY_WEEKS) -> tuple[AccuracyReport, list[str]]:
        """Forecast against actual over the ``weeks`` weeks ending ``last_day`` (default: the
        last date with actuals), for one queue or all (``""``), and the queues seen.

        Each interval is held against the published forecast the planner acted on
        (``wfm.forecast.accuracy.latest_forecast``)."""
        timezone = self.config.timezone
        last_day = last_day or self.actuals.last_date()
        if last_day is None:
            empty = pd.DataFrame(columns=["interval_start", "queue", "contacts", "offered"])
            return accuracy_report(empty, empty, timezone=timezone, weeks=weeks), []
        first_day = last_day - timedelta(days=7 * weeks - 1)
        forecast = latest_forecast(self.forecasts.rows(date_from=first_day, date_to=last_day),
                                   timezone)
        actuals = self.actuals.frame(date_from=first_day, date_to=last_day)
        queues = sorted(set(forecast["queue"].astype(str)) & set(actuals["queue"].astype(str)))
        if queue:
            forecast = forecast[forecast["queue"] == queue]
            actuals = actuals[actuals["queue"] == queue]
        return accuracy_report(forecast, actuals, timezone=timezone, weeks=weeks,
                               last_day=last_day), queues

    def unseen_holidays(self, *, after: date, queue: str = "",
                        days: int = UNSEEN_AHEAD_DAYS) -> list[dict]:
        """The holidays among the published forecasts' days after ``after`` (up to ``days``)
        that history (the stored actuals) holds no evidence for: forecast as ordinary days
        (``wfm.forecast.explain.unseen_holidays``), for one queue or all (``""``)."""
        from wfm.forecast.explain import unseen_holidays

        ahead = self.forecasts.rows(date_from=after + timedelta(days=1),
                                    date_to=after + timedelta(days=days))
        if queue:
            ahead = ahead[ahead["queue"] == queue]
        if ahead.empty:
            return []
        dates = sorted(set(ahead["interval_start"].dt.tz_localize(None).dt.date))
        actuals = self.actuals.frame(date_from=after - timedelta(days=UNSEEN_HISTORY_DAYS),
                                     date_to=after)
        if queue:
            actuals = actuals[actuals["queue"] == queue]
        queues = set(ahead["queue"].astype(str))
        return [d for d in unseen_holidays(actuals, self.config, dates) if d["queue"] in queues]

    # ---- solve jobs ----------------------------------------------------------------------
    def create_job(self, *, actor: Actor, payload: str | None = None) -> SolveJob:
        return self.jobs.create(actor=actor, payload=payload)

    def finish_job(self, *, job_id: str, status: str, version: int | None = None,
                   error: str | None = None) -> None:
        self.jobs.finish(job_id=job_id, status=status, version=version, error=error)

    def get_job(self, *, job_id: str) -> SolveJob:
        return self.jobs.get(job_id=job_id)
