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

    # calendar multipliers, used only when history has no day of that kind
    holiday_factor: float = Field(default=0.6, gt=0)  # public holiday vs an ordinary day
    pre_holiday_factor: float = Field(default=1.1, gt=0)  # working day before a long holiday
    post_holiday_factor: float = Field(default=1.3, gt=0)  # working day after a long holiday
    promotion_factor: float = Field(default=2.0, gt=0)  # promotion day vs an ordinary day
    working_weekend_factor: float = Field(default=1.0, gt=0)  # swapped weekend vs a workday
    # daily total: level, trend, weekday effects
    level_halflife_weeks: float = Field(default=0.5, gt=0)  # recency weight of the level
    trend_weeks: int = Field(default=8, ge=0)  # weekly means used for the trend (0: none)
    trend_min_weeks: int = Field(default=2, ge=2)  # weekly means needed to fit a trend
    trend_damping: float = Field(default=0.98, ge=0, le=1)  # per-day damping of the trend
    weekday_halflife_weeks: float = Field(default=6.0, gt=0)  # recency of weekday factors
    outlier_threshold: float = Field(default=4.0, gt=0)  # robust z-score of an outlier day
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

    def factor_defaults(self) -> dict[str, float]:
        """Default multiplier of each non-normal day kind."""
        return {"holiday": self.holiday_factor, "pre_holiday": self.pre_holiday_factor,
                "post_holiday": self.post_holiday_factor, "promotion": self.promotion_factor,
                "working_weekend": self.working_weekend_factor}


def settings_for(config: Any, **overrides: Any) -> ForecastSettings:
    """The site's forecast settings (a ``forecast`` section if the config has one) + overrides."""
    section = getattr(config, "forecast", None)
    if section is None:
        data: dict[str, Any] = {}
    elif hasattr(section, "model_dump"):
        data = section.model_dump()
    else:
        data = dict(section)
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return ForecastSettings(**data)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "forecast"
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"forecast setting {name}: {message}, got "
                           f"{first.get('input')!r}") from None
