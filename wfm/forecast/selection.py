"""Model choice per queue: simple models first, chosen over every weekly origin the history
allows, and a level guard.

Origins step back a week at a time from the end of history (every origin with at least
``MIN_FIT_DAYS`` days before it and 4 days with data in the week after it; ``[forecast]
selection_folds`` caps their number, 0: all); from each origin a candidate forecasts the
horizon asked for (``horizon_days``) from the history before it and is scored on the days of
it that history holds (Hyndman & Athanasopoulos, *FPP* 3rd ed., sec. 5.10). Every candidate
gets the same special-day layer (learned at the same origin) and the same open hours, so they
differ only in how they forecast an ordinary day. Outlier days (``candidates.outlier_days``)
are not scored.

1. The simple family (seasonal naive, the k-week means and medians of the same weekday and
   interval) is scored on every origin; the best simple candidate has the lowest weighted mean
   of its per-origin interval WAPEs, each origin weighing 0.5 ** (age / 13 weeks): a recent
   origin (even one whose horizon history only partly holds) weighs more than an old one, so a
   change of level or shape shows within weeks, and a year of origins still counts. The 4-week
   mean (``ANCHOR``, the planner's own number: the same weekday and interval over the last 4
   weeks with data, an outlier or special day replaced by the next older ordinary day but not
   from before a gap in history, ``candidates.window_rows``) is kept unless that best simple
   candidate's weighted mean WAPE is lower by more than two standard errors of their paired
   per-origin differences (effective count (sum w)^2 / sum w^2) and it lost to the 4-week
   mean by more than 5% on at most one origin in five (the issue's quality bar, on past
   origins); otherwise the next best simple candidate is tried the same way. When none
   passes, the 4-week mean is the choice: a tie goes to the planner's number. (A Student t
   quantile in place of the 2, stricter on 2-5 origins, was tried on the regret bench: it
   cost 0.01-0.07 points of WAPE on 8 of its 10 data sets and closed no gap, so the rule
   stays as it was.)
2. A model-based candidate (``profile``, ``ets``, and the mean of each with the best simple
   candidate) is chosen only when it beats the best simple candidate origin by origin beyond
   noise: a one-sided exact sign test at 5%, Bonferroni-corrected over the model-based
   candidates tested, on the *non-overlapping* origins (one every ``ceil(horizon / 7)``
   weeks back from the latest, at most ``MAX_TEST_ORIGINS``, so the paired differences do
   not share days), a mean gain above 0 and a loss of more than 5% to it on at most one
   test origin in five. Among those that pass, the largest mean gain wins. Scoring a
   model-based candidate stops as soon as it has lost on so many origins that it can no
   longer pass (a curtailed test: the same decision, at a fraction of the
   fits). Taylor (2008, *Management Science* 54(2)) found on five UK bank call centers that
   beyond two or three days ahead "a simplistic historical average is difficult to beat":
   the burden of proof is on the model.
3. The output says how often the best model-based candidate beat the best simple one ("beat
   median_4w on 14 of 17 origins, by 6% on average") whichever wins, and how the best simple
   candidate fared against the 4-week mean (``anchor_test``: wins, mean gain, the
   paired t and the value it had to pass).

Short history: with fewer than ``MIN_FOLDS`` such origins (under five weeks of history) the
origins need only ``SHORT_FIT_DAYS`` days before them and the horizon scored is one week;
the candidates are seasonal naive and the k-week means (the longest is the mean over all
available weeks), with ``profile`` under the same paired test (which 2-4 origins cannot pass).
Under ``SHORT_FIT_DAYS + 7`` days the choice is ``SHORT_HISTORY_MODEL`` unscored.

Level guard (``level_guard``): at every scored origin, the ratio of the last two weeks'
ordinary daily totals before it to what the model forecasts for the same weekdays from it
(log scale) gives the usual ratio and its noise (the median and 1.4826 MAD over origins, at
least the Poisson noise of the two weeks). The usual ratio absorbs what a model does by design
(a trend model forecasts above the last two weeks of a growing series). When the ratio at
the forecast origin departs from the usual one by more than ``GUARD_Z`` noise units (3: about
one false alarm in 370 origins under normal noise), the forecast says so and: a model-based
choice falls back to the best simple candidate when that one's own ratio is within its noise;
otherwise the chosen forecast is re-anchored (scaled by the departure), unless re-anchoring
made the WAPE worse on average at the past origins where it would have fired (at least
``GUARD_MIN_PAST`` of them): then it is kept as it is. The output states which.

Bias (sum of forecast - actual over sum of actual) is reported with its noise: twice
``sqrt(sum of squared daily errors) / sum of actual``.
"""

