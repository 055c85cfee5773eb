"""Model choice per queue by a rolling-origin backtest on the queue's own history.

Origins step back a week at a time from the end of history (``selection_folds`` of them, each
with at least ``MIN_FIT_DAYS`` days before it); from each origin every candidate forecasts the
next two weeks from the history before it, and is scored on the one- and two-week-ahead days
that history holds (Hyndman & Athanasopoulos, *FPP* 3rd ed., sec. 5.10). Every candidate gets
the same special-day layer (learned at the same origin) and the same open hours, so they differ
only in how they forecast an ordinary day.

Score: interval WAPE pooled over every fold, outlier days (``candidates.outlier_days``, the
screen the candidates apply to their own history) left out, so one call-back storm in a scored
week does not decide the choice; candidates within ``TIE`` (relative) of the best are
tied and the lowest daily WAPE among them wins. The mean of the best two candidates of different
families is scored too and wins only when it is better still. Bias (sum of forecast - actual over
sum of actual) is reported with its noise: twice ``sqrt(sum of squared daily errors) / sum of
actual``, the spread a bias estimate of unbiased daily errors would have.

Short history: with fewer than ``MIN_FOLDS`` scorable folds (under five weeks of history), the
stated rule is a one-week-ahead backtest on the short history itself: weekly origins with at least
``SHORT_FIT_DAYS`` days before them, among the simple candidates (seasonal naive, the k-week
means, whose longest k is the mean of the same weekday and interval over all available weeks,
and the profile model; no medians, ETS or combinations, which need more weeks). On 2-4 week cuts
of the Anonymous Bank months and of synthetic 24/7, weekday-only and closed-weekend series with
and without trend, this rule stayed within about 7% of the best single rule on every series,
where any one fixed model lost up to 12-24% on some. Under ``SHORT_FIT_DAYS + 7`` days the
choice is ``SHORT_HISTORY_MODEL`` unscored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from wfm.config import ForecastSettings
from wfm.errors import InvalidInput
from wfm.forecast.candidates import Combination, candidate_set, outlier_days
from wfm.forecast.panel import Panel
from wfm.forecast.special import SpecialEffects, apply_effects, learn_effects

HORIZON_DAYS = 14
MIN_FIT_DAYS = 21
MIN_FOLDS = 2
SHORT_FIT_DAYS = 7  # history before a short-history origin: one week of every weekday
SHORT_HORIZON_DAYS = 7
SHORT_FAMILIES = ("seasonal_naive", "mean", "profile")
TIE = 0.005
SHORT_HISTORY_MODEL = "profile"


@dataclass(frozen=True)
class Score:
    """One candidate's pooled backtest errors (fractions)."""

    name: str
    family: str
    interval_wape: float
    daily_wape: float
    bias: float
    bias_noise: float
    intervals: int
    days: int

    def record(self) -> dict[str, Any]:
        return {"model": self.name, "interval_wape": self.interval_wape,
                "daily_wape": self.daily_wape, "bias": self.bias,
                "bias_noise": self.bias_noise, "intervals": self.intervals, "days": self.days}


