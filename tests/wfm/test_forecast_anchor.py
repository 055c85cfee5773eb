"""Issue 23, the anchor of the simple family: the 4-week mean (the planner's number), replaced
only by a simple candidate lower by more than two standard errors of the paired per-origin
differences, and the test stated in the output (``anchor_test``). References are hand-worked
numbers and numpy means, independent of the code."""

from datetime import date

import numpy as np
import pytest

from wfm.calendar import calendar_for
from wfm.config import ForecastSettings, build_config
from wfm.forecast.candidates import WeekdayStat
from wfm.forecast.panel import build_panel
from wfm.forecast.selection import (
    ANCHOR,
    _best_simple,
    _simple_choice,
    choose,
    paired_t,
    paired_t_beyond,
)
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

ANCHORED = WeekdayStat(4)


def test_the_anchor_is_the_four_week_mean():
    assert ANCHORED.name == ANCHOR == "mean_4w" and ANCHORED.family == "mean"


def test_paired_t_by_hand_with_equal_weights():
    """Differences -0.010, -0.004, -0.016: mean -0.010, spread (over n) 0.004899, standard
    error 0.004899 / sqrt(3) = 0.002828, t = -3.536: beyond 2 standard errors."""
    t, critical = paired_t(np.array([-0.010, -0.004, -0.016]), np.ones(3))
    assert t == pytest.approx(-0.010 / (np.sqrt(0.000072 / 3) / np.sqrt(3)), rel=1e-9)
    assert t == pytest.approx(-3.536, abs=1e-3) and critical == 2.0
    assert paired_t_beyond(np.array([-0.010, -0.004, -0.016]), np.ones(3))
    assert not paired_t_beyond(np.array([-0.010, 0.004, -0.016]), np.ones(3))  # t = -1.0


def test_paired_t_weights_count_as_fewer_origins():
    """Weights 1, 1, 4: effective count 36 / 18 = 2, weighted mean and spread by hand."""
    diff, w = np.array([0.0, -0.02, -0.01]), np.array([1.0, 1.0, 4.0])
    mean = (0.0 - 0.02 - 0.04) / 6
    spread = np.sqrt((mean ** 2 + (-0.02 - mean) ** 2 + 4 * (-0.01 - mean) ** 2) / 6)
    t, _ = paired_t(diff, w)
    assert t == pytest.approx(mean / (spread / np.sqrt(2.0)), rel=1e-9)


def test_paired_t_needs_two_origins():
    t, critical = paired_t(np.array([-0.5]), np.ones(1))
    assert np.isnan(t) and critical == float("inf")


def _wapes(anchor: list[float], other: list[float]) -> dict[str, dict[int, float]]:
    origins = [7 * i for i in range(len(anchor))]
    return {"mean_4w": dict(zip(origins, anchor, strict=True)),
            "mean_8w": dict(zip(origins, other, strict=True))}


def test_a_candidate_lower_by_noise_does_not_replace_the_four_week_mean():
    """mean_8w lower on average but by less than two standard errors: the anchor stays, and
    the stated test says how often and by how much it won."""
    anchor = [0.20, 0.22, 0.18, 0.21, 0.19, 0.20]
    other = [0.19, 0.23, 0.17, 0.215, 0.18, 0.205]
    name, test = _simple_choice([ANCHORED, WeekdayStat(8)], _wapes(anchor, other))
    assert name == "mean_4w" and test is not None and not test.replaced
    assert (test.candidate, test.anchor, test.wins, test.origins) == ("mean_8w", "mean_4w", 3, 6)
    gains = 1 - np.array(other) / np.array(anchor)
    assert test.mean_gain == pytest.approx(gains.mean())
    assert test.text().startswith("mean_8w beat mean_4w on 3 of 6 origin(s), by ")
    assert test.text().endswith("not beyond noise: the 4-week mean stays")


def test_many_origins_consistently_better_replace_it():
    rng = np.random.default_rng(3)
    anchor = list(rng.uniform(0.1, 0.3, 40))
    other = [a - 0.01 + rng.normal(0, 0.002) for a in anchor]
    name, test = _simple_choice([ANCHORED, WeekdayStat(8)], _wapes(anchor, other))
    assert name == "mean_8w" and test is not None and test.replaced and test.wins == 40
    assert test.record()["replaced"] is True and test.record()["critical"] == 2.0


def test_a_replacement_that_often_loses_big_is_refused_even_when_better_on_average():
    anchor = [0.20] * 30
    other = [0.12 if i % 3 else 0.215 for i in range(30)]  # a third of origins lost by 7.5%
    name, test = _simple_choice([ANCHORED, WeekdayStat(8)], _wapes(anchor, other))
    assert name == "mean_4w" and test is not None and test.big_losses == 10
    assert not test.replaced
    assert _best_simple([ANCHORED, WeekdayStat(8)], _wapes(anchor, other)) == "mean_4w"


def test_no_stated_test_when_the_anchor_ranks_first():
    name, test = _simple_choice([ANCHORED, WeekdayStat(8)],
                                _wapes([0.10, 0.11, 0.12], [0.12, 0.13, 0.14]))
    assert name == "mean_4w" and test is None


def test_a_closed_holiday_with_rows_of_zeros_stays_out_of_the_k_week_mean():
    """Memorial Day closed, exported as a day of zeros: the 4-week mean of Mondays skips it
    and reads the four Mondays with contacts."""
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


def test_the_choice_carries_the_stated_test_into_its_summary():
    """A flat queue of 20 weeks: whichever simple candidate won, the summary holds the same
    facts as the test object (the CLI, JSON and report word them)."""
    params = SyntheticParameters(start=date(2025, 1, 6), weeks=20, interval_minutes=60,
                                 daily_volume=3000, growth_per_week=0.0, country="",
                                 day_sigma=0.03, random_seed=9)
    site = build_config({"country": ""})
    y = synthetic_history(params).set_index("interval_start")["contacts"]
    panel = build_panel(y, 60, calendar_for(site))
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool))
    summary = choice.summary()
    if choice.anchor_test is None:
        assert summary["anchor_test"] is None and choice.best_simple == "mean_4w"
    else:
        assert summary["anchor_test"] == choice.anchor_test.record()
        assert (choice.best_simple == choice.anchor_test.candidate) == (
            choice.anchor_test.replaced)