from __future__ import annotations

import math
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
SIMPLE_FAMILIES = ("seasonal_naive", "mean", "median")
SHORT_FAMILIES = ("seasonal_naive", "mean", "profile")
SHORT_HISTORY_MODEL = "profile"
ALPHA = 0.05  # the paired sign test's level (before the Bonferroni correction)
MAX_TEST_ORIGINS = 26  # non-overlapping origins of the paired test (half a year of weeks)
# the best simple candidate's origins weigh less with age: a quarter ago counts half, so a
# level or shape change is reflected within weeks while a year of origins still counts
RECENCY_HALFLIFE_WEEKS = 13.0
# the planner's own number (Taylor 2008: a simple average is hard to beat) anchors the simple
# family: another simple candidate replaces it only when better beyond noise
ANCHOR = "mean_4w"
ANCHOR_SE = 2.0  # standard errors of the paired per-origin differences (module notes)
# the quality bar, applied to the past origins before a replacement is allowed: it
# must not have lost to what it replaces by more than 5% on more than one origin in five
BIG_LOSS = 0.05
BIG_LOSS_SHARE = 0.2
GUARD_DAYS = 14  # the recent weeks the level guard reads
GUARD_Z = 3.0  # departures beyond this many noise units trigger the guard
GUARD_MIN_PAST = 3  # past firings needed before their outcome may veto a re-anchoring


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


@dataclass(frozen=True)
class Versus:
    """The best model-based candidate against the best simple one on the test origins."""

    candidate: str
    simple: str
    wins: int
    origins: int  # compared (ties left out)
    mean_gain: float  # mean over origins of 1 - WAPE(candidate) / WAPE(simple)
    p_value: float
    alpha: float  # the corrected level
    complete: bool  # False: scoring stopped once it could no longer pass
    too_few: int = 0  # > 0: the test origins available, too few for any candidate to pass
    big_losses: int = 0  # origins where it lost to the simple one by more than 5%

    @property
    def passed(self) -> bool:
        return (self.p_value <= self.alpha and self.mean_gain > 0
                and self.big_losses <= BIG_LOSS_SHARE * max(self.origins, 1))

    def text(self) -> str:
        if self.too_few:
            return (f"model-based candidates not tried: {self.too_few} non-overlapping "
                    f"origin(s) cannot pass a sign test at {self.alpha:.4f}")
        return (f"{self.candidate} beat {self.simple} on {self.wins} of {self.origins} "
                f"origin(s), by {100 * self.mean_gain:.1f}% on average (sign test p = "
                f"{self.p_value:.3f}, needed <= {self.alpha:.4f}; lost by over 5% on "
                f"{self.big_losses})"
                + ("" if self.complete else "; stopped once it could no longer pass"))

    def record(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "simple": self.simple, "wins": self.wins,
                "origins": self.origins, "mean_gain": self.mean_gain,
                "p_value": self.p_value, "alpha": self.alpha, "passed": self.passed,
                "complete": self.complete, "too_few_origins": self.too_few,
                "big_losses": self.big_losses,
                "text": self.text()}


