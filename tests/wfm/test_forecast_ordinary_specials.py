"""Issue 23, the history side of "effects only from evidence": a past holiday (or a day next to
one) that was open and showed no effect beyond noise, on the day and in its evidence group, is
an ordinary day of the k-week means (``special.ordinary_special_days``); a closed day or one
with a clear effect stays out. References: numpy means over hand-picked rows."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from wfm.calendar import calendar_for
from wfm.config import build_config
from wfm.forecast.candidates import WeekdayStat, usable_days
from wfm.forecast.panel import Panel, build_panel
from wfm.forecast.special import day_evidence, ordinary_special_days
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

SITE = build_config({"country": "US", "timezone": "America/New_York", "interval_minutes": 60})
ORIGIN = date(2025, 6, 16)  # Memorial Day 2025-05-26 is three Mondays back
MONDAYS = [date(2025, 6, 9), date(2025, 6, 2), date(2025, 5, 26), date(2025, 5, 19),
           date(2025, 5, 12)]


def _panel(holiday: float, export_closed_days: bool = True, weeks: int = 16) -> Panel:
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=weeks, interval_minutes=60,
                                 daily_volume=2000, country="US", growth_per_week=0.0,
                                 timezone="America/New_York", day_sigma=0.01,
                                 multipliers={"holiday": holiday, "pre_holiday": 1.0,
                                              "post_holiday": 1.0, "promotion": 1.0},
                                 export_closed_days=export_closed_days, random_seed=4)
    history = synthetic_history(params)
    return build_panel(history.set_index("interval_start")["contacts"], 60,
                       calendar_for(SITE))


def _mean_of(panel: Panel, days: list[date]) -> np.ndarray:
    return np.asarray(np.mean(panel.values[[panel.row_of(d) for d in days]], axis=0))


def test_an_open_holiday_with_ordinary_volume_is_in_the_four_week_mean():
    """Memorial Day at an ordinary Monday's volume: one of the last four Mondays, as in the
    planner's spreadsheet, instead of being skipped for the Monday five weeks back."""
    panel = _panel(1.0)
    origin = panel.row_of(ORIGIN)
    _, kinds, _ = panel.day_info(0, origin)
    assert kinds[panel.row_of(MONDAYS[2])] == "holiday"
    assert ordinary_special_days(panel, origin)[panel.row_of(MONDAYS[2])]
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 1)[0],
                               _mean_of(panel, MONDAYS[:4]))


@pytest.mark.parametrize("holiday", [0.6, 0.85])
def test_a_clearly_lower_holiday_stays_out_of_the_four_week_mean(holiday):
    """x0.6 and x0.85 are far beyond the day noise (about 2-3% here): skipped, so the mean
    reads the four ordinary Mondays around it."""
    panel = _panel(holiday)
    origin = panel.row_of(ORIGIN)
    assert not usable_days(panel, origin)[panel.row_of(MONDAYS[2])]
    expected = _mean_of(panel, [MONDAYS[0], MONDAYS[1], MONDAYS[3], MONDAYS[4]])
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 1)[0], expected)


@pytest.mark.parametrize("export_closed_days", [True, False])
def test_a_closed_holiday_stays_out_of_the_four_week_mean(export_closed_days):
    """Closed (zero rows, or no rows at all): never an ordinary day."""
    panel = _panel(0.0, export_closed_days)
    origin = panel.row_of(ORIGIN)
    assert not ordinary_special_days(panel, origin)[panel.row_of(MONDAYS[2])]
    expected = _mean_of(panel, [MONDAYS[0], MONDAYS[1], MONDAYS[3], MONDAYS[4]])
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 1)[0], expected)


def test_a_day_within_noise_stays_out_when_its_group_shows_an_effect():
    """Days before closed holidays at x1.25 and x1.2 (clear), the others at x1.03 (alone
    within noise): the group of eves of closed days shows an effect, the forecast applies
    it, so the x1.03 eves are special days too. With every eve at x1.00, they all count."""
    panel = _panel(1.0, weeks=40)  # Memorial Day, Independence Day, Labor Day
    kinds = panel.day_info(0, panel.num_days)[1]
    pre = np.flatnonzero(kinds == "pre_holiday")
    assert len(pre) >= 3
    assert ordinary_special_days(panel, panel.num_days)[pre].all()
    shaped = panel.values.copy()
    shaped[kinds == "holiday"] = 0.0  # closed holidays
    factors = [1.25, 1.2] + [1.03] * (len(pre) - 2)
    for row, factor in zip(pre, factors, strict=True):
        shaped[row] *= factor
    panel = replace(panel, values=shaped)
    evidence = day_evidence(panel, panel.num_days)
    group = evidence.kinds["pre_holiday:closed"]
    assert not group.within_noise and group.raw > 1.05
    assert 0 < np.log(1.03) <= 2 * evidence.noise  # alone, x1.03 is within noise
    assert not ordinary_special_days(panel, panel.num_days)[pre].any()
