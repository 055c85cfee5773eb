"""Issue 23: special-day effects only from evidence or the planner, simple models first, the
level guard; each rule on synthetic data of known structure."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from wfm.calendar import calendar_for, local_naive
from wfm.config import ForecastSettings, build_config
from wfm.errors import InvalidInput
from wfm.forecast.candidates import WeekdayStat
from wfm.forecast.contacts import run_forecast
from wfm.forecast.panel import build_panel, to_matrix
from wfm.forecast.selection import allowed_losses, choose, level_guard, sign_test
from wfm.forecast.settings import settings_for
from wfm.forecast.special import POOLED_PRIOR_DAYS, SAME_PRIOR_DAYS
from wfm.forecast.synthetic import SyntheticParameters, expected_contacts, synthetic_history

WEEKDAYS_ONLY = (1.1, 1.0, 1.0, 0.95, 0.95, 0.0, 0.0)
US = {"country": "US", "timezone": "America/New_York", "interval_minutes": 60}


def _us_center(start: date, weeks: int, holidays: dict[str, float], pre: float = 1.0,
               seed: int = 5) -> SyntheticParameters:
    return SyntheticParameters(
        start=start, weeks=weeks, interval_minutes=60, daily_volume=20000,
        weekday_factors=WEEKDAYS_ONLY, growth_per_week=0.0, open_minutes=(7 * 60, 21 * 60),
        country="US", timezone="America/New_York", export_closed_days=False,
        multipliers={"holiday": 0.0, "pre_holiday": pre, "post_holiday": 1.0,
                     "promotion": 1.0},
        holiday_multipliers=holidays, holiday_profile="own", day_sigma=0.02, random_seed=seed)


def _specials(history: pd.DataFrame, start: date, weeks: int = 2,
              settings: ForecastSettings | None = None) -> tuple[pd.DataFrame, dict]:
    table, info = run_forecast(history, build_config(US), start=start, weeks=weeks,
                               settings=settings)
    return table, {d.date: d for d in info["default"].special_days}


def _daily(table: pd.DataFrame) -> pd.Series:
    return table.groupby(local_naive(table["interval_start"]).date)["contacts"].sum()


def test_an_unseen_open_holiday_is_an_ordinary_day_flagged_even_after_closed_ones():
    """History (January to September) holds closed holidays only: no default factor and no
    closing without evidence; Columbus Day is an ordinary Monday and the note says so."""
    history = synthetic_history(_us_center(date(2025, 1, 6), 38, {}))
    table, specials = _specials(history, date(2025, 10, 6))
    columbus = specials[date(2025, 10, 13)]
    assert (columbus.basis, columbus.multiplier, columbus.learned_from_days) == (
        "no_history", 1.0, 0)
    assert columbus.flagged and columbus.record()["flagged"]
    assert columbus.message.startswith("no history for this holiday: forecast as an ordinary "
                                       "Monday; history shows")
    assert 'day_factors = {"Columbus Day" = "closed"}' in columbus.message
    daily = _daily(table)
    assert daily[date(2025, 10, 13)] == pytest.approx(daily[date(2025, 10, 6)], rel=0.03)


def test_a_closed_holiday_seen_last_year_is_closed_again():
    """Labor Day 2024 had no rows while the days around it had contacts: closed in 2025."""
    history = synthetic_history(_us_center(date(2024, 7, 1), 61, {}))
    table, specials = _specials(history, date(2025, 8, 25))
    labor = specials[date(2025, 9, 1)]
    assert labor.basis == "closed_in_history" and labor.multiplier == 0
    assert "Labor Day on 2024-09-02 closed" in labor.message
    assert _daily(table).get(date(2025, 9, 1), 0) == 0


def test_open_holidays_are_pooled_and_shrunk_towards_one_by_count():
    """Every holiday open at x0.7: an unseen one gets the pooled ratio, shrunk by count:
    exp(n / (n + 3) * log 0.7) with n the open holiday days seen (6: New Year's Day 2025 is
    before the history starts)."""
    open_at = dict.fromkeys((
        "New Year's Day", "Martin Luther King Jr. Day", "Washington's Birthday",
        "Memorial Day", "Juneteenth National Independence Day", "Independence Day",
        "Labor Day"), 0.7)
    history = synthetic_history(_us_center(date(2025, 1, 6), 38, open_at))
    _, specials = _specials(history, date(2025, 10, 6))
    columbus = specials[date(2025, 10, 13)]
    assert columbus.basis == "pooled_holidays" and columbus.flagged  # no history of its own
    n = columbus.learned_from_days
    assert n == 6
    assert columbus.multiplier == pytest.approx(0.7 ** (n / (n + POOLED_PRIOR_DAYS)), abs=0.03)
    assert f"pooled from {n} open day(s)" in columbus.message


def test_the_same_holiday_keeps_its_ratio_shrunk_by_one_occurrence():
    history = synthetic_history(_us_center(date(2024, 9, 2), 57, {"Columbus Day": 1.3}))
    _, specials = _specials(history, date(2025, 10, 6))
    columbus = specials[date(2025, 10, 13)]
    assert columbus.basis == "same_holiday" and columbus.learned_from_days == 1
    assert columbus.multiplier == pytest.approx(1.3 ** (1 / (1 + SAME_PRIOR_DAYS)), abs=0.06)


def test_the_eve_of_a_closed_holiday_says_nothing_about_the_eve_of_an_open_one():
    """Eves of closed long weekends ran x1.2: Labor Day 2025 (closed last year) keeps the
    closed-eve effect; Columbus Day (unseen, so open) has an ordinary eve."""
    params = _us_center(date(2024, 7, 1), 58, {}, pre=1.2)
    history = synthetic_history(params)
    _, specials = _specials(history, date(2025, 8, 25))  # Labor Day 1 Sep: closed last year
    eve = specials[date(2025, 8, 29)]
    assert eve.basis == "day_kind_closed" and eve.learned_from_days >= 4
    k = eve.learned_from_days
    assert eve.multiplier == pytest.approx(1.2 ** (k / (k + POOLED_PRIOR_DAYS)), abs=0.04)
    assert "before a closed holiday" in eve.message
    history = history[local_naive(history["interval_start"]) >= pd.Timestamp("2025-01-01")]
    _, specials = _specials(history, date(2025, 10, 6))  # Columbus Day not in history
    eve = specials[date(2025, 10, 10)]
    assert (eve.basis, eve.multiplier) == ("no_history", 1.0)
    assert eve.message == "an ordinary Friday: no day before an open holiday in history"


def test_the_planner_states_factors_by_holiday_name_or_date():
    history = synthetic_history(_us_center(date(2025, 1, 6), 38, {}))
    settings = ForecastSettings(day_factors={"Columbus Day": 0.5, "2025-10-10": "closed",
                                             "2025-10-08": 1.25})
    table, specials = _specials(history, date(2025, 10, 6), settings=settings)
    daily = _daily(table)
    assert daily[date(2025, 10, 13)] == pytest.approx(0.5 * daily[date(2025, 10, 6)],
                                                      rel=0.03)
    assert daily[date(2025, 10, 10)] == 0 and specials[date(2025, 10, 10)].basis == (
        "day_factors")
    assert specials[date(2025, 10, 8)].multiplier == 1.25
    assert "day_factors 'Columbus Day'" in specials[date(2025, 10, 13)].message


def test_day_factors_are_validated():
    with pytest.raises(InvalidInput, match="day_factors\\['Christmas Day'\\] must be a factor "
                                           ">= 0 or \"closed\", got 'shut'"):
        settings_for(build_config({}), day_factors={"Christmas Day": "shut"})


def test_the_old_factor_keys_apply_only_when_set():
    assert ForecastSettings().holiday_factor is None
    assert ForecastSettings().factor_defaults()["holiday"] == 1.0
    assert ForecastSettings(holiday_factor=0.3).factor_defaults()["holiday"] == 0.3


def test_sign_test_and_curtailment():
    assert sign_test(5, 5) == pytest.approx(1 / 32)
    assert sign_test(14, 20) == pytest.approx(0.0577, abs=1e-4)
    assert allowed_losses(4, 0.05) == -1  # 4 of 4 is p = 1/16: never beyond noise
    assert allowed_losses(20, 0.05) == 5  # 15 of 20: p = 0.021; 14 of 20: p = 0.058


class _Oracle:
    """A model-based candidate that knows the true mean (it must win)."""

    family = "profile"

    def __init__(self, params: SyntheticParameters, name: str = "oracle") -> None:
        self.params, self.name = params, name

    def ordinary(self, panel, origin, days):
        first = panel.dates(origin, 1)[0]
        truth = expected_contacts(self.params, first, days).set_index("interval_start")
        return np.nan_to_num(to_matrix(truth, first, days, panel.num_slots,
                                       panel.interval_minutes))


class _Jitter:
    """A model-based candidate that is the 4-week mean scaled up or down by 1% at random:
    it beats the 4-week mean on about half the origins, by noise."""

    family = "ets"
    name = "jitter"

    def ordinary(self, panel, origin, days):
        sign = 1 if np.random.default_rng(origin).random() < 0.5 else -1
        return (1 + 0.01 * sign) * WeekdayStat(4).ordinary(panel, origin, days)


def _flat_panel(weeks: int = 30, growth: float = 0.0):
    params = SyntheticParameters(start=date(2025, 1, 6), weeks=weeks, interval_minutes=60,
                                 daily_volume=3000, growth_per_week=growth, country="",
                                 day_sigma=0.03, random_seed=9)
    y = synthetic_history(params).set_index("interval_start")["contacts"]
    return params, build_panel(y, 60, calendar_for(build_config({"country": ""})))


def test_a_model_based_candidate_that_truly_wins_is_chosen_and_says_by_how_much():
    params, panel = _flat_panel(growth=0.02)  # +2% a week: the means lag, the oracle not
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool),
                    candidates=[WeekdayStat(1, "last"), WeekdayStat(4), _Oracle(params)])
    versus = choice.versus
    assert choice.name == "oracle" and versus is not None and versus.passed
    assert versus.simple == choice.best_simple and versus.wins == versus.origins >= 10
    assert versus.text().startswith(f"oracle beat {choice.best_simple} on {versus.wins} of "
                                    f"{versus.origins} origin(s), by ")


def test_a_model_based_candidate_that_wins_only_by_noise_is_not_chosen():
    _, panel = _flat_panel()
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool),
                    candidates=[WeekdayStat(4), _Jitter()])
    assert choice.name == "mean_4w"
    assert choice.versus is not None and not choice.versus.passed
    assert 0 < choice.versus.wins < choice.versus.origins


def _fallen(drop: float = 0.85):
    """A flat 24/7 queue whose level falls 15% for the last two weeks (known truth)."""
    params = SyntheticParameters(start=date(2025, 1, 6), weeks=30, interval_minutes=60,
                                 daily_volume=3000, growth_per_week=0.0, country="",
                                 day_sigma=0.02, random_seed=4,
                                 level_shifts=(("2025-07-21", drop),))
    y = synthetic_history(params).set_index("interval_start")["contacts"]
    return params, build_panel(y, 60, calendar_for(build_config({"country": ""})))


def test_the_level_guard_reanchors_a_level_that_fell_beyond_noise():
    """The 8-week mean (the only candidate) lags the fall: the guard says so and re-anchors
    (a simple choice has nothing simpler to fall back to)."""
    params, panel = _fallen()
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool),
                    candidates=[WeekdayStat(8)], horizon_days=14)
    origin = panel.num_days
    ordinary = WeekdayStat(8).ordinary(panel, origin, 14)
    adjusted, guard = level_guard(choice, panel, origin, ordinary, None)
    assert guard is not None and guard.action == "re-anchored"
    truth = expected_contacts(params, panel.dates(origin, 1)[0], 14)["mean"].sum()
    assert ordinary.sum() > 1.08 * truth  # the lagging mean
    assert adjusted.sum() == pytest.approx(truth, rel=0.04)
    assert guard.factor == pytest.approx(adjusted.sum() / ordinary.sum())
    assert "below what the model implies" in guard.text() and "re-anchored" in guard.text()


def test_a_model_based_choice_falls_back_to_the_simple_one_when_the_level_moved():
    """The chosen oracle of the old level (a model that missed the fall) is replaced by the
    best simple candidate when that one reads the recent level right."""
    params, panel = _fallen()
    choice = choose(panel, ForecastSettings(), np.ones(24, dtype=bool),
                    candidates=[WeekdayStat(1, "last"), WeekdayStat(2)], horizon_days=14)
    origin = panel.num_days
    stale = 1 / 0.85 * choice.model.ordinary(panel, origin, 14)  # the level before the fall
    simple = choice.model.ordinary(panel, origin, 14)
    choice.recent_logs[choice.name + "_stale"] = choice.recent_logs[choice.name]
    choice.model = type("Stale", (), {"name": choice.name + "_stale"})()
    adjusted, guard = level_guard(choice, panel, origin, stale, simple)
    assert guard is not None and guard.action.startswith("fell back to the best simple")
    np.testing.assert_allclose(adjusted, simple)


def test_the_level_guard_stays_quiet_on_a_steady_queue():
    params, panel = _flat_panel()
    history = synthetic_history(params)
    site = build_config({"country": "", "interval_minutes": 60})
    _, info = run_forecast(history, site, start=params.start + timedelta(weeks=30), weeks=2)
    guard = info["default"].choice.guard
    assert guard is not None and guard.action == "none" and guard.factor == 1.0


def test_the_cli_flags_an_unseen_holiday_in_text_and_json(tmp_path):
    import json

    from typer.testing import CliRunner

    from wfm_cli.main import app

    history = synthetic_history(_us_center(date(2025, 1, 6), 38, {}))
    path = tmp_path / "history.csv"
    history.assign(interval_start=history["interval_start"].map(lambda t: t.isoformat())
                   ).to_csv(path, index=False)
    site = tmp_path / "site.toml"
    site.write_text('country = "US"\ntimezone = "America/New_York"\ninterval_minutes = 60\n',
                    encoding="utf-8")
    args = ["forecast", "--history", str(path), "--start", "2025-10-06", "--weeks", "2",
            "-o", str(tmp_path / "f.csv"), "--config", str(site)]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    [flag] = [w for w in summary["warnings"] if "no history for this holiday" in w]
    assert flag.startswith("queue default 2025-10-13 Columbus Day: no history for this "
                           "holiday: forecast as an ordinary Monday")
    [day] = [d for d in summary["special_days"] if d["date"] == "2025-10-13"]
    assert day["flagged"] and day["basis"] == "no_history"
    # how the winner fared against the planner's 4-week mean, as values and in words
    anchor = summary["models"]["default"]["anchor_test"]
    assert anchor["anchor"] == "mean_4w" and anchor["candidate"] != "mean_4w"
    assert anchor["wins"] <= anchor["origins"] and anchor["critical"] == 2.0
    assert anchor["replaced"] == (anchor["t"] < -anchor["critical"])
    text = CliRunner().invoke(app, args).output
    assert "warning: queue default 2025-10-13 Columbus Day: no history for this holiday" in text
    assert "origin(s) at a 2-week horizon" in text
    assert (f"against the 4-week mean: {anchor['candidate']} beat mean_4w on "
            f"{anchor['wins']} of {anchor['origins']} origin(s)") in text


def test_an_effect_within_noise_of_an_ordinary_day_is_not_applied():
    """Columbus Day truly ordinary (x1.0) last year: its one noisy occurrence is within two
    standard errors of 1.0, so it is forecast x1.00 and the message says why."""
    history = synthetic_history(_us_center(date(2024, 9, 2), 57, {"Columbus Day": 1.0}))
    _, specials = _specials(history, date(2025, 10, 6))
    columbus = specials[date(2025, 10, 13)]
    assert columbus.basis == "same_holiday" and columbus.multiplier == 1.0
    assert "is within noise of an ordinary day, so x1.00" in columbus.message