@dataclass
class Choice:
    """The chosen candidate of one queue and why."""

    model: Any
    rule: str  # "backtest", "configured" or "short history" (module notes)
    scores: list[Score] = field(default_factory=list)
    folds: list[date] = field(default_factory=list)
    day_sigma: float = 0.15  # spread of log(actual / forecast) daily totals on the folds
    dispersion: float = 0.0  # extra-Poisson interval dispersion around the day's shape
    block_dispersion: float = 0.0  # extra variance of a part-day's level around the rest's
    pool: dict[str, Any] = field(default_factory=dict)  # every candidate scored, by name

    @property
    def name(self) -> str:
        return str(self.model.name)

    def score(self, name: str) -> Score | None:
        return next((s for s in self.scores if s.name == name), None)

    @property
    def runner_up(self) -> Score | None:
        others = [s for s in self.scores if s.name != self.name]
        return min(others, key=lambda s: s.interval_wape, default=None)

    @property
    def margin(self) -> float | None:
        """How much lower the chosen interval WAPE is than the best other candidate's
        (relative; negative when a tie-break chose a slightly higher one)."""
        chosen, other = self.score(self.name), self.runner_up
        if chosen is None or other is None or not other.interval_wape > 0:
            return None
        return 1 - chosen.interval_wape / other.interval_wape

    @property
    def rule_text(self) -> str:
        """The rule that made this choice, in words (CLI and JSON)."""
        if self.rule == "configured":
            return "the model set by [forecast] model"
        if self.rule == "backtest":
            return (f"lowest interval WAPE on {len(self.folds)} rolling one- and two-week-ahead "
                    "folds among every candidate and the mean of the best two")
        if not self.scores:
            return (f"under {SHORT_FIT_DAYS + 7} days of history: too short to backtest, "
                    f"{SHORT_HISTORY_MODEL} unscored")
        return (f"short history (under {MIN_FIT_DAYS + 7 * MIN_FOLDS} days): lowest interval "
                f"WAPE on {len(self.folds)} one-week-ahead fold(s) among seasonal naive, the "
                "k-week means (the longest: all available weeks) and profile")

    def summary(self) -> dict[str, Any]:
        chosen, other, naive = self.score(self.name), self.runner_up, self.score(
            "seasonal_naive")
        out: dict[str, Any] = {"model": self.name, "rule": self.rule,
                               "rule_text": self.rule_text,
                               "folds": [d.isoformat() for d in self.folds],
                               "margin_vs_runner_up": self.margin,
                               "runner_up": other.name if other else None}
        if chosen is not None:
            out.update(interval_wape=chosen.interval_wape, daily_wape=chosen.daily_wape,
                       bias=chosen.bias, bias_noise=chosen.bias_noise,
                       bias_within_noise=bool(abs(chosen.bias) <= chosen.bias_noise))
        if chosen is not None and naive is not None and naive.interval_wape > 0:
            out["gain_vs_seasonal_naive"] = 1 - chosen.interval_wape / naive.interval_wape
        out["candidates"] = [s.record() for s in self.scores]
        return out


def fold_origins(panel: Panel, folds: int, min_fit: int = MIN_FIT_DAYS) -> list[int]:
    """Weekly origins, oldest first: each with ``min_fit`` days of history before it and
    at least 4 days with data in the week after it."""
    known = np.isfinite(panel.values).any(axis=1)
    first_known = int(np.argmax(known))
    out: list[int] = []
    origin = panel.num_days - 7
    while len(out) < folds and origin - first_known >= min_fit:
        if known[origin:origin + 7].sum() >= 4:
            out.append(origin)
        origin -= 7
    return out[::-1]


@dataclass
class _Tally:
    abs_error: float = 0.0
    signed: float = 0.0
    actual: float = 0.0
    intervals: int = 0
    day_abs: float = 0.0
    day_actual: float = 0.0
    day_sq: float = 0.0
    days: int = 0

    def add(self, actual: np.ndarray, forecast: np.ndarray) -> None:
        known = np.isfinite(actual)
        f = np.where(known, forecast, 0.0)
        y = np.where(known, actual, 0.0)
        self.abs_error += float(np.abs(f - y).sum())
        self.signed += float((f - y).sum())
        self.actual += float(y.sum())
        self.intervals += int(known.sum())
        day_known = known.any(axis=1)
        day_error = (f - y).sum(axis=1)[day_known]
        self.day_abs += float(np.abs(day_error).sum())
        self.day_sq += float((day_error ** 2).sum())
        self.day_actual += float(y.sum(axis=1)[day_known].sum())
        self.days += int(day_known.sum())

    def score(self, name: str, family: str) -> Score:
        nan = float("nan")
        return Score(name, family,
                     self.abs_error / self.actual if self.actual > 0 else nan,
                     self.day_abs / self.day_actual if self.day_actual > 0 else nan,
                     self.signed / self.actual if self.actual > 0 else nan,
                     2 * np.sqrt(self.day_sq) / self.actual if self.actual > 0 else nan,
                     self.intervals, self.days)


