"""The site configuration: one validated settings object, loadable from TOML.

Every key is optional and defaults to a typical Chinese e-commerce customer-service center
(DESIGN.md, "Site configuration"); unknown keys are an error so that a typo never passes silently.
"""

from __future__ import annotations

import re
import tomllib
from datetime import time
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wfm.errors import InvalidInput
from wfm.states import check_site_states

MINUTES_PER_DAY = 24 * 60
MAX_ROSTER_WEIGHT = 1e6  # weights x penalties must stay far inside int64
RESERVED_SHIFT_CODES = frozenset({"OFF", "LEAVE"})
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(text: str, *, name: str = "time") -> int:
    """Minutes after midnight of an ``HH:MM`` or ``H:MM`` clock time (00:00-23:59)."""
    match = _CLOCK.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{name} must be a clock time HH:MM or H:MM (00:00-23:59), "
                         f"got {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_end_clock(text: str, *, name: str = "time") -> int:
    """``parse_clock`` for the end of a span, where ``24:00`` is midnight at its end (1440)."""
    if isinstance(text, str) and text.strip() == "24:00":
        return MINUTES_PER_DAY
    return parse_clock(text, name=name)


def _padded_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _holiday_countries() -> set[str]:
    """Country codes (and aliases) the holidays package has a calendar for.

    Read from its registry, which names them without importing every country's module
    (``holidays.list_supported_countries`` imports all ~250 of them, 0.1 s on each command).
    """
    import holidays

    registry = getattr(holidays, "registry", None)
    loader = getattr(registry, "EntityLoader", None)
    if loader is not None and hasattr(loader, "get_country_codes"):
        return set(loader.get_country_codes())
    return set(holidays.list_supported_countries())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ServiceTargets(_Strict):
    """Service targets and staffing factors for one queue (or the site default)."""

    level: float = Field(default=0.80, gt=0, lt=1,
                         description="fraction answered within the target")
    answer_within_seconds: float = Field(default=20, ge=0)
    asa_target_seconds: float = Field(default=0, ge=0, description="0: no ASA target")
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    shrinkage: float = Field(default=0.30, ge=0, lt=1)
    patience_seconds: float = Field(default=0, ge=0, description="> 0 switches to Erlang A")
    max_abandon: float = Field(default=0, ge=0, lt=1, description="0: no abandonment cap")
    # chat queues (channel = "chat"): agents hold several conversations at once
    channel: str = Field(default="phone", pattern="^(phone|chat)$")
    max_concurrency: int = Field(default=3, ge=1, le=20, description="chats an agent holds")
    first_response_seconds: float = Field(default=15, ge=0,
                                          description="chat service-level time")
    concurrency_inflation: float = Field(default=0, ge=0, lt=1,
                                         description="extra handle time per extra chat held")
    # KPI targets read by ``wfm kpi`` (0: no target)
    aht_target_seconds: float = Field(default=0, ge=0, description="0: no AHT target")
    acw_target_seconds: float = Field(default=60, ge=0, description="0: no ACW target")
    contacts_per_agent_hour_target: float = Field(default=0, ge=0, description="0: none")

    @property
    def is_chat(self) -> bool:
        return self.channel == "chat"

    @property
    def target_seconds(self) -> float:
        """The service-level time: ``first_response_seconds`` for chat, else
        ``answer_within_seconds``."""
        return self.first_response_seconds if self.is_chat else self.answer_within_seconds


CHAT_ONLY_KEYS = ("max_concurrency", "first_response_seconds", "concurrency_inflation")


class ServiceOverride(_Strict):
    """Per-queue overrides: any key of ``[service]``; unset keys inherit the site default."""

    level: float | None = Field(None, gt=0, lt=1)
    answer_within_seconds: float | None = Field(None, ge=0)
    asa_target_seconds: float | None = Field(None, ge=0)
    max_occupancy: float | None = Field(None, gt=0, le=1)
    shrinkage: float | None = Field(None, ge=0, lt=1)
    patience_seconds: float | None = Field(None, ge=0)
    max_abandon: float | None = Field(None, ge=0, lt=1)
    channel: str | None = Field(None, pattern="^(phone|chat)$")
    max_concurrency: int | None = Field(None, ge=1, le=20)
    first_response_seconds: float | None = Field(None, ge=0)
    concurrency_inflation: float | None = Field(None, ge=0, lt=1)
    aht_target_seconds: float | None = Field(None, ge=0)
    acw_target_seconds: float | None = Field(None, ge=0)
    contacts_per_agent_hour_target: float | None = Field(None, ge=0)


