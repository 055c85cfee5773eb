"""Special days (holidays, days next to a long holiday, swapped working weekends, promotions,
closed days): one layer applied to every candidate's ordinary-day forecast.

Rules, in order, for a forecast day (``wfm.calendar`` day kinds):

1. Closed (0 contacts) when ``[forecast] closed_dates`` lists the date, or it is a public
   holiday and ``closed_holidays`` is true or names it.
2. A holiday closed in history: its latest occurrence in history had no contacts (or no rows)
   while the nearest ordinary open days before and after it had contacts. Closed again.
3. A holiday seen open in history keeps its own ratio: the median over its occurrences of the
   day's total / the median total of the same weekday 1-3 weeks either side (ordinary days).
4. A holiday never seen in history keeps that weekday's own opening hours and intraday shape,
   scaled by ``holiday_factor``.
5. Other kinds (pre/post long holiday, promotion, swapped working weekend) use the median ratio
   of such days in history, else their default factor. A swapped working weekend is scaled
   from the mean ordinary workday of the horizon, not from its own (weekend) weekday.

Missing rows stay unknown: a weekday never seen open is closed in the forecast because every
candidate forecasts nothing there, not because of this layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from wfm.config import ForecastSettings
from wfm.forecast.panel import Panel

NEIGHBOUR_WEEKS = (-3, -2, -1, 1, 2, 3)
CLOSED_SHARE = 0.05  # a day with under 5% of its weekday's usual total counts as closed
SEARCH_DAYS = 4  # how far to look for the open days around a holiday


@dataclass(frozen=True)
class SpecialDay:
    """What the forecast assumed for one non-ordinary day."""

    date: date
    kind: str
    holiday: str | None
    multiplier: float  # 0: closed
    basis: str  # closed_dates, closed_holidays, closed_in_history, same_holiday, day_kind, default
    learned_from_days: int
    message: str

    def record(self) -> dict[str, Any]:
        return {"date": self.date, "kind": self.kind, "holiday": self.holiday,
                "multiplier": round(self.multiplier, 3), "basis": self.basis,
                "learned_from_days": self.learned_from_days, "message": self.message}


@dataclass(frozen=True)
class SpecialEffects:
    """Learned from the history before an origin (``learn_effects``)."""

    named: dict[str, tuple[str, float, int, date]]  # name -> (open|closed, ratio, days, last)
    kinds: dict[str, tuple[float, int]]  # kind -> (median ratio, days)
    settings: ForecastSettings


def _reference(totals: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Median total of the same weekday 1-3 weeks either side (ordinary days with data)."""
    n = len(totals)
    pool = np.full((len(NEIGHBOUR_WEEKS), n), np.nan)
    clean = np.where(usable, totals, np.nan)
    for i, weeks in enumerate(NEIGHBOUR_WEEKS):
        shift = 7 * weeks
        source = np.arange(n) + shift
        ok = (source >= 0) & (source < n)
        pool[i, ok] = clean[source[ok]]
    out = np.full(n, np.nan)
    some = np.isfinite(pool).any(axis=0)
    out[some] = np.nanmedian(pool[:, some], axis=0)
    return out


def _neighbours_open(totals: np.ndarray, usable: np.ndarray, ref: np.ndarray,
                     day: int) -> bool:
    """The nearest ordinary days before and after ``day`` whose weekday is usually open have
    contacts."""
    def side(step: int) -> bool:
        for d in range(day + step, day + step * (SEARCH_DAYS + 1), step):
            if 0 <= d < len(totals) and np.isfinite(ref[d]) and ref[d] > 0:
                return bool(usable[d] and totals[d] > CLOSED_SHARE * ref[d])
        return False
    return side(-1) and side(1)


def learn_effects(panel: Panel, origin: int, settings: ForecastSettings) -> SpecialEffects:
    """Holiday and day-kind ratios from the history before row ``origin``."""
    totals = panel.totals(origin)
    n = len(totals)
    weekdays, kinds, groups = panel.day_info(0, n)
    usable = np.isfinite(totals) & (kinds == "normal")
    ref = _reference(totals, usable)
    workday = np.array([w not in panel.calendar.weekend for w in weekdays])
    ref_workday = _reference(np.where(workday, totals, np.nan), usable & workday)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = totals / ref
    seen: dict[str, list[tuple[date, str, float]]] = {}
    open_holiday = np.zeros(n, dtype=bool)
    for d in np.flatnonzero((kinds == "holiday") & np.isfinite(ref) & (ref > 0)):
        if np.isfinite(totals[d]) and totals[d] > CLOSED_SHARE * ref[d]:
            open_holiday[d] = True
            status = "open"
        elif _neighbours_open(totals, usable, ref, int(d)):
            status = "closed"
        else:
            continue  # unknown (a gap in history) says nothing
        if groups[d]:
            day = panel.dates(int(d), 1)[0]
            seen.setdefault(str(groups[d]), []).append((day, status, float(ratio[d])))
    named: dict[str, tuple[str, float, int, date]] = {}
    for name, occurrences in seen.items():
        last_day, last_status, _ = occurrences[-1]
        ratios = [r for _, status, r in occurrences if status == "open"]
        if last_status == "closed":  # the latest occurrence decides whether it opens
            named[name] = ("closed", 0.0, 1, last_day)
        else:
            named[name] = ("open", float(np.median(ratios)), len(ratios), last_day)
    out_kinds: dict[str, tuple[float, int]] = {}
    for kind in ("holiday", "pre_holiday", "post_holiday", "promotion", "working_weekend"):
        base = ref_workday if kind == "working_weekend" else ref
        with np.errstate(divide="ignore", invalid="ignore"):
            r = totals / base
        pick = (kinds == kind) & np.isfinite(r) & (base > 0)
        if kind == "holiday":
            pick &= open_holiday
        if pick.any():
            out_kinds[kind] = (float(np.median(r[pick])), int(pick.sum()))
    return SpecialEffects(named=named, kinds=out_kinds, settings=settings)


