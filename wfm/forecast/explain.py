"""The model choice of each queue as table rows, for the report and other summaries."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from wfm.calendar import calendar_for, local_naive
from wfm.config import SiteConfig
from wfm.forecast.contacts import _window
from wfm.forecast.panel import build_panel
from wfm.forecast.selection import choose
from wfm.forecast.settings import settings_for
from wfm.forecast.special import apply_effects, learn_effects


def choice_rows(history: pd.DataFrame, config: SiteConfig,
                before: pd.Timestamp | None = None, days: int = 14) -> list[dict[str, Any]]:
    """Per queue: the model the choice picks on history before ``before`` (all of it when
    None), its interval WAPE, the runner-up and the margin, seasonal naive, the bias, and
    ``notes``: how the best model-based candidate fared against the best simple one, and
    every holiday of the next ``days`` days forecast as an ordinary day for want of
    evidence (the planner should check it); ``versus`` and ``unseen_holidays`` hold the same
    facts as values, for a page or report that words them in its own language."""
    settings = settings_for(config)
    calendar = calendar_for(config)
    out = []
    for queue, rows in history.groupby(history["queue"].astype(str), sort=True):
        if before is not None:
            rows = rows[rows["interval_start"] < before]
        known = rows["contacts"].notna()
        if local_naive(rows.loc[known, "interval_start"]).normalize().nunique() < (
                settings.min_history_days):
            continue
        panel = build_panel(rows.set_index("interval_start")["contacts"],
                            config.interval_minutes, calendar)
        choice = choose(panel, settings, _window(config, panel.num_slots),
                        config.open_window_minutes(), horizon_days=days)
        summary = choice.summary()
        origin = panel.num_days if before is None else panel.row_of(
            local_naive(pd.DatetimeIndex([before]))[0].date())
        effects = learn_effects(panel, origin, settings)
        _, specials = apply_effects(effects, panel, origin, np.zeros((days, panel.num_slots)))
        notes = [choice.versus.text()] if choice.versus is not None else []
        notes += [choice.anchor_test.text()] if choice.anchor_test is not None else []
        notes += [f"{d.date} {d.holiday}: {d.message}" for d in specials if d.flagged]
        naive = next((c for c in summary["candidates"] if c["model"] == "seasonal_naive"), None)
        out.append({"queue": queue, "model": summary["model"], "rule": summary["rule"],
                    "interval_wape": summary.get("interval_wape"),
                    "runner_up": summary["runner_up"],
                    "margin_vs_runner_up": summary["margin_vs_runner_up"],
                    "seasonal_naive_wape": naive["interval_wape"] if naive else None,
                    "bias": summary.get("bias"), "bias_noise": summary.get("bias_noise"),
                    "notes": notes,
                    "versus": choice.versus.record() if choice.versus is not None else None,
                    "anchor_test": (choice.anchor_test.record()
                                    if choice.anchor_test is not None else None),
                    "unseen_holidays": [{"date": d.date, "holiday": d.holiday}
                                        for d in specials if d.flagged]})
    return out


def unseen_holidays(history: pd.DataFrame, config: SiteConfig, days: list[date]
                    ) -> list[dict[str, Any]]:
    """Per queue of ``history`` (interval history or the actuals table: ``contacts`` or
    ``offered``), the holidays among ``days`` that the forecast treats as ordinary days of
    their weekday for want of evidence (``SpecialDay.flagged``): no earlier occurrence in
    that history and no planner setting. What a planner page shows next to a published
    forecast; cheap (no model choice)."""
    if history.empty or not days:
        return []
    settings = settings_for(config)
    calendar = calendar_for(config)
    column = "contacts" if "contacts" in history.columns else "offered"
    first, last = min(days), max(days)
    wanted = set(days)
    out = []
    for queue, rows in history.groupby(history["queue"].astype(str), sort=True):
        series = rows.set_index("interval_start")[column].astype(float)
        series = series[local_naive(pd.DatetimeIndex(series.index)).date < first]
        if series.empty:
            continue
        panel = build_panel(series, config.interval_minutes, calendar)
        origin = panel.row_of(first)
        span = (last - first).days + 1
        effects = learn_effects(panel, origin, settings)
        _, specials = apply_effects(effects, panel, origin, np.zeros((span, panel.num_slots)))
        out += [{"queue": queue, "date": d.date, "holiday": d.holiday, "message": d.message}
                for d in specials if d.flagged and d.date in wanted]
    return out