@dataclass(frozen=True)
class AnchorTest:
    """A simple candidate against the anchor (the 4-week mean) over the scored origins: the
    paired test (``ANCHOR_SE`` standard errors) that lets it replace the anchor (module
    notes, 1)."""

    candidate: str
    anchor: str
    wins: int  # origins where its WAPE was lower
    origins: int  # compared (ties left out)
    mean_gain: float  # mean over origins of 1 - WAPE(candidate) / WAPE(anchor)
    t: float  # the paired t statistic (negative: lower WAPE than the anchor)
    critical: float  # it must be below -critical
    big_losses: int  # origins where it lost to the anchor by more than 5%
    scored: int  # origins scored for both

    @property
    def replaced(self) -> bool:
        return bool(self.t < -self.critical
                    and self.big_losses <= BIG_LOSS_SHARE * max(self.scored, 1))

    def text(self) -> str:
        verdict = ("beyond noise: it replaces the 4-week mean" if self.replaced
                   else "not beyond noise: the 4-week mean stays")
        needed = "-" if not math.isfinite(self.critical) else f"{-self.critical:.2f}"
        t = "-" if not math.isfinite(self.t) else f"{self.t:.2f}"
        return (f"{self.candidate} beat {self.anchor} on {self.wins} of {self.origins} "
                f"origin(s), by {100 * self.mean_gain:.1f}% on average (paired t = {t}, "
                f"needed < {needed}; lost by over 5% on {self.big_losses}): {verdict}")

    def record(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "anchor": self.anchor, "wins": self.wins,
                "origins": self.origins, "mean_gain": self.mean_gain,
                "t": self.t if math.isfinite(self.t) else None,
                "critical": self.critical if math.isfinite(self.critical) else None,
                "big_losses": self.big_losses, "replaced": self.replaced,
                "text": self.text()}


