"""Tuning knobs of the forecast, with documented defaults.

Special days take effects only from evidence (history) or from the planner: ``day_factors``
per holiday name or date (a factor or "closed"), ``closed_dates``, ``closed_holidays``. The
old ``holiday_factor``, ``pre_holiday_factor`` and ``post_holiday_factor`` are deprecated and
unset by default: applied only when a site file (``[forecast]``) or the CLI
(``--holiday-factor``) sets them, to days of that kind with no evidence
(``wfm.forecast.special``). ``promotion_factor`` applies to a declared promotion day when
history has none (``--promotion-factor``).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from wfm.config import ForecastSettings
from wfm.errors import InvalidInput

__all__ = ["ForecastSettings", "settings_for"]


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