def _closed_by_config(settings: ForecastSettings, day: date, kind: str,
                      name: str) -> str | None:
    if day.isoformat() in settings.closed_dates:
        return "closed_dates"
    rule = settings.closed_holidays
    if kind == "holiday" and (rule is True or (isinstance(rule, list) and name in rule)):
        return "closed_holidays"
    return None


def describe(effects: SpecialEffects, dates: list[date], weekdays: np.ndarray,
             kinds: np.ndarray, groups: np.ndarray) -> list[SpecialDay]:
    """The assumption for every non-ordinary (or configured closed) day of ``dates``."""
    settings = effects.settings
    defaults = settings.factor_defaults()
    out = []
    for day, w, kind, group in zip(dates, weekdays, kinds, groups, strict=True):
        name = str(group) if group else ""
        label = name or None
        closed = _closed_by_config(settings, day, str(kind), name)
        if closed == "closed_dates":
            out.append(SpecialDay(day, str(kind), label, 0.0, closed, 0,
                                  "closed (listed in [forecast] closed_dates): 0 contacts"))
            continue
        if closed:
            out.append(SpecialDay(day, str(kind), label, 0.0, closed, 0,
                                  "closed ([forecast] closed_holidays): 0 contacts"))
            continue
        if kind == "normal":
            continue
        seen = effects.named.get(name) if kind == "holiday" and name else None
        if seen and seen[0] == "closed":
            out.append(SpecialDay(day, str(kind), label, 0.0, "closed_in_history", 1,
                                  f"closed: history shows {name} on {seen[3]} closed while "
                                  "the days around it were open; 0 contacts"))
        elif seen:
            out.append(SpecialDay(day, str(kind), label, seen[1], "same_holiday", seen[2],
                                  f"x{seen[1]:.2f} of an ordinary {_weekday(w)}, learned "
                                  f"from {seen[2]} day(s) of {name} in history"))
        elif kind == "holiday":
            factor = defaults["holiday"]
            out.append(SpecialDay(day, str(kind), label, factor, "default", 0,
                                  f"not in history: this {_weekday(w)}'s own opening hours "
                                  f"and intraday shape x{factor:.2f} (default holiday_factor)"))
        elif kind in effects.kinds:
            value, count = effects.kinds[str(kind)]
            base = "workday" if kind == "working_weekend" else _weekday(w)
            out.append(SpecialDay(day, str(kind), label, value, "day_kind", count,
                                  f"x{value:.2f} of an ordinary {base}, learned from {count} "
                                  f"{str(kind).replace('_', ' ')} day(s) in history"))
        else:
            factor = defaults[str(kind)]
            base = "workday" if kind == "working_weekend" else _weekday(w)
            out.append(SpecialDay(day, str(kind), label, factor, "default", 0,
                                  f"x{factor:.2f} of an ordinary {base} (default "
                                  f"{kind}_factor, no such day in history)"))
    return out


def _weekday(w: int) -> str:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday")[int(w)]


def apply_effects(effects: SpecialEffects, panel: Panel, origin: int,
                  ordinary: np.ndarray) -> tuple[np.ndarray, list[SpecialDay]]:
    """The forecast of rows ``origin ..`` with special days applied, and what was assumed."""
    days = len(ordinary)
    weekdays, kinds, groups = panel.day_info(origin, days)
    dates = panel.dates(origin, days)
    specials = describe(effects, dates, weekdays, kinds, groups)
    out = np.nan_to_num(ordinary).copy()
    workday = (kinds == "normal") & np.array([w not in panel.calendar.weekend
                                              for w in weekdays])
    row_of = {d: i for i, d in enumerate(dates)}
    for special in specials:
        i = row_of[special.date]
        if special.kind == "working_weekend" and workday.any() and special.multiplier > 0:
            out[i] = out[workday].mean(axis=0)
        out[i] = out[i] * special.multiplier
    return out, specials
