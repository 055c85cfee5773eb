"""The statsforecast model contract (``fit`` / ``predict`` / ``forecast``, ``model_``,
``fitted_``) for every candidate of the model choice and for the choice itself.

``CandidateModel`` wraps one candidate; ``AutoModel`` is what ``wfm forecast`` does for one
queue (choose by backtest, then forecast with the special-day layer and open hours). Their
``fitted_`` holds one-week-ahead forecasts from weekly origins (NaN in the first two weeks),
so it is an honest out-of-sample fit of the same length as ``y``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import HolidayCalendar, local_naive
from wfm.config import ForecastSettings
from wfm.forecast.models import _predict_frame, next_intervals
from wfm.forecast.panel import Panel, build_panel
from wfm.forecast.selection import choose, forecast_rows
from wfm.forecast.special import learn_effects

FIRST_FITTED_DAY = 14


def _window(open_window: tuple[int, int] | None, num_slots: int,
            interval_minutes: int) -> np.ndarray:
    if open_window is None:
        return np.ones(num_slots, dtype=bool)
    start = np.arange(num_slots) * interval_minutes
    return (start >= open_window[0]) & (start + interval_minutes <= open_window[1])


class CandidateModel:
    """One candidate (``make()`` builds a fresh one) as a contract model.

    Parameters
    ----------
    make
        A zero-argument callable returning the candidate (``candidates.WeekdayStat(4)`` ...).
    interval_minutes, calendar, open_window, settings
        As for ``ProfileModel``; ``settings`` also holds the special-day rules.
    """

    def __init__(self, make: Any, *, interval_minutes: int = 30,
                 calendar: HolidayCalendar | None = None,
                 open_window: tuple[int, int] | None = None,
                 settings: ForecastSettings | None = None) -> None:
        self.make = make
        self.interval_minutes = interval_minutes
        self.calendar = calendar or HolidayCalendar("")
        self.open_window = open_window
        self.settings = settings or ForecastSettings()

    def _params(self) -> dict[str, Any]:
        return {"make": self.make, "interval_minutes": self.interval_minutes,
                "calendar": self.calendar, "open_window": self.open_window,
                "settings": self.settings}

    def _candidate(self, panel: Panel) -> Any:
        return self.make()

    def fit(self, y: pd.Series) -> CandidateModel:
        panel = build_panel(y, self.interval_minutes, self.calendar)
        window = _window(self.open_window, panel.num_slots, self.interval_minutes)
        candidate = self._candidate(panel)
        fitted = np.full(panel.values.shape, np.nan)
        for origin in range(FIRST_FITTED_DAY, panel.num_days, 7):
            days = min(7, panel.num_days - origin)
            effects = learn_effects(panel, origin, self.settings)
            fitted[origin:origin + days] = forecast_rows(candidate, panel, origin, days,
                                                         effects, window)
        naive = local_naive(pd.DatetimeIndex(y.index))
        row = np.asarray((naive.normalize() - pd.Timestamp(panel.first_day)).days, dtype=int)
        slot = np.asarray((naive.hour * 60 + naive.minute) // self.interval_minutes, dtype=int)
        self.model_ = {"panel": panel, "candidate": candidate, "window": window,
                       "last": y.index.max()}
        self.fitted_ = pd.Series(fitted[row, slot], index=y.index)
        return self

    def predict(self, h: int) -> pd.DataFrame:
        index = next_intervals(self.model_["last"], h, self.interval_minutes)
        panel: Panel = self.model_["panel"]
        if len(index) == 0:
            return _predict_frame(index, np.zeros(0))
        naive = local_naive(index)
        row = np.asarray((naive.normalize() - pd.Timestamp(panel.first_day)).days, dtype=int)
        slot = np.asarray((naive.hour * 60 + naive.minute) // self.interval_minutes, dtype=int)
        # the day history ends on is forecast whole (from the history before it), then cut
        origin = int(row.min())
        days = int(row.max()) - origin + 1
        effects = learn_effects(panel, origin, self.settings)
        matrix = forecast_rows(self.model_["candidate"], panel, origin, days, effects,
                               self.model_["window"])
        return _predict_frame(index, matrix[row - origin, slot])

    def forecast(self, y: pd.Series, h: int) -> pd.DataFrame:
        return type(self)(**self._params()).fit(y).predict(h)


class AutoModel(CandidateModel):
    """The model choice as a contract model: ``fit`` chooses a candidate on ``y``'s own
    folds (``selection.choose``) and keeps the choice in ``model_["choice"]``."""

    def __init__(self, *, interval_minutes: int = 30, calendar: HolidayCalendar | None = None,
                 open_window: tuple[int, int] | None = None,
                 settings: ForecastSettings | None = None) -> None:
        super().__init__(None, interval_minutes=interval_minutes, calendar=calendar,
                         open_window=open_window, settings=settings)

    def _params(self) -> dict[str, Any]:
        params = super()._params()
        params.pop("make")
        return params

    def _candidate(self, panel: Panel) -> Any:
        window = _window(self.open_window, panel.num_slots, self.interval_minutes)
        self.choice_ = choose(panel, self.settings, window, self.open_window)
        return self.choice_.model

    def fit(self, y: pd.Series) -> AutoModel:
        super().fit(y)
        self.model_["choice"] = self.choice_
        return self