@dataclass(frozen=True)
class Guard:
    """The level guard's reading at the forecast origin (module notes)."""

    ratio: float  # recent actual / what the chosen model implies, the last two weeks
    usual: float  # the same ratio's median over the scored origins
    noise: float  # its log-scale noise (spread over the scored origins, at least Poisson)
    action: str  # "none", "fell back to ...", "re-anchored", "kept: ..."
    factor: float  # the scale applied to the chosen forecast (1.0: none)

    @property
    def departure(self) -> float:
        return float(np.log(self.ratio / self.usual))

    def text(self) -> str:
        where = "below" if self.ratio < self.usual else "above"
        head = (f"the last {GUARD_DAYS // 7} weeks ran {100 * abs(self.ratio / self.usual - 1):.1f}"
                f"% {where} what the model implies, against its usual ratio "
                f"{self.usual:.3f} at past origins ({abs(self.departure) / self.noise:.1f} "
                f"noise units of {100 * self.noise:.1f}%)")
        if self.action == "none":
            return head + ": within noise, no change"
        if self.action == "re-anchored":
            return head + f": level re-anchored, forecast x{self.factor:.3f}"
        return head + f": {self.action}"

    def record(self) -> dict[str, Any]:
        return {"ratio": self.ratio, "usual": self.usual, "noise": self.noise,
                "action": self.action, "factor": self.factor, "text": self.text()}


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
    best_simple: str | None = None
    versus: Versus | None = None
    test_folds: list[date] = field(default_factory=list)
    horizon_days: int = HORIZON_DAYS
    # per candidate: log(recent actual / implied) at each scored origin, and the origins'
    # (actual, forecast) pairs: the level guard's noise and its own backtest
    recent_logs: dict[str, tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]] = field(
        default_factory=dict)
    guard: Guard | None = None
    anchor_test: AnchorTest | None = None  # the best simple candidate against the anchor

    @property
    def name(self) -> str:
        return str(self.model.name)

    def score(self, name: str) -> Score | None:
        return next((s for s in self.scores if s.name == name), None)

    @property
    def runner_up(self) -> Score | None:
        others = [s for s in self.scores if s.name != self.name
                  and np.isfinite(s.interval_wape)]
        return min(others, key=lambda s: s.interval_wape, default=None)

    @property
    def margin(self) -> float | None:
        """How much lower the chosen interval WAPE is than the best other candidate's
        (relative; negative when the simple-first rule chose a higher one)."""
        chosen, other = self.score(self.name), self.runner_up
        if chosen is None or other is None or not other.interval_wape > 0:
            return None
        return 1 - chosen.interval_wape / other.interval_wape

    @property
    def rule_text(self) -> str:
        """The rule that made this choice, in words (CLI and JSON)."""
        if self.rule == "configured":
            return "the model set by [forecast] model"
        if not self.scores:
            return (f"under {SHORT_FIT_DAYS + 7} days of history: too short to backtest, "
                    f"{SHORT_HISTORY_MODEL} unscored")
        weeks = f"{self.horizon_days / 7:g}-week"
        head = ("short history (under 35 days), one-week-ahead origins: "
                if self.rule == "short history" else "")
        return (f"{head}simple models first: the best of seasonal naive and the k-week means/"
                f"medians by mean WAPE over {len(self.folds)} weekly origin(s) ({weeks} "
                f"horizon); a model-based candidate only if it beats it on the "
                f"{len(self.test_folds)} non-overlapping origin(s) by a one-sided sign test "
                f"at 5% (Bonferroni)")

    def summary(self) -> dict[str, Any]:
        chosen, other, naive = self.score(self.name), self.runner_up, self.score(
            "seasonal_naive")
        out: dict[str, Any] = {"model": self.name, "rule": self.rule,
                               "rule_text": self.rule_text,
                               "folds": [d.isoformat() for d in self.folds],
                               "test_folds": [d.isoformat() for d in self.test_folds],
                               "horizon_days": self.horizon_days,
                               "best_simple": self.best_simple,
                               "versus": self.versus.record() if self.versus else None,
                               "level_guard": self.guard.record() if self.guard else None,
                               "anchor_test": (self.anchor_test.record()
                                               if self.anchor_test else None),
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
    at least 4 days with data in the week after it (``folds``: at most that many, the most
    recent; 0: all)."""
    known = np.isfinite(panel.values).any(axis=1)
    first_known = int(np.argmax(known)) if known.any() else panel.num_days
    out: list[int] = []
    origin = panel.num_days - 7
    while (folds == 0 or len(out) < folds) and origin - first_known >= min_fit:
        if known[origin:origin + 7].sum() >= 4:
            out.append(origin)
        origin -= 7
    return out[::-1]


def sign_test(wins: int, n: int) -> float:
    """One-sided exact sign test: P(X >= wins) for X ~ Binomial(n, 1/2) (1.0 when n = 0)."""
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(wins, n + 1)) / 2 ** n


def allowed_losses(n: int, alpha: float) -> int:
    """The most losses in ``n`` paired origins that can still pass the sign test (-1: none)."""
    for losses in range(n, -1, -1):
        if sign_test(n - losses, n) <= alpha:
            return losses
    return -1


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


def _origin_wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    known = np.isfinite(actual)
    total = float(actual[known].sum())
    if total <= 0:
        return float("nan")
    return float(np.abs(predicted[known] - actual[known]).sum()) / total


def recent_log_ratio(panel: Panel, origin: int, predicted: np.ndarray,
                     usable: np.ndarray, totals: np.ndarray) -> tuple[float, float]:
    """log(actual / implied) over the last ``GUARD_DAYS`` usable days before ``origin``, where
    "implied" is ``predicted`` (rows from ``origin``) on the first ordinary day of the same
    weekday; and the actual total behind it (NaN, 0 when under 5 days are usable)."""
    end = min(origin, panel.num_days)
    first = max(end - GUARD_DAYS, 0)
    weekdays, kinds, _ = panel.day_info(origin, len(predicted))
    day_forecast = predicted.sum(axis=1)
    implied_of: dict[int, float] = {}
    for i in range(len(predicted)):
        if kinds[i] == "normal" and int(weekdays[i]) not in implied_of:
            implied_of[int(weekdays[i])] = float(day_forecast[i])
    past_weekdays, _, _ = panel.day_info(first, end - first)
    actual = implied = 0.0
    days = 0
    for row, w in zip(range(first, end), past_weekdays, strict=True):
        if usable[row] and np.isfinite(totals[row]) and implied_of.get(int(w), 0.0) > 0:
            actual += float(totals[row])
            implied += implied_of[int(w)]
            days += 1
    if days < 5 or actual <= 0 or implied <= 0:
        return float("nan"), 0.0
    return float(np.log(actual / implied)), actual


def choose(panel: Panel, settings: ForecastSettings, window: np.ndarray,
           open_window: tuple[int, int] | None = None,
           candidates: list[Any] | None = None, horizon_days: int = HORIZON_DAYS) -> Choice:
    """Score the candidates (default: ``candidate_set``) on the panel's own origins at the
    horizon asked for and pick one, simple models first (see the module notes)."""
    candidates = candidates or candidate_set(settings, open_window)
    by_name = {c.name: c for c in candidates}
    if settings.model != "auto" and settings.model not in by_name:
        raise InvalidInput(f"forecast setting model: unknown model {settings.model!r}; use "
                           f"'auto' or one of {', '.join(by_name)}")
    origins = fold_origins(panel, settings.selection_folds)
    rule, horizon = "backtest", max(int(horizon_days), 7)
    if len(origins) < MIN_FOLDS:
        origins = fold_origins(panel, settings.selection_folds, SHORT_FIT_DAYS)
        if settings.model != "auto" or not origins:
            name = settings.model if settings.model != "auto" else SHORT_HISTORY_MODEL
            return Choice(by_name[name], "short history" if settings.model == "auto"
                          else "configured", pool=by_name, horizon_days=horizon)
        rule, horizon = "short history", SHORT_HORIZON_DAYS
        candidates = [c for c in candidates if c.family in SHORT_FAMILIES]
    simple = [c for c in candidates if c.family in SIMPLE_FAMILIES]
    modelled = [c for c in candidates if c.family not in SIMPLE_FAMILIES]
    if not simple:  # a custom set without a simple candidate: the lowest mean WAPE wins
        simple, modelled = candidates, []
    weekdays, kinds, _ = panel.day_info(0, panel.num_days)
    screened = outlier_days(panel.totals(panel.num_days), weekdays,
                            np.isfinite(panel.values).any(axis=1) & (kinds == "normal"))
    totals = panel.totals(panel.num_days)
    usable = np.isfinite(totals) & (kinds == "normal") & ~screened
    actuals: dict[int, np.ndarray] = {}
    effects: dict[int, SpecialEffects] = {}
    for origin in origins:
        days = min(horizon, panel.num_days - origin)
        actual = panel.values[origin:origin + days].copy()
        actual[screened[origin:origin + days]] = np.nan  # an outlier day is not scored
        actuals[origin] = actual
        effects[origin] = learn_effects(panel, origin, settings)
    stored: dict[str, dict[int, np.ndarray]] = {}
    wapes: dict[str, dict[int, float]] = {}

    def run(candidate: Any, origin: int) -> None:
        predicted = forecast_rows(candidate, panel, origin, horizon, effects[origin], window)
        stored.setdefault(candidate.name, {})[origin] = predicted
        wapes.setdefault(candidate.name, {})[origin] = _origin_wape(
            actuals[origin], predicted[:len(actuals[origin])])

    for candidate in simple:
        for origin in origins:
            run(candidate, origin)
    best_simple, anchor_test = _simple_choice(simple, wapes)
    step = max(1, math.ceil(horizon / 7))
    test = origins[::-1][::step][:MAX_TEST_ORIGINS]  # newest first, non-overlapping
    versus: Versus | None = None
    if modelled and best_simple is not None and test:
        versus = _paired(modelled, by_name[best_simple], test, run, stored, wapes, by_name,
                         actuals)
    if settings.model != "auto":
        name, rule = settings.model, "configured"
        if name not in stored:
            for origin in test:
                run(by_name[name], origin)
    elif versus is not None and versus.passed:
        name = versus.candidate
    else:
        name = best_simple or SHORT_HISTORY_MODEL
    scores = [_score(c, stored.get(c.name, {}), actuals) for c in by_name.values()
              if c.name in stored]
    chosen_origins = sorted(stored.get(name, {}))
    sigma, dispersion = _spread([actuals[o] for o in chosen_origins],
                                [stored[name][o][:len(actuals[o])] for o in chosen_origins])
    recent = {}
    for key in sorted({name} | ({best_simple} if best_simple is not None else set())):
        logs = np.array([recent_log_ratio(panel, o, stored[key][o], usable, totals)[0]
                         for o in sorted(stored[key])])
        recent[key] = (logs, [(actuals[o], stored[key][o][:len(actuals[o])])
                              for o in sorted(stored[key])])
    return Choice(by_name[name], rule, scores, [panel.dates(o, 1)[0] for o in origins], sigma,
                  dispersion, part_day_dispersion(
                      [actuals[o] for o in chosen_origins],
                      [stored[name][o][:len(actuals[o])] for o in chosen_origins]), by_name,
                  best_simple, versus, [panel.dates(o, 1)[0] for o in sorted(test)], horizon,
                  recent, anchor_test=anchor_test)


def _score(candidate: Any, predicted: dict[int, np.ndarray], actuals: dict[int, np.ndarray]
           ) -> Score:
    tally = _Tally()
    for origin, values in predicted.items():
        tally.add(actuals[origin], values[:len(actuals[origin])])
    return tally.score(candidate.name, candidate.family)


def _best_simple(simple: list[Any], wapes: dict[str, dict[int, float]]) -> str | None:
    """The simple candidate with the lowest recency-weighted mean of per-origin WAPEs
    (weight 0.5 ** (age in weeks / ``RECENCY_HALFLIFE_WEEKS``)); it replaces the anchor
    ``ANCHOR`` (the 4-week mean) only when lower by more than ``ANCHOR_SE`` standard errors
    of their paired per-origin differences (``paired_t_beyond``)."""
    return _simple_choice(simple, wapes)[0]


def _simple_choice(simple: list[Any], wapes: dict[str, dict[int, float]]
                   ) -> tuple[str | None, AnchorTest | None]:
    """``_best_simple`` and the test behind it: the candidate that replaced the anchor, else
    the best-ranked other simple candidate that was tested against it (None: none was)."""
    name, tests = _rank_simple(simple, wapes)
    replaced = next((t for t in tests if t.replaced), None)
    return name, replaced or (tests[0] if tests else None)


def _rank_simple(simple: list[Any], wapes: dict[str, dict[int, float]]
                 ) -> tuple[str | None, list[AnchorTest]]:
    """The choice among the simple candidates and every test against the anchor on the way
    (module notes, 1)."""
    means: dict[str, float] = {}
    weighted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for c in simple:
        scored = wapes.get(c.name, {})
        origins = np.array(sorted(scored), dtype=int)
        values = np.array([scored[int(o)] for o in origins], dtype=float)
        ok = np.isfinite(values)
        if ok.any():
            weights = 0.5 ** ((origins.max() - origins) / 7 / RECENCY_HALFLIFE_WEEKS)
            means[c.name] = float(np.sum(weights[ok] * values[ok]) / np.sum(weights[ok]))
            weighted[c.name] = (values, weights)
    if not means:
        return None, []
    if ANCHOR not in means:
        return min(means, key=lambda n: means[n]), []
    anchor = weighted[ANCHOR][0]
    tests: list[AnchorTest] = []
    for best in sorted(means, key=lambda n: means[n]):
        if best == ANCHOR or means[best] >= means[ANCHOR]:
            break
        values, weights = weighted[best]
        ok = np.isfinite(values) & np.isfinite(anchor)
        if ok.sum() < 2:
            continue
        diff, w = values[ok] - anchor[ok], weights[ok]
        big = int(np.sum(values[ok] > (1 + BIG_LOSS) * anchor[ok]))
        t, critical = paired_t(diff, w)
        untied = diff != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            gains = 1 - values[ok] / anchor[ok]
        test = AnchorTest(best, ANCHOR, int(np.sum(diff < 0)), int(untied.sum()),
                          float(np.mean(gains[np.isfinite(gains)])) if np.isfinite(
                              gains).any() else 0.0, t, critical, big, int(ok.sum()))
        tests.append(test)
        if test.replaced:
            return best, tests
    return ANCHOR, tests


def paired_t(diff: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """(t, critical): the weighted mean of the paired differences ``diff`` (candidate -
    anchor, per origin) over its standard error (the weighted spread over the square root of
    the effective count n = (sum w)^2 / sum w^2), and the value it must fall below the
    negative of, ``ANCHOR_SE``. (NaN, inf) under two origins."""
    w = np.asarray(weights, dtype=float)
    diff = np.asarray(diff, dtype=float)
    if len(w) < 2:
        return float("nan"), math.inf
    effective = float(np.sum(w) ** 2 / np.sum(w ** 2))
    mean = float(np.sum(w * diff) / np.sum(w))
    spread = float(np.sqrt(np.sum(w * (diff - mean) ** 2) / np.sum(w)))
    if spread <= 0:
        return (-math.inf if mean < 0 else math.inf if mean > 0 else 0.0), ANCHOR_SE
    return mean / (spread / math.sqrt(effective)), ANCHOR_SE


def paired_t_beyond(diff: np.ndarray, weights: np.ndarray) -> bool:
    """Whether the weighted mean of ``diff`` is below 0 by more than ``ANCHOR_SE`` standard
    errors (``paired_t``)."""
    t, critical = paired_t(diff, weights)
    return bool(t < -critical)


def _paired(modelled: list[Any], simple: Any, test: list[int], run: Any,
            stored: dict[str, dict[int, np.ndarray]], wapes: dict[str, dict[int, float]],
            by_name: dict[str, Any], actuals: dict[int, np.ndarray]) -> Versus:
    """Each model-based candidate (and its mean with ``simple``) against ``simple`` on the
    test origins, newest first, curtailed; the best of them as a ``Versus``."""
    contenders: list[tuple[Any, Any]] = [(c, None) for c in modelled]
    contenders += [(Combination(c, simple), c) for c in modelled]
    alpha = ALPHA / len(contenders)
    limit = allowed_losses(len(test), alpha)
    if limit < 0:  # even winning every origin would not pass: nothing to fit
        return Versus(contenders[0][0].name, simple.name, 0, 0, 0.0, 1.0, alpha, False,
                      len(test))
    losses = {c.name: 0 for c, _ in contenders}
    alive = {c.name for c, _ in contenders}
    for origin in test:
        base = wapes[simple.name][origin]
        for contender, parent in contenders:
            if contender.name not in alive:
                continue
            if parent is None:
                if origin not in stored.get(contender.name, {}):
                    run(contender, origin)
            else:
                if origin not in stored.get(parent.name, {}):
                    run(parent, origin)
                mixed = 0.5 * (stored[parent.name][origin] + stored[simple.name][origin])
                stored.setdefault(contender.name, {})[origin] = mixed
                wapes.setdefault(contender.name, {})[origin] = _origin_wape(
                    actuals[origin], mixed[:len(actuals[origin])])
            value = wapes[contender.name][origin]
            if np.isfinite(base) and np.isfinite(value) and value >= base and value != base:
                losses[contender.name] += 1
            if losses[contender.name] > limit:
                alive.discard(contender.name)
        if not alive:
            break
    results = []
    for contender, _ in contenders:
        by_name[contender.name] = contender
        pairs = [(wapes[contender.name][o], wapes[simple.name][o])
                 for o in stored.get(contender.name, {})
                 if np.isfinite(wapes[contender.name][o]) and np.isfinite(wapes[simple.name][o])]
        untied = [(m, b) for m, b in pairs if m != b]
        wins = sum(m < b for m, b in untied)
        gain = float(np.mean([1 - m / b for m, b in pairs if b > 0])) if pairs else 0.0
        big = sum(m > (1 + BIG_LOSS) * b for m, b in pairs)
        results.append(Versus(contender.name, simple.name, wins, len(untied), gain,
                              sign_test(wins, len(untied)), alpha,
                              contender.name in alive, big_losses=big))
    passed = [r for r in results if r.passed and r.complete]
    if passed:
        return max(passed, key=lambda r: r.mean_gain)
    return max(results, key=lambda r: (r.wins / max(r.origins, 1), r.mean_gain))


def level_guard(choice: Choice, panel: Panel, origin: int, ordinary: np.ndarray,
                fallback: np.ndarray | None) -> tuple[np.ndarray, Guard | None]:
    """The level guard at the forecast origin (module notes): the ordinary-day forecast to
    use, and what the guard saw and did (None when it cannot read the recent weeks)."""
    weekdays, kinds, _ = panel.day_info(0, panel.num_days)
    screened = outlier_days(panel.totals(panel.num_days), weekdays,
                            np.isfinite(panel.values).any(axis=1) & (kinds == "normal"))
    totals = panel.totals(panel.num_days)
    usable = np.isfinite(totals) & (kinds == "normal") & ~screened

    def reading(name: str, predicted: np.ndarray) -> tuple[float, float, float, bool] | None:
        """(log ratio now, its usual value, noise, whether re-anchoring helped at the past
        origins where it would have fired) or None."""
        logs, pairs = choice.recent_logs.get(name, (np.zeros(0), []))
        finite = np.isfinite(logs)
        now, volume = recent_log_ratio(panel, origin, predicted, usable, totals)
        if finite.sum() < 4 or not np.isfinite(now):
            return None
        centre = float(np.median(logs[finite]))
        noise = max(1.4826 * float(np.median(np.abs(logs[finite] - centre))),
                    1 / np.sqrt(volume), 0.01)
        fired = [i for i in np.flatnonzero(finite) if abs(logs[i] - centre) > GUARD_Z * noise]
        helped = True
        if len(fired) >= GUARD_MIN_PAST:
            plain = np.mean([_origin_wape(*pairs[i]) for i in fired])
            anchored = np.mean([_origin_wape(pairs[i][0],
                                             pairs[i][1] * np.exp(logs[i] - centre))
                                for i in fired])
            helped = bool(anchored < plain)
        return now, centre, noise, helped

    seen = reading(choice.name, ordinary)
    if seen is None:
        return ordinary, None
    now, centre, noise, helped = seen
    ratio, usual = float(np.exp(now)), float(np.exp(centre))
    if abs(now - centre) <= GUARD_Z * noise:
        return ordinary, Guard(ratio, usual, noise, "none", 1.0)
    simple = choice.best_simple
    if simple is not None and simple != choice.name and fallback is not None:
        other = reading(simple, fallback)
        if other is not None and abs(other[0] - other[1]) <= GUARD_Z * other[2]:
            return fallback, Guard(ratio, usual, noise,
                                   f"fell back to the best simple candidate {simple}", 1.0)
    if not helped:
        return ordinary, Guard(ratio, usual, noise, "kept: re-anchoring did not help at the "
                               "past origins where it would have fired", 1.0)
    factor = float(np.exp(now - centre))
    return ordinary * factor, Guard(ratio, usual, noise, "re-anchored", factor)


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
