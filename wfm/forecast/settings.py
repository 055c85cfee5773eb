"""Tuning knobs of the forecast, with documented defaults.

The calendar multipliers are the *defaults* used only when history holds no day of that kind;
otherwise the effect is learned from history (the median ratio of such days to what an ordinary
day of the same weekday would have had). A site file may carry them in a ``[forecast]`` section
(when the configuration defines one); the CLI also takes ``--holiday-factor`` and
``--promotion-factor``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wfm.errors import InvalidInput


class ForecastSettings(BaseModel):
    """Parameters of ``forecast_contacts``; every field has a stated default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holiday_factor: float = Field(0.6, gt=0, description="public holiday vs an ordinary day")
    pre_holiday_factor: float = Field(1.1, gt=0, description="working day before a long holiday")
    post_holiday_factor: float = Field(1.3, gt=0, description="working day after a long holiday")
    promotion_factor: float = Field(2.0, gt=0, description="promotion day vs an ordinary day")
    working_weekend_factor: float = Field(1.0, gt=0,
                                          description="swapped working weekend vs a workday")
    level_halflife_weeks: float = Field(1.0, gt=0, description="recency weight of the level")
    trend_weeks: int = Field(8, ge=0, description="weeks used for the trend (0: no trend)")
    trend_min_weeks: int = Field(2, ge=2, description="weekly means needed to fit a trend")
    trend_damping: float = Field(0.98, ge=0, le=1, description="per-day damping of the trend")
    weekday_halflife_weeks: float = Field(6.0, gt=0,
                                          description="recency weight of weekday effects")
    profile_weeks: int = Field(8, ge=1, description="weeks of history for intraday profiles")
    profile_halflife_weeks: float = Field(4.0, gt=0)
    profile_shrink_days: float = Field(1.0, ge=0,
                                       description="pull of a weekday profile to the pooled one")
    profile_prior: str = Field("workdays", pattern="^(workdays|all)$",
                               description="profile a workday's profile is shrunk toward")
    profile_smooth: float = Field(0.1, ge=0, le=0.34,
                                  description="weight of each neighbouring interval")
    open_weeks: int = Field(8, ge=1, description="weeks that decide which intervals are open")
    aht_halflife_weeks: float = Field(4.0, gt=0)
    aht_shrink_contacts: float = Field(20.0, ge=0)
    min_history_days: int = Field(14, ge=7, description="history needed to forecast")

    def factor_defaults(self) -> dict[str, float]:
        """Default multiplier of each non-normal day kind."""
        return {"holiday": self.holiday_factor, "pre_holiday": self.pre_holiday_factor,
                "post_holiday": self.post_holiday_factor, "promotion": self.promotion_factor,
                "working_weekend": self.working_weekend_factor}


def settings_for(config: Any, **overrides: Any) -> ForecastSettings:
    """The site's forecast settings (a ``forecast`` section if the config has one) + overrides."""
    section = getattr(config, "forecast", None)
    data = section.model_dump() if hasattr(section, "model_dump") else dict(section or {})
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ForecastSettings(**data)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "forecast"
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"forecast setting {name}: {message}, got "
                           f"{first.get('input')!r}") from None