def forecast_rows(model: Any, panel: Panel, origin: int, days: int, effects: SpecialEffects,
                  window: np.ndarray) -> np.ndarray:
    """A candidate's forecast of rows ``origin ..`` with special days and open hours."""
    ordinary = np.maximum(np.nan_to_num(model.ordinary(panel, origin, days)), 0.0)
    adjusted, _ = apply_effects(effects, panel, origin, ordinary)
    return adjusted * window[None, :]


def choose(panel: Panel, settings: ForecastSettings, window: np.ndarray,
           open_window: tuple[int, int] | None = None,
           candidates: list[Any] | None = None) -> Choice:
    """Score every candidate (default: ``candidate_set``) on the panel's own folds and pick
    one (see the module notes)."""
    candidates = candidates or candidate_set(settings, open_window)
    by_name = {c.name: c for c in candidates}
    if settings.model != "auto" and settings.model not in by_name:
        raise InvalidInput(f"forecast setting model: unknown model {settings.model!r}; use "
                           f"'auto' or one of {', '.join(by_name)}")
    origins = fold_origins(panel, settings.selection_folds)
    rule, horizon = "backtest", HORIZON_DAYS
    if len(origins) < MIN_FOLDS:
        origins = fold_origins(panel, settings.selection_folds, SHORT_FIT_DAYS)
        if settings.model != "auto" or not origins:
            name = settings.model if settings.model != "auto" else SHORT_HISTORY_MODEL
            return Choice(by_name[name], "short history" if settings.model == "auto"
                          else "configured", pool=by_name)
        rule, horizon = "short history", SHORT_HORIZON_DAYS
        candidates = [c for c in candidates if c.family in SHORT_FAMILIES]
    weekdays, kinds, _ = panel.day_info(0, panel.num_days)
    screened = outlier_days(panel.totals(panel.num_days), weekdays,
                            np.isfinite(panel.values).any(axis=1) & (kinds == "normal"))
    tallies = {c.name: _Tally() for c in candidates}
    stored: dict[str, list[np.ndarray]] = {c.name: [] for c in candidates}
    actuals = []
    for origin in origins:
        days = min(horizon, panel.num_days - origin)
        effects = learn_effects(panel, origin, settings)
        actual = panel.values[origin:origin + days].copy()
        actual[screened[origin:origin + days]] = np.nan  # an outlier day is not scored
        actuals.append(actual)
        for candidate in candidates:
            predicted = forecast_rows(candidate, panel, origin, days, effects, window)
            tallies[candidate.name].add(actual, predicted)
            stored[candidate.name].append(predicted)
    scores = [tallies[c.name].score(c.name, c.family) for c in candidates]
    best_two = _best_of_families(scores) if rule == "backtest" else []
    if len(best_two) == 2:
        combo = Combination(by_name[best_two[0].name], by_name[best_two[1].name])
        tally = _Tally()
        combined = [0.5 * (a + b) for a, b in zip(stored[best_two[0].name],
                                                  stored[best_two[1].name], strict=True)]
        for actual, predicted in zip(actuals, combined, strict=True):
            tally.add(actual, predicted)
        scores.append(tally.score(combo.name, combo.family))
        by_name[combo.name] = combo
        stored[combo.name] = combined
    if settings.model != "auto":
        name, rule = settings.model, "configured"
    else:
        name = _pick(scores)
    sigma, dispersion = _spread(actuals, stored[name])
    return Choice(by_name[name], rule, scores, [panel.dates(o, 1)[0] for o in origins], sigma,
                  dispersion, part_day_dispersion(actuals, stored[name]), by_name)


def _best_of_families(scores: list[Score]) -> list[Score]:
    best: dict[str, Score] = {}
    for s in sorted((s for s in scores if np.isfinite(s.interval_wape)),
                    key=lambda s: s.interval_wape):
        best.setdefault(s.family, s)
    return sorted(best.values(), key=lambda s: s.interval_wape)[:2]


