"""Short-history benchmark: the stated short-history rule of the model choice against fixed rules.

Run from the project root: ``python bench/forecast_short_history.py``.

Each series is cut to 14, 17, 21, 24, 28 and 31 days of history from several starting days
(Anonymous Bank 1999: 1 January and 1 October; synthetic: eight starts 3 weeks apart) and the
next 7 days are forecast with the shared special-day layer and open hours. Compared on the
same cuts: the rule ``wfm.forecast.selection.choose`` applies on that history (under 35 days:
one-week-ahead folds among seasonal naive, the k-week means and the profile model), the
profile model alone (the former rule), the mean of the same weekday and interval over all
available weeks, and seasonal naive. Printed: pooled interval WAPE and bias per series, and
by length of history. Synthetic shapes: 24/7 flat and with a weekly shape, a weekday-only
07:00-21:00 center with US holidays and no rows on closed days, closed weekends with zero
rows; each without trend and with +2% a week.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import calendar_for
from wfm.config import SiteConfig, build_config
from wfm.forecast.anonymous_bank import bank_history, default_bank_dir
from wfm.forecast.candidates import ProfileCandidate, WeekdayStat
from wfm.forecast.contacts import _window
from wfm.forecast.panel import build_panel
from wfm.forecast.selection import choose
from wfm.forecast.settings import settings_for
from wfm.forecast.special import apply_effects, learn_effects
from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

LENGTHS = (14, 17, 21, 24, 28, 31)


def series_sets() -> list[tuple[str, SiteConfig, pd.DataFrame, list[date]]]:
    out = []
    if default_bank_dir().exists():
        site = build_config({"timezone": "Etc/GMT-2", "country": "IL", "interval_minutes": 30})
        out.append(("Anonymous Bank 1999", site, bank_history(default_bank_dir(), site),
                    [date(1999, 1, 1), date(1999, 10, 1)]))
    weekdays_only = (1.1, 1.0, 1.0, 0.95, 0.95, 0.0, 0.0)
    closed = {"holiday": 0.0, "pre_holiday": 1.0, "post_holiday": 1.15, "promotion": 2.0}
    us = {"country": "US", "timezone": "America/New_York"}
    for growth in (0.0, 0.02):
        shapes: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            ("24/7 flat", {"country": ""},
             {"weekday_factors": (1.0,) * 7, "country": "", "open_minutes": (0, 1440),
              "random_seed": 11}),
            ("24/7 weekly shape", {"country": ""},
             {"country": "", "open_minutes": (0, 1440), "random_seed": 12}),
            ("weekday-only 07-21 US", {**us, "open_hours": "07:00-21:00"},
             {"daily_volume": 21500, "weekday_factors": weekdays_only,
              "open_minutes": (420, 1260), "country": "US", "timezone": "America/New_York",
              "export_closed_days": False, "holiday_profile": "own", "day_sigma": 0.05,
              "random_seed": 13, "multipliers": closed}),
            ("closed weekends (zero rows)", us,
             {"weekday_factors": (1.2, 1.1, 1.0, 1.0, 0.9, 0.0, 0.0),
              "open_minutes": (480, 1200), "country": "US", "timezone": "America/New_York",
              "holiday_profile": "own", "random_seed": 14, "multipliers": closed})]
        for name, config, extra in shapes:
            params = SyntheticParameters(**{"start": date(2024, 9, 2), "weeks": 30,
                                            "daily_volume": 4000, "growth_per_week": growth,
                                            **extra})
            starts = [params.start + timedelta(days=7 * i + i % 3) for i in range(0, 24, 3)]
            out.append((f"synthetic {name}, {100 * growth:+.0f}%/week", build_config(config),
                        synthetic_history(params), starts))
    return out


def main() -> None:
    rows = []
    for name, site, history, starts in series_sets():
        settings, calendar = settings_for(site), calendar_for(site)
        queue = history["queue"] == history["queue"].iloc[0]
        for first in starts:
            for length in LENGTHS:
                begin = pd.Timestamp(first).tz_localize(site.tz)
                part = history[queue & (history["interval_start"] >= begin)
                               & (history["interval_start"] < begin
                                  + pd.Timedelta(days=length + 7))]
                if part.empty:
                    continue
                y = part.set_index("interval_start")["contacts"]
                panel = build_panel(y, site.interval_minutes, calendar)
                origin = max(panel.row_of(first), 0) + length
                if origin + 7 > panel.num_days:
                    continue
                window = _window(site, panel.num_slots)
                short = build_panel(y[y.index < panel.origin_time(origin)],
                                    site.interval_minutes, calendar)
                rules = {"chosen (short-history rule)": choose(
                             short, settings, window, site.open_window_minutes()).model,
                         "profile alone": ProfileCandidate(settings, site.open_window_minutes()),
                         "mean of all weeks": WeekdayStat(52, "mean"),
                         "seasonal naive": WeekdayStat(1, "last")}
                effects = learn_effects(panel, origin, settings)
                actual = panel.values[origin:origin + 7]
                known = np.isfinite(actual)
                for rule, model in rules.items():
                    ordinary = np.maximum(np.nan_to_num(model.ordinary(panel, origin, 7)), 0)
                    forecast = apply_effects(effects, panel, origin, ordinary)[0] * window
                    error = np.where(known, forecast - actual, 0.0)
                    rows.append({"series": name, "days": length, "rule": rule,
                                 "abs": np.abs(error).sum(), "signed": error.sum(),
                                 "actual": np.where(known, actual, 0.0).sum()})
    table = pd.DataFrame(rows)
    pooled = table.groupby(["series", "rule"], sort=False)[["abs", "signed", "actual"]].sum()
    wape = (100 * pooled["abs"] / pooled["actual"]).unstack("rule")
    bias = (100 * pooled["signed"] / pooled["actual"]).unstack("rule")
    pd.set_option("display.width", 200)
    print("== interval WAPE (%), 7 days ahead, pooled over the cuts")
    print(wape.round(1).to_string())
    best = wape.min(axis=1)
    print("  worst excess over the best rule of each series: " + ", ".join(
        f"{rule} {100 * float((wape[rule] / best - 1).max()):.1f}%" for rule in wape.columns))
    print("\n== bias (%)")
    print(bias.round(1).to_string())
    table["history"] = np.where(table["days"] < 21, "14-20 days",
                                np.where(table["days"] < 28, "21-27 days", "28-34 days"))
    by_length = table.groupby(["history", "rule"])[["abs", "actual"]].sum()
    print("\n== interval WAPE (%) by length of history, all series")
    print((100 * by_length["abs"] / by_length["actual"]).unstack("rule").round(1).to_string())


if __name__ == "__main__":
    main()