class ShiftTemplate(_Strict):
    """A shift type: a code, a start and end clock time, and fixed breaks inside it.

    A shift whose end is earlier than its start crosses midnight (ends the next day).
    """

    code: str
    start: str
    end: str
    breaks: list[tuple[str, int]] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code(cls, code: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", code):
            raise ValueError(f"shift code must be letters, digits, '_' or '-', got {code!r}")
        if code.upper() in RESERVED_SHIFT_CODES:
            raise ValueError(f"shift code {code!r} is reserved (OFF and LEAVE are roster states)")
        return code.upper()  # roster files are read case-insensitively (day = DAY)

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        return _padded_clock(parse_clock(value, name="start"))  # "8:30" is kept as "08:30"

    @field_validator("end")
    @classmethod
    def _end_clock(cls, value: str) -> str:
        if isinstance(value, str) and value.strip() == "24:00":  # midnight at the end
            return "24:00"
        return _padded_clock(parse_clock(value, name="end"))

    @model_validator(mode="after")
    def _shape(self) -> ShiftTemplate:
        if self.start_minute == self.end_minute:
            raise ValueError(f"shift {self.code}: end {self.end} equals start {self.start}")
        for break_start, minutes in self.breaks:
            offset = (parse_clock(break_start, name="break start") - self.start_minute) % (
                MINUTES_PER_DAY)
            if minutes <= 0:
                raise ValueError(f"shift {self.code}: break at {break_start} must last > 0 "
                                 f"minutes, got {minutes}")
            if offset + minutes > self.duration_minutes:
                raise ValueError(f"shift {self.code}: break {break_start}+{minutes}min is not "
                                 f"inside {self.start}-{self.end}")
        spans = sorted((offset, offset + minutes, text) for (offset, minutes), (text, _) in
                       zip(self.break_offsets(), self.breaks, strict=True))
        for (_, first_end, first), (second_start, _, second) in pairwise(spans):
            if second_start < first_end:
                raise ValueError(f"shift {self.code}: breaks at {first} and {second} overlap")
        return self

    @property
    def start_minute(self) -> int:
        return parse_clock(self.start)

    @property
    def end_minute(self) -> int:
        return parse_end_clock(self.end)

    @property
    def duration_minutes(self) -> int:
        """Length including breaks; a shift crossing midnight wraps (00:00-24:00 is 24 h)."""
        return (self.end_minute - self.start_minute) % MINUTES_PER_DAY or MINUTES_PER_DAY

    @property
    def paid_minutes(self) -> int:
        """Working minutes: duration minus fixed breaks."""
        return self.duration_minutes - sum(minutes for _, minutes in self.breaks)

    def break_offsets(self) -> list[tuple[int, int]]:
        """Breaks as (minutes after shift start, minutes long)."""
        return [((parse_clock(s) - self.start_minute) % MINUTES_PER_DAY, m)
                for s, m in self.breaks]

    @property
    def start_time(self) -> time:
        return time(self.start_minute // 60, self.start_minute % 60)


def _default_shifts() -> list[ShiftTemplate]:
    return [ShiftTemplate(code="DAY", start="08:30", end="16:00"),
            ShiftTemplate(code="NIGHT", start="16:00", end="23:30")]


class Rules(_Strict):
    max_consecutive_days: int = Field(default=6, ge=1)
    min_rest_days_per_week: int = Field(default=1, ge=0, le=7)
    min_rest_hours: float = Field(default=9, ge=0, le=48)
    max_consecutive_nights: int = Field(default=0, ge=0)  # 0: no limit


class RosterSettings(_Strict):
    time_limit_seconds: float = Field(default=60, gt=0)
    random_seed: int = Field(default=0, ge=0)
    num_workers: int = Field(default=2, ge=1, le=64)
    weights: dict[str, float] = Field(default_factory=dict)
    # fairness inside each team (agents with the same skills): nights and weekend rest within a
    # band of 1 + days // 14 around each agent's pro-rata fair share
    fairness_weeks: int = Field(default=4, ge=0, le=52)  # previous-roster weeks that count
    fairness_band: Literal["note", "hard"] = "note"  # check-roster: agents outside the band
    # are notes, or violations (exit 1) with "hard"
    night_pattern: Literal["mixed", "weekly_blocks"] = "mixed"  # weekly_blocks: a whole
    # Monday-Sunday week of nights or of day shifts per agent
    coverage_tolerance: float = Field(default=0.005, ge=0, le=0.1)  # share of the coverage
    # cost the roster may give up, on short horizons, for fewer quick returns and fair shares
    weekend_release_tolerance: float = Field(default=0.02, ge=0, le=0.1)  # share of the
    # coverage cost the fairness stage as a whole may give up to bring agents above their
    # weekend-rest band back (the weekend release; planner guide)
    # the coverage target the weekend release never passes: total shortfall (agent-intervals)
    # at most the least possible times (1 + least share) plus the requirement times its share
    shortfall_ceiling_least_share: float = Field(default=0.01, ge=0, le=1)
    shortfall_ceiling_requirement_share: float = Field(default=0.0005, ge=0, le=0.1)

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: dict[str, float]) -> dict[str, float]:
        for name, weight in weights.items():
            if weight < 0:
                raise ValueError(f"roster weight {name!r} must be >= 0, got {weight}")
            if weight > MAX_ROSTER_WEIGHT:
                raise ValueError(f"roster weight {name!r} must be at most {MAX_ROSTER_WEIGHT:g} "
                                 f"(the solver's objective is a 64-bit integer; only the ratios "
                                 f"between weights matter), got {weight:g}")
        return weights


class AdherenceSettings(_Strict):
    target_pct: float = Field(default=92, ge=0, le=100)
    grace_minutes: float = Field(default=0, ge=0)
    # the live page puts first (and counts in the navigation) agents out longer than this
    alert_after_minutes: float = Field(default=5, ge=0, allow_inf_nan=False)
    # issue 24: working through a fixed break is out of adherence (cause worked_break); the
    # fixed breaks then count in the scheduled minutes, adherent when not working
    count_work_in_breaks: bool = False
    # a site's ACD state names / AUX codes -> wfm states, over the defaults (wfm.states)
    states: dict[str, str] = Field(default_factory=dict)

    @field_validator("states")
    @classmethod
    def _known_states(cls, value: dict[str, str]) -> dict[str, str]:
        return check_site_states(value)


class KpiSettings(_Strict):
    """Site-wide targets of ``wfm kpi`` that are not per queue."""

    attendance_target_pct: float = Field(default=95, ge=0, le=100)
    forecast_error_target_pct: float = Field(default=10, ge=0,
                                             description="largest |daily forecast error| met")


class ApiSettings(_Strict):
    """The service's solve queue (``wfm serve``, ``wfm worker``): how many roster solves the
    web server runs at once, and how often a job a restart cut off is tried again."""

    # None (the key absent): max(1, CPUs - 1), one core left for the web server; 0: the server
    # runs none itself (only `wfm worker` processes do)
    max_concurrent_solves: int | None = Field(default=None, ge=0, le=256)
    solve_attempts: int = Field(default=2, ge=1, le=10)  # runs a job may start (restarts)


class CostSettings(_Strict):
    """Labour cost rates for what-if scenarios (``[cost]``; ``wfm scenarios``): the cost of a
    scenario is its scheduled agent-hours x the hourly rate (a queue's own rate where
    ``queue_rates`` names it). 0: no cost figure."""

    hourly_rate: float = Field(default=0, ge=0, description="per scheduled agent-hour")
    queue_rates: dict[str, float] = Field(default_factory=dict)  # per queue, over hourly_rate
    currency: str = "CNY"
    fte_hours_per_week: float = Field(default=40, gt=0, le=168)  # paid hours of one FTE

    @field_validator("queue_rates")
    @classmethod
    def _rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for queue, rate in rates.items():
            if not rate >= 0:
                raise ValueError(f"queue_rates[{queue!r}] must be >= 0, got {rate!r}")
        return rates

    def rate_for(self, queue: str) -> float:
        return self.queue_rates.get(queue, self.hourly_rate)


class SwapSettings(_Strict):
    min_notice_hours: float = Field(default=24, ge=0)
    auto_approve: bool = False


class IntradaySettings(_Strict):
    """Overtime and VTO offers (``[intraday]``; ``wfm.requests.offers``).

    With ``auto_offers`` the service publishes an offer for each coming period of the intraday
    view (``wfm.intraday.staffing_periods``) that is short by at least ``auto_short_agents``
    agents (overtime) or long by at least ``auto_long_agents`` (VTO), starting at least
    ``auto_lead_minutes`` from now; a planner publishes offers by hand either way.
    """

    auto_offers: bool = False
    auto_short_agents: int = Field(default=1, ge=1)  # net agents short that publish overtime
    auto_long_agents: int = Field(default=1, ge=1)  # net agents long that publish VTO
    auto_lead_minutes: int = Field(default=60, ge=0, le=24 * 60)  # earliest start from now
    auto_max_agents: int = Field(default=10, ge=1)  # agents one automatic offer asks for
    max_overtime_hours_per_week: float = Field(default=0, ge=0, le=168)  # 0: no cap


class TimeOffKind(_Strict):
    """One kind of time off an agent may request (``[time_off.kinds.NAME]``)."""

    allowance_days: float = Field(default=0, ge=0, le=366)  # per calendar year
    limited: bool = True  # false: no allowance check (the days are still counted)
    same_day: bool = False  # inside the notice: recorded without approval and flagged


def _default_time_off_kinds() -> dict[str, TimeOffKind]:
    # China's statutory paid annual leave starts at 5 days a year; sick leave is certified
    # afterwards, so it is counted but not capped and may be reported on the day
    return {"annual": TimeOffKind(allowance_days=5),
            "personal": TimeOffKind(allowance_days=3),
            "sick": TimeOffKind(limited=False, same_day=True)}


class TimeOffSettings(_Strict):
    """Time-off requests through the API (``[time_off]``)."""

    min_notice_hours: float = Field(default=48, ge=0)
    # never | coverage (scheduled stays >= required) | service_level (Erlang SL >= target)
    auto_approve: Literal["never", "coverage", "service_level"] = "never"
    max_off_per_team_per_day: int = Field(default=0, ge=0)  # 0: no limit
    kinds: dict[str, TimeOffKind] = Field(default_factory=_default_time_off_kinds)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, kinds: dict[str, TimeOffKind]) -> dict[str, TimeOffKind]:
        for name in kinds:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name == "rest_day":
                raise ValueError(f"time-off kind names are lower-case letters, digits and '_' "
                                 f"(not 'rest_day', the built-in rest-day change), got {name!r}")
        return kinds