def _pick(scores: list[Score]) -> str:
    finite = [s for s in scores if np.isfinite(s.interval_wape)]
    if not finite:
        return SHORT_HISTORY_MODEL
    best = min(s.interval_wape for s in finite)
    tied = [s for s in finite if s.interval_wape <= best * (1 + TIE)]
    return min(tied, key=lambda s: (np.nan_to_num(s.daily_wape, nan=np.inf),
                                    s.interval_wape)).name


def _spread(actuals: list[np.ndarray], predicted: list[np.ndarray]) -> tuple[float, float]:
    """Robust spread of log(actual / forecast) daily totals, and the extra-Poisson dispersion
    ``a`` (Var = mu + a mu^2) of intervals around (actual day total x forecast shape)."""
    y = np.vstack(actuals)
    f = np.vstack(predicted)
    known = np.isfinite(y)
    y0, f0 = np.where(known, y, 0.0), np.where(known, f, 0.0)
    day_y, day_f = y0.sum(axis=1), f0.sum(axis=1)
    ok = (day_y > 0) & (day_f > 0)
    sigma = 0.15
    if ok.sum() >= 5:
        logs = np.log(day_y[ok] / day_f[ok])
        sigma = float(max(1.4826 * np.median(np.abs(logs - np.median(logs))), 0.02))
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(day_f[:, None] > 0, f0 / day_f[:, None], 0.0) * day_y[:, None]
    use = known & (shape > 0) & ok[:, None]
    if use.sum() < 10:
        return sigma, 0.0
    mu, obs = shape[use], y[use]
    return sigma, float(np.clip(np.sum((obs - mu) ** 2 - mu) / np.sum(mu ** 2), 0.0, 1.0))


PART_DAY_CUTS = (0.25, 0.5, 0.75)  # shares of the forecast day at which a day is split


def part_day_dispersion(actuals: list[np.ndarray], predicted: list[np.ndarray]) -> float:
    """Extra relative variance ``b`` of a part-day's level beyond Poisson and beyond the level
    it shares with the rest of its day, measured on the folds (0 on under 10 whole days).

    Each fully known fold day is split where the forecast reaches each share of
    ``PART_DAY_CUTS``; with ``x = A / E`` (arrived over expected before the cut) and ``z`` the
    same ratio after it, ``Var(x) = Var(theta) + E[1 / E] + b`` and ``Cov(x, z) = Var(theta)``
    when the part-day deviations of the two sides are independent, so
    ``b = Var(x) - Cov(x, z) - mean(1 / E)``. Deviations that stay within a half-day (a busy
    morning, a quiet afternoon) make a morning a weaker witness of the afternoon than
    interval-level dispersion alone says; this is what the intraday update discounts.
    """
    y, f = np.vstack(actuals), np.vstack(predicted)
    whole = np.isfinite(y).all(axis=1) & (f.sum(axis=1) > 0) & (y.sum(axis=1) > 0)
    y, f = y[whole], f[whole]
    if len(y) < 10:
        return 0.0
    cum_f, cum_y = np.cumsum(f, axis=1), np.cumsum(y, axis=1)
    total_f, total_y = cum_f[:, -1], cum_y[:, -1]
    xs, zs, inv = [], [], []
    for share in PART_DAY_CUTS:
        cut = np.argmax(cum_f >= share * total_f[:, None], axis=1)
        rows = np.arange(len(y))
        expected, arrived = cum_f[rows, cut], cum_y[rows, cut]
        rest_f, rest_y = total_f - expected, total_y - arrived
        ok = (expected > 0) & (rest_f > 0)
        xs.append(arrived[ok] / expected[ok])
        zs.append(rest_y[ok] / rest_f[ok])
        inv.append(1 / expected[ok])
    x, z = np.concatenate(xs), np.concatenate(zs)
    if len(x) < 10:
        return 0.0
    excess = np.var(x) - np.mean((x - x.mean()) * (z - z.mean())) - np.mean(np.concatenate(inv))
    return float(np.clip(excess, 0.0, 1.0))
