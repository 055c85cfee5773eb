"""Tuning knobs of the forecast, with documented defaults.

The calendar multipliers are the *defaults* used only when history holds no day of that kind;
otherwise the effect is learned from history (the median ratio of such days to what an ordinary
day of the same weekday would have had). A site file may carry them in a ``[forecast]`` section
(``wfm.config.ForecastSettings``); the CLI also takes ``--holiday-factor`` and
``--promotion-factor``.
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