class ForecastSettings(_Strict):
    """Parameters of ``forecast_contacts``; every field has a stated default."""

    # Special days take effects only from evidence (the center's own history) or from the
    # planner. ``day_factors`` states them per holiday name or ISO date: a factor of an
    # ordinary day of that weekday (0.6: 40% lighter) or "closed", e.g.
    # {"Columbus Day" = 1.0, "Christmas Eve" = 0.5, "2026-12-31" = "closed"}.
    day_factors: dict[str, float | str] = Field(default_factory=dict)
    # Deprecated (issue 23): applied only when set explicitly in the site file or on the
    # command line, to a day of that kind with no evidence in history; unset (None) they are
    # not applied (an unseen holiday is an ordinary day, flagged). Prefer ``day_factors``.
    holiday_factor: float | None = Field(default=None, ge=0)
    pre_holiday_factor: float | None = Field(default=None, gt=0)
    post_holiday_factor: float | None = Field(default=None, gt=0)
    # promotion days are declared by the planner (``promotion_dates``): without such a day
    # in history they use this factor; a swapped working weekend is an average workday
    promotion_factor: float = Field(default=2.0, gt=0)  # promotion day vs an ordinary day
    working_weekend_factor: float = Field(default=1.0, gt=0)  # swapped weekend vs a workday
    # daily total: level, trend, weekday effects
    level_halflife_weeks: float = Field(default=0.5, gt=0)  # recency weight of the level
    # choose the level half-life per queue by a one-week-ahead backtest on its own last weeks
    level_halflife_auto: bool = True
    level_tuning_weeks: int = Field(default=10, ge=3, le=52)  # weeks scored when choosing it
    trend_weeks: int = Field(default=8, ge=0)  # weeks of daily totals for the trend (0: none)
    trend_min_weeks: int = Field(default=3, ge=2)  # weeks' worth of days with data it needs
    trend_damping: float = Field(default=0.98, ge=0, le=1)  # per-day damping of the trend
    weekday_halflife_weeks: float = Field(default=6.0, gt=0)  # recency of weekday factors
    outlier_threshold: float = Field(default=4.0, gt=0)  # robust z-score of an outlier day
    # within-month effect (e.g. a bank's volume falling from the 1st to the month end): learned
    # from calendar months with at least this many usable ordinary days (0: no month effect)
    month_effect_min_days: int = Field(default=21, ge=0, le=31)
    # intraday profiles and open intervals
    profile_weeks: int = Field(default=8, ge=1)  # weeks of history for the profiles
    profile_halflife_weeks: float = Field(default=4.0, gt=0)
    profile_shrink_days: float = Field(default=1.0, ge=0)  # pull toward the pooled profile
    profile_prior: str = Field(default="workdays", pattern="^(workdays|all)$")
    profile_smooth: float = Field(default=0.1, ge=0, le=0.34)  # weight of each neighbour
    open_weeks: int = Field(default=8, ge=1)  # recent days per weekday that decide opening
    # AHT
    aht_halflife_weeks: float = Field(default=4.0, gt=0)
    aht_shrink_contacts: float = Field(default=20.0, ge=0)  # contacts the prior is worth
    min_history_days: int = Field(default=14, ge=7)  # history needed to forecast a queue
    # days forecast closed (0 contacts): ISO dates, and public holidays (true: every one; a
    # list: those names, e.g. ["Christmas Day"]); otherwise a day is closed only when history
    # shows the same holiday closed while the days around it were open
    closed_dates: list[str] = Field(default_factory=list)
    closed_holidays: bool | list[str] = False
    # model choice per queue by a rolling-origin backtest on its own history ("auto"), or one
    # candidate by name (see ``wfm.forecast.candidates``)
    model: str = "auto"
    # weekly origins scored, most recent first (0: every origin the history allows); the
    # model-based candidates are scored on the non-overlapping ones among them
    selection_folds: int = Field(default=0, ge=0, le=520)
    candidate_weeks: list[int] = Field(default_factory=lambda: [2, 3, 4, 6, 8])  # k-week means
    ets_candidate: bool = True  # a damped ETS of daily totals (statsmodels) among the candidates

    @field_validator("closed_dates")
    @classmethod
    def _closed_dates(cls, dates: list[str]) -> list[str]:
        from datetime import date as _date

        for text in dates:
            try:
                _date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"closed_dates must hold ISO dates YYYY-MM-DD, got "
                                 f"{text!r}") from None
        return dates

    @field_validator("day_factors")
    @classmethod
    def _day_factors(cls, factors: dict[str, float | str]) -> dict[str, float | str]:
        for key, value in factors.items():
            if isinstance(value, str):
                if value != "closed":
                    raise ValueError(f"day_factors[{key!r}] must be a factor >= 0 or "
                                     f"\"closed\", got {value!r}")
            elif isinstance(value, bool) or not value >= 0 or value != value:
                raise ValueError(f"day_factors[{key!r}] must be a factor >= 0 or "
                                 f"\"closed\", got {value!r}")
        return factors

    @field_validator("candidate_weeks")
    @classmethod
    def _candidate_weeks(cls, weeks: list[int]) -> list[int]:
        if not weeks or any(not 1 <= k <= 52 for k in weeks):
            raise ValueError(f"candidate_weeks must list whole weeks from 1 to 52, got {weeks}")
        return sorted(set(weeks))

    def factor_defaults(self) -> dict[str, float]:
        """Multiplier of each non-normal day kind without evidence: the planner's explicit
        setting, else 1.0 (an ordinary day); promotions ``promotion_factor``."""
        def or_one(value: float | None) -> float:
            return 1.0 if value is None else value

        return {"holiday": or_one(self.holiday_factor),
                "pre_holiday": or_one(self.pre_holiday_factor),
                "post_holiday": or_one(self.post_holiday_factor),
                "promotion": self.promotion_factor,
                "working_weekend": self.working_weekend_factor}



