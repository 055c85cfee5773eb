"""Issue 23, the anchor of the simple family: the 4-week mean (the planner's number), replaced
only by a simple candidate that beats it beyond noise (a paired t-test that knows how few
origins it has). References are independent of the code: scipy's t distribution,
hand-worked numbers, numpy means."""

from datetime import date

import numpy as np
import pytest
from scipy import stats

from wfm.calendar import calendar_for
from wfm.config import ForecastSettings, build_config
from wfm.forecast.candidates import WeekdayStat
from wfm.forecast.panel import build_panel
from wfm.forecast.selection import (
    ANCHOR,
    _best_simple,
    choose,
    paired_t_beyond,
    t_critical,
)
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

ANCHORED = WeekdayStat(4)
LEVEL = stats.norm.cdf(2.0)  # two normal standard errors, one-sided


def test_the_anchor_is_the_four_week_mean():
    assert ANCHORED.name == ANCHOR == "mean_4w" and ANCHORED.family == "mean"


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 29, 30, 31, 45, 80, 200, 1000])
def test_t_critical_is_the_student_quantile_at_two_normal_standard_errors(df):
    assert t_critical(df) == pytest.approx(stats.t.ppf(LEVEL, df), abs=2e-3)


def test_t_critical_rounds_to_the_nearest_degree_and_refuses_under_one():
    assert t_critical(2.9) == t_critical(3) and t_critical(2.4) == t_critical(2)
    assert t_critical(0.4) == float("inf")


@pytest.mark.parametrize("seed", range(12))
def test_paired_t_with_equal_weights_is_the_textbook_one_sided_test(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 25))
    diff = rng.normal(-0.004 * (seed % 4), 0.01, n)
    expected = stats.ttest_1samp(diff, 0.0, alternative="less").pvalue <= 1 - LEVEL
    assert paired_t_beyond(diff, np.ones(n)) == expected


def test_paired_t_by_hand_on_two_origins():
    """Differences -0.010 and -0.012: mean -0.011, sd 0.00141, se 0.001, t = -11; two standard
    errors would call it beyond noise, the t quantile on 1 degree of freedom (13.97) not."""
    diff = np.array([-0.010, -0.012])
    assert -diff.mean() / (diff.std(ddof=1) / np.sqrt(2)) == pytest.approx(11.0, rel=1e-3)
    assert not paired_t_beyond(diff, np.ones(2))
    assert paired_t_beyond(np.array([-0.010, -0.0105, -0.011, -0.0095, -0.010, -0.0102]),
                           np.ones(6))


def _wapes(anchor: list[float], other: list[float]) -> dict[str, dict[int, float]]:
    origins = [7 * i for i in range(len(anchor))]
    return {"mean_4w": dict(zip(origins, anchor, strict=True)),
            "mean_8w": dict(zip(origins, other, strict=True))}


def test_a_few_origins_better_by_a_little_do_not_replace_the_four_week_mean():
    """Three origins, mean_8w lower by 1.0, 0.4 and 1.6 points: mean -0.010, sd 0.006,
    t = -2.9. Two standard errors (the old rule) called this beyond noise; the t quantile on
    under 3 effective origins (13.97 on 1 degree of freedom, 4.53 on 2) does not."""
    simple = [ANCHORED, WeekdayStat(8)]
    wapes = _wapes([0.30, 0.25, 0.20], [0.29, 0.246, 0.184])
    diff = np.array([-0.010, -0.004, -0.016])
    assert -diff.mean() / (diff.std(ddof=1) / np.sqrt(3)) == pytest.approx(2.89, abs=0.01)
    assert _best_simple(simple, wapes) == "mean_4w"


def test_many_origins_consistently_better_replace_it():
    rng = np.random.default_rng(3)
    anchor = list(rng.uniform(0.1, 0.3, 40))
    other = [a - 0.01 + rng.normal(0, 0.002) for a in anchor]
    assert _best_simple([ANCHORED, WeekdayStat(8)], _wapes(anchor, other)) == "mean_8w"


def test_a_replacement_that_often_loses_big_is_refused_even_when_better_on_average():
    anchor = [0.20] * 30
    other = [0.12 if i % 3 else 0.215 for i in range(30)]  # a third of origins lost by 7.5%
    assert _best_simple([ANCHORED, WeekdayStat(8)], _wapes(anchor, other)) == "mean_4w"


def test_a_flat_queue_with_few_origins_keeps_the_four_week_mean():
    """Eight weeks, nothing to learn: no simple candidate can beat the 4-week mean beyond
    noise on a few origins, so it stays the best simple candidate."""
    params = SyntheticParameters(start=date(2025, 1, 6), weeks=8, interval_minutes=60,
                                 daily_volume=3000, growth_per_week=0.0, country="",
                                 day_sigma=0.03, random_seed=9)
    site = build_config({"country": ""})
    y = synthetic_history(params).set_index("interval_start")["contacts"]
    panel = build_panel(y, 60, calendar_for(site))
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool))
    assert choice.best_simple == "mean_4w"


def test_a_closed_holiday_with_rows_of_zeros_stays_out_of_the_k_week_mean():
    """Memorial Day closed, exported as a day of zeros: it is not within noise of a Monday,
    so the 4-week mean of Mondays skips it and reads the four Mondays with contacts."""
    params = SyntheticParameters(start=date(2025, 3, 3), weeks=16, interval_minutes=60,
                                 daily_volume=3000, country="US", growth_per_week=0.0,
                                 timezone="America/New_York", day_sigma=0.02,
                                 weekday_factors=(1.2, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0),
                                 open_minutes=(8 * 60, 20 * 60), export_closed_days=True,
                                 multipliers={"holiday": 0.0, "pre_holiday": 1.0,
                                              "post_holiday": 1.0, "promotion": 1.0},
                                 random_seed=6)
    site = build_config({"country": "US", "timezone": "America/New_York",
                         "interval_minutes": 60})
    history = synthetic_history(params)
    panel = build_panel(history.set_index("interval_start")["contacts"], 60,
                        calendar_for(site))
    origin = panel.row_of(date(2025, 6, 16))
    memorial = panel.row_of(date(2025, 5, 26))
    assert np.nansum(panel.values[memorial]) == 0
    mondays = [panel.row_of(date(2025, 6, 9)), panel.row_of(date(2025, 6, 2)),
               panel.row_of(date(2025, 5, 19)), panel.row_of(date(2025, 5, 12))]
    np.testing.assert_allclose(WeekdayStat(4).ordinary(panel, origin, 1)[0],
                               np.mean(panel.values[mondays], axis=0))