REPORT_LANGUAGES = ("zh-CN", "en")


def report_language(value: str) -> str:
    """``zh-CN`` or ``en`` from a language tag (``zh``, ``zh_CN``, ``en-GB`` ...)."""
    tag = value.strip().replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    raise ValueError(f"language must be one of {', '.join(REPORT_LANGUAGES)}, got {value!r}")


class SiteConfig(_Strict):
    """Everything a site configures; see DESIGN.md for each key."""

    timezone: str = "Asia/Shanghai"
    interval_minutes: int = 30
    country: str = "CN"
    open_hours: str = ""
    promotion_dates: list[str] = Field(default_factory=list)
    service: ServiceTargets = Field(default_factory=ServiceTargets)
    queues: dict[str, ServiceOverride] = Field(default_factory=dict)
    shifts: list[ShiftTemplate] = Field(default_factory=_default_shifts)
    rules: Rules = Field(default_factory=Rules)
    roster: RosterSettings = Field(default_factory=RosterSettings)
    adherence: AdherenceSettings = Field(default_factory=AdherenceSettings)
    swaps: SwapSettings = Field(default_factory=SwapSettings)
    time_off: TimeOffSettings = Field(default_factory=TimeOffSettings)
    intraday: IntradaySettings = Field(default_factory=IntradaySettings)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    kpi: KpiSettings = Field(default_factory=KpiSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    cost: CostSettings = Field(default_factory=CostSettings)
    language: str = "zh-CN"  # the report's language (zh-CN or en); the pages negotiate their own

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return report_language(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {name!r} (use an IANA name such as "
                             "'Asia/Shanghai')") from None
        return name

    @field_validator("interval_minutes")
    @classmethod
    def _interval(cls, minutes: int) -> int:
        if minutes <= 0 or MINUTES_PER_DAY % minutes:
            raise ValueError(f"interval_minutes must divide a day (1440 minutes) evenly, e.g. 15 "
                             f"or 30, got {minutes}")
        return minutes

    @field_validator("country")
    @classmethod
    def _country(cls, country: str) -> str:
        if country:
            if country.upper() not in _holiday_countries():
                raise ValueError(f"country {country!r} has no holiday calendar in the holidays "
                                 "package ('' for none)")
        return country.upper()

    @field_validator("open_hours")
    @classmethod
    def _open_hours(cls, text: str) -> str:
        if text:
            parts = text.split("-")
            if len(parts) != 2:
                raise ValueError(f"open_hours must look like '08:30-23:30', got {text!r}")
            start, end = (parse_end_clock(p, name="open_hours") for p in parts)
            if end <= start:
                raise ValueError(f"open_hours end must be after start, got {text!r}")
        return text

    @field_validator("promotion_dates")
    @classmethod
    def _promotions(cls, dates: list[str]) -> list[str]:
        from datetime import date as _date

        for text in dates:
            try:
                _date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"promotion_dates must hold ISO dates YYYY-MM-DD, got "
                                 f"{text!r}") from None
        return dates

    @model_validator(mode="after")
    def _unique_shift_codes(self) -> SiteConfig:
        codes = [s.code for s in self.shifts]
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        if duplicated:
            raise ValueError(f"shift codes must be unique, repeated: {', '.join(duplicated)}")
        if not self.shifts:
            raise ValueError("at least one shift template is required")
        return self

    @model_validator(mode="after")
    def _chat_keys_on_chat_queues(self) -> SiteConfig:
        """A chat-only key set for a queue that is not a chat queue is a slip (it would be
        ignored): name the queue and the key."""
        for name, override in self.queues.items():
            if self.service_for(name).is_chat:
                continue
            given = [key for key in CHAT_ONLY_KEYS if getattr(override, key) is not None]
            if given:
                raise ValueError(f"queues.{name}: {', '.join(given)} only apply to chat queues;"
                                 f" add channel = \"chat\" to [queues.{name}]")
        for name, override in self.queues.items():
            if self.service_for(name).is_chat and (override.patience_seconds or 0) > 0:
                raise ValueError(f"queues.{name}: patience_seconds (Erlang A) is not modelled "
                                 "for chat queues (a site-wide patience applies to the phone "
                                 "queues only)")
        return self

    def chat_queues(self, queues: list[str]) -> list[str]:
        """The names among ``queues`` staffed as chat (``channel = "chat"``)."""
        return [q for q in queues if self.service_for(q).is_chat]

    # ---- helpers used across the package -------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def interval_seconds(self) -> int:
        return self.interval_minutes * 60

    def shift(self, code: str) -> ShiftTemplate:
        for template in self.shifts:
            if template.code == code:
                return template
        known = ", ".join(t.code for t in self.shifts)
        raise InvalidInput(f"unknown shift code {code!r}; known: {known}, OFF, LEAVE")

    def service_for(self, queue: str | None) -> ServiceTargets:
        """The site default with the queue's overrides applied."""
        override = self.queues.get(queue or "")
        if override is None:
            return self.service
        changes = override.model_dump(exclude_none=True)
        return self.service.model_copy(update=changes)

    def open_window_minutes(self) -> tuple[int, int] | None:
        """(start, end) minutes after midnight of ``open_hours``, or None when unset."""
        if not self.open_hours:
            return None
        start_text, end_text = self.open_hours.split("-")
        start = parse_clock(start_text)
        end = parse_end_clock(end_text)
        return start, end

    def with_overrides(self, labels: dict[str, str] | None = None, /,
                       **changes: Any) -> SiteConfig:
        """A copy with dotted keys overridden, e.g. ``{"service.level": 0.9}`` (CLI flags);
        ``labels`` names the flag that set a key, for the error messages."""
        data = self.model_dump()
        for dotted, value in changes.items():
            if value is None:
                continue
            target = data
            *parents, leaf = dotted.split(".")
            for key in parents:
                target = target[key]
            target[leaf] = value
        return build_config(data, source="command-line flags", labels=labels)


FRACTION_KEYS = ("service.level", "service.max_occupancy", "service.shrinkage")


def _format_errors(error: ValidationError, source: str,
                   labels: dict[str, str] | None = None) -> str:
    """One line per error naming the key, or the flag in ``labels`` that set it (then with the
    value, and a hint when a percentage was typed for a fraction)."""
    lines = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        if labels and location in labels:
            value = item.get("input")
            got = "" if "got " in message else f", got {value!r}"
            hint = (f" (a fraction: {value / 100:g} means {value:g}%)"
                    if location in FRACTION_KEYS and isinstance(value, int | float)
                    and 1 < value <= 100 else "")
            lines.append(f"{labels[location]}: {message}{got}{hint}")
        else:
            lines.append(f"{source}: {location}: {message}")
    return "\n".join(lines)


def build_config(data: dict[str, Any], *, source: str = "configuration",
                 labels: dict[str, str] | None = None) -> SiteConfig:
    """Validate a plain mapping into a ``SiteConfig``; errors name the key (or its label)."""
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(_format_errors(error, source, labels)) from None


def load_config(path: str | Path | None = None) -> SiteConfig:
    """Read a TOML site file, or return the defaults when ``path`` is None."""
    if path is None:
        return SiteConfig()
    return build_config(read_toml(path, kind="configuration"), source=str(path))


def read_toml(path: str | Path, *, kind: str) -> dict[str, Any]:
    """A TOML file's table; a missing or malformed file is ``InvalidInput`` naming it (``kind``
    says what the file is for: "configuration", "grid")."""
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InvalidInput(f"{kind} file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path}: not valid TOML: {error}") from None
