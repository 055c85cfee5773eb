"""Special days (holidays, days next to a long holiday, swapped working weekends, promotions,
closed days): one layer applied to every candidate's ordinary-day forecast.

Effects come only from evidence (the center's own history before the origin) or from the
planner (``[forecast]`` keys); a special day history has not shown is an ordinary day of its
weekday, and the forecast says so. Rules, in order, for a forecast holiday:

1. ``closed_dates`` lists the date: closed (0 contacts).
2. ``day_factors`` names the date, else the holiday: that factor, or closed.
3. ``closed_holidays`` is true or names it: closed.
4. The same holiday in history. Its latest occurrence closed (no contacts or no rows while
   the nearest ordinary open days around it had contacts): closed again. Seen open: the
   geometric mean of its ratios (day total / the median of the same weekday 1-3 weeks either
   side) shrunk towards 1.0 by count: weight n / (n + ``SAME_PRIOR_DAYS``).
5. ``holiday_factor`` set explicitly by the planner (deprecated): that factor.
6. The center's other holidays seen *open*: their pooled log ratio, weight
   n / (n + ``POOLED_PRIOR_DAYS``) with n the open holiday days seen. Closed holidays never
   lend an effect to an open one (and an unseen holiday is not closed without evidence).
7. Otherwise: an ordinary day of its weekday, flagged ("no history for this holiday").

Days before and after a long holiday (``pre_holiday``/``post_holiday``) are learned per kind of
the holiday they border: before a *closed* day and before an *open* one are separate effects
(the eve of a closed long weekend says nothing about the eve of an open Monday), each shrunk
towards 1.0 by count (``POOLED_PRIOR_DAYS``); without such days, 1.0 (or the planner's
explicit ``pre_holiday_factor``/``post_holiday_factor``). Promotions (declared by the planner
in ``promotion_dates``) and swapped working weekends keep their median ratio in history, else
``promotion_factor`` / an average workday. ``day_factors`` by date applies to any day.

Shrinkage by count is the normal-normal posterior mean of a log effect whose prior (no
effect) is worth a fixed number of days. The same holiday is direct evidence: the spread of
one day's log ratio (day-to-day noise, about 0.05-0.15 on the bench's centers) is small
against how far holidays move volume (0.3-1.2), so its prior is worth a quarter of a day (one
occurrence keeps 80% of its log effect). Other holidays and eves are indirect evidence, as
different holidays differ from each other by more than the day noise: their prior is worth 3
days (three such days keep half of the pooled effect, twelve keep 80%).

Every learned effect must also be evidence: when its geometric mean is within ``NOISE_Z`` (2)
standard errors of 1.0 (the robust spread of an ordinary day's log ratio to its neighbours,
over sqrt(n)), it is not applied (x1.00, and the message says so): one noisy occurrence of
a holiday at x0.92 does not move a forecast.

Missing rows stay unknown: a weekday never seen open is closed in the forecast because every
candidate forecasts nothing there, not because of this layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from wfm.config import ForecastSettings
from wfm.forecast.panel import Panel

NEIGHBOUR_WEEKS = (-3, -2, -1, 1, 2, 3)
CLOSED_SHARE = 0.05  # a day with under 5% of its weekday's usual total counts as closed
SEARCH_DAYS = 4  # how far to look for the open days around a holiday
BORDER_DAYS = 10  # how far a pre/post-holiday day looks for the holiday it borders
SAME_PRIOR_DAYS = 0.25  # prior weight (days) of "no effect" against the same holiday
POOLED_PRIOR_DAYS = 3.0  # ... against other holidays and eves (module notes)
NOISE_Z = 2.0  # an effect within 2 standard errors of none is not evidence (about 5%)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SpecialDay:
    """What the forecast assumed for one non-ordinary day."""

    date: date
    kind: str
    holiday: str | None
    multiplier: float  # 0: closed
    # closed_dates, day_factors, closed_holidays, closed_in_history, same_holiday,
    # configured (an explicit *_factor), pooled_holidays, day_kind, no_history
    basis: str
    learned_from_days: int
    message: str

    @property
    def flagged(self) -> bool:
        """A holiday with no history of its own (an ordinary day, or pooled from the other
        holidays): the planner should check it."""
        return self.basis in ("no_history", "pooled_holidays") and self.kind == "holiday"

    def record(self) -> dict[str, Any]:
        return {"date": self.date, "kind": self.kind, "holiday": self.holiday,
                "multiplier": round(self.multiplier, 3), "basis": self.basis,
                "learned_from_days": self.learned_from_days, "message": self.message,
                "flagged": self.flagged}


@dataclass(frozen=True)
class Shrunk:
    """A learned effect: the shrunk factor and the days behind it."""

    factor: float
    days: int
    raw: float  # the unshrunk (geometric mean) ratio
    within_noise: bool = False  # the raw effect is within noise of 1.0: not applied

    @property
    def note(self) -> str:
        if self.within_noise:
            return f"x{self.raw:.2f} is within noise of an ordinary day, so x1.00"
        return f"x{self.raw:.2f} shrunk towards 1.0 by count"


def shrink(ratios: list[float] | np.ndarray, prior_days: float, noise: float = 0.0
           ) -> Shrunk:
    """Geometric mean of ``ratios`` pulled towards 1.0: weight n / (n + prior_days); 1.0
    when its log is within ``NOISE_Z`` standard errors (``noise`` / sqrt(n)) of 0."""
    values = np.asarray(ratios, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    n = len(values)
    if n == 0:
        return Shrunk(1.0, 0, 1.0)
    mean_log = float(np.mean(np.log(values)))
    if abs(mean_log) <= NOISE_Z * noise / np.sqrt(n):
        return Shrunk(1.0, n, float(np.exp(mean_log)), within_noise=True)
    return Shrunk(float(np.exp(n / (n + prior_days) * mean_log)), n, float(np.exp(mean_log)))


@dataclass(frozen=True)
class SpecialEffects:
    """Learned from the history before an origin (``learn_effects``)."""

    # holiday name -> (status of its latest occurrence: open|closed, effect of its open days,
    # occurrences seen, date of the latest)
    named: dict[str, tuple[str, Shrunk, int, date]]
    pooled_open: dict[str, list[float]]  # holiday name -> ratios of its open days
    closed_seen: int  # holiday days seen closed
    noise: float  # robust spread of an ordinary day's log ratio to its neighbours
    kinds: dict[str, Shrunk]  # "pre_holiday:closed", "post_holiday:open", "promotion", ...
    settings: ForecastSettings
    # (origin, days) -> what ``apply_effects`` assumed: every candidate of a model choice
    # asks for the same days at the same origin
    cache: dict[tuple[int, int], tuple[list[SpecialDay], np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False)

    def pooled_for(self, name: str) -> Shrunk:
        """The pooled effect of the center's other holidays seen open."""
        ratios = [r for other, values in self.pooled_open.items() if other != name
                  for r in values]
        return shrink(ratios, POOLED_PRIOR_DAYS, self.noise)


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


def _neighbours_open(totals: np.ndarray, working: np.ndarray, ref: np.ndarray,
                     day: int) -> bool:
    """The nearest non-holiday days before and after ``day`` whose weekday is usually open
    (an eve or the day after a long weekend counts: it is a working day) have contacts."""
    def side(step: int) -> bool:
        for d in range(day + step, day + step * (SEARCH_DAYS + 1), step):
            if 0 <= d < len(totals) and np.isfinite(ref[d]) and ref[d] > 0:
                return bool(working[d] and np.isfinite(totals[d])
                            and totals[d] > CLOSED_SHARE * ref[d])
        return False
    return side(-1) and side(1)


def _bordered(kinds: np.ndarray, row: int, kind: str, limit: int) -> int | None:
    """The row of the holiday a pre- (post-) holiday day borders: the first holiday row after
    (before) it within ``BORDER_DAYS``."""
    step = 1 if kind == "pre_holiday" else -1
    for d in range(row + step, row + step * (BORDER_DAYS + 1), step):
        if not 0 <= d < limit:
            return None
        if kinds[d] == "holiday":
            return d
    return None


def learn_effects(panel: Panel, origin: int, settings: ForecastSettings) -> SpecialEffects:
    """Holiday and day-kind effects from the history before row ``origin``."""
    totals = panel.totals(origin)
    n = len(totals)
    weekdays, kinds, groups = panel.day_info(0, n)
    usable = np.isfinite(totals) & (kinds == "normal")
    ref = _reference(totals, usable)
    workday = np.array([w not in panel.calendar.weekend for w in weekdays])
    ref_workday = _reference(np.where(workday, totals, np.nan), usable & workday)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = totals / ref
    ordinary_logs = np.log(ratio[usable & np.isfinite(ratio) & (ratio > 0)])
    noise = (1.4826 * float(np.median(np.abs(ordinary_logs - np.median(ordinary_logs))))
             if len(ordinary_logs) >= 10 else 0.0)
    status = np.full(n, "", dtype=object)  # open | closed | "" (unknown) per holiday row
    seen: dict[str, list[tuple[date, str, float]]] = {}
    for d in np.flatnonzero(kinds == "holiday"):
        usually_open = np.isfinite(ref[d]) and ref[d] > 0
        if usually_open and np.isfinite(totals[d]) and totals[d] > CLOSED_SHARE * ref[d]:
            status[d] = "open"
        elif _neighbours_open(totals, kinds != "holiday", ref, int(d)):
            status[d] = "closed"  # no contacts (or no rows) while the days around were open
        else:
            continue  # unknown (a gap in history) says nothing
        if groups[d] and usually_open:
            day = panel.dates(int(d), 1)[0]
            seen.setdefault(str(groups[d]), []).append((day, str(status[d]), float(ratio[d])))
    named: dict[str, tuple[str, Shrunk, int, date]] = {}
    pooled_open: dict[str, list[float]] = {}
    closed_seen = 0
    for name, occurrences in seen.items():
        last_day, last_status, _ = occurrences[-1]
        ratios = [r for _, state, r in occurrences if state == "open"]
        closed_seen += sum(state == "closed" for _, state, _ in occurrences)
        if ratios:
            pooled_open[name] = ratios
        named[name] = (last_status, shrink(ratios, SAME_PRIOR_DAYS, noise), len(occurrences),
                       last_day)
    out_kinds: dict[str, Shrunk] = {}
    for kind in ("pre_holiday", "post_holiday"):
        by_status: dict[str, list[float]] = {"open": [], "closed": []}
        for d in np.flatnonzero(kinds == kind):
            if not (np.isfinite(ratio[d]) and ref[d] > 0):
                continue
            holiday = _bordered(kinds, int(d), kind, n)
            state = str(status[holiday]) if holiday is not None else ""
            if state:
                by_status[state].append(float(ratio[d]))
        for state, ratios in by_status.items():
            if ratios:
                out_kinds[f"{kind}:{state}"] = shrink(ratios, POOLED_PRIOR_DAYS, noise)
    for kind in ("promotion", "working_weekend"):
        base = ref_workday if kind == "working_weekend" else ref
        with np.errstate(divide="ignore", invalid="ignore"):
            r = totals / base
        pick = (kinds == kind) & np.isfinite(r) & (base > 0)
        if pick.any():
            value = float(np.median(r[pick]))
            out_kinds[kind] = Shrunk(value, int(pick.sum()), value)
    return SpecialEffects(named=named, pooled_open=pooled_open, closed_seen=closed_seen,
                          noise=noise, kinds=out_kinds, settings=settings)


def _configured(settings: ForecastSettings, day: date, kind: str, name: str
                ) -> tuple[float, str, str] | None:
    """(multiplier, basis, message) when the planner's settings decide this day."""
    if day.isoformat() in settings.closed_dates:
        return 0.0, "closed_dates", "closed (listed in [forecast] closed_dates): 0 contacts"
    for key in (day.isoformat(), name if kind == "holiday" else ""):
        if key and key in settings.day_factors:
            value = settings.day_factors[key]
            if value == "closed" or value == 0:
                return 0.0, "day_factors", (f"closed ([forecast] day_factors "
                                            f"{key!r}): 0 contacts")
            factor = float(value)
            return factor, "day_factors", (f"x{factor:.2f} of an ordinary day of its weekday "
                                           f"([forecast] day_factors {key!r})")
    rule = settings.closed_holidays
    if kind == "holiday" and (rule is True or (isinstance(rule, list) and name in rule)):
        return 0.0, "closed_holidays", "closed ([forecast] closed_holidays): 0 contacts"
    return None


def _holiday(effects: SpecialEffects, day: date, w: int, name: str) -> SpecialDay:
    """The assumption for a holiday not decided by the settings (module notes, 4-7)."""
    settings = effects.settings
    label = name or None
    seen = effects.named.get(name) if name else None
    if seen and seen[0] == "closed":
        return SpecialDay(day, "holiday", label, 0.0, "closed_in_history", seen[2],
                          f"closed: history shows {name} on {seen[3]} closed while the days "
                          f"around it were open ({seen[2]} occurrence(s) seen); 0 contacts")
    if seen and seen[1].days:
        effect = seen[1]
        return SpecialDay(day, "holiday", label, effect.factor, "same_holiday", effect.days,
                          f"x{effect.factor:.2f} of an ordinary {WEEKDAYS[w]}, learned from "
                          f"{effect.days} day(s) of {name} in history ({effect.note})")
    if settings.holiday_factor is not None:
        factor = settings.holiday_factor
        return SpecialDay(day, "holiday", label, factor, "configured", 0,
                          f"not in history: x{factor:.2f} of an ordinary {WEEKDAYS[w]} "
                          "([forecast] holiday_factor, set by the planner)")
    pooled = effects.pooled_for(name)
    key = f'"{name}"' if name else f'"{day.isoformat()}"'
    hint = (f"set [forecast] day_factors = {{{key} = \"closed\"}} (or a factor such as 0.6) "
            "if the center closes or runs lighter")
    closed_note = (f"; history shows {effects.closed_seen} other holiday day(s) closed"
                   if effects.closed_seen else "")
    if pooled.days:
        return SpecialDay(day, "holiday", label, pooled.factor, "pooled_holidays", pooled.days,
                          f"no history for this holiday: x{pooled.factor:.2f} of an ordinary "
                          f"{WEEKDAYS[w]}, pooled from {pooled.days} open day(s) of the "
                          f"center's other holidays ({pooled.note}){closed_note}; {hint}")
    return SpecialDay(day, "holiday", label, 1.0, "no_history", 0,
                      f"no history for this holiday: forecast as an ordinary {WEEKDAYS[w]}"
                      f"{closed_note}; {hint}")


def describe(effects: SpecialEffects, dates: list[date], weekdays: np.ndarray,
             kinds: np.ndarray, groups: np.ndarray,
             border: dict[date, float] | None = None) -> list[SpecialDay]:
    """The assumption for every non-ordinary (or configured) day of ``dates``; ``border``:
    the multiplier of each holiday near them (0: closed), for the pre/post-holiday days."""
    settings = effects.settings
    defaults = settings.factor_defaults()
    explicit = {"pre_holiday": settings.pre_holiday_factor,
                "post_holiday": settings.post_holiday_factor}
    border = border or {}
    out = []
    for i, (day, w, kind, group) in enumerate(zip(dates, weekdays, kinds, groups,
                                                  strict=True)):
        name, kind = str(group) if group else "", str(kind)
        label = name or None
        configured = _configured(settings, day, kind, name)
        if configured is not None:
            out.append(SpecialDay(day, kind, label, configured[0], configured[1], 0,
                                  configured[2]))
            continue
        if kind == "normal":
            continue
        if kind == "holiday":
            out.append(_holiday(effects, day, int(w), name))
            continue
        base = "workday" if kind == "working_weekend" else WEEKDAYS[int(w)]
        words = kind.replace("_", " ")
        if kind in ("pre_holiday", "post_holiday"):
            holiday = _bordered(kinds, i, kind, len(kinds))
            if holiday is None:
                continue  # the holiday lies outside the days described: see apply_effects
            state = "closed" if border.get(dates[holiday], 1.0) == 0 else "open"
            learned = effects.kinds.get(f"{kind}:{state}")
            side = "before" if kind == "pre_holiday" else "after"
            article = "an" if state == "open" else "a"
            if learned is not None:
                out.append(SpecialDay(day, kind, label, learned.factor, f"day_kind_{state}",
                                      learned.days,
                                      f"x{learned.factor:.2f} of an ordinary {base}, learned "
                                      f"from {learned.days} day(s) {side} {article} {state} "
                                      f"holiday in history ({learned.note})"))
            elif explicit[kind] is not None:
                factor = float(explicit[kind] or 1.0)
                out.append(SpecialDay(day, kind, label, factor, "configured", 0,
                                      f"x{factor:.2f} of an ordinary {base} ([forecast] "
                                      f"{kind}_factor, set by the planner)"))
            else:
                out.append(SpecialDay(day, kind, label, 1.0, "no_history", 0,
                                      f"an ordinary {base}: no day {side} {article} {state} "
                                      "holiday "
                                      "in history"))
            continue
        learned = effects.kinds.get(kind)
        if learned is not None:
            out.append(SpecialDay(day, kind, label, learned.factor, "day_kind", learned.days,
                                  f"x{learned.factor:.2f} of an ordinary {base}, learned from "
                                  f"{learned.days} {words} day(s) in history"))
        else:
            factor = defaults[kind]
            out.append(SpecialDay(day, kind, label, factor, "default", 0,
                                  f"x{factor:.2f} of an ordinary {base} ({kind}_factor: no "
                                  f"{words} day in history)"))
    return out


def apply_effects(effects: SpecialEffects, panel: Panel, origin: int,
                  ordinary: np.ndarray) -> tuple[np.ndarray, list[SpecialDay]]:
    """The forecast of rows ``origin ..`` with special days applied, and what was assumed."""
    days = len(ordinary)
    key = (origin, days)
    if key not in effects.cache:
        effects.cache[key] = _assumptions(effects, panel, origin, days)
    specials, multiplier, workday = effects.cache[key]
    out = np.nan_to_num(ordinary).copy()
    start = panel.dates(origin, 1)[0]
    for special in specials:
        if special.kind == "working_weekend" and workday.any() and special.multiplier > 0:
            i = (special.date - start).days
            out[i] = out[workday].mean(axis=0)
    return out * multiplier[:, None], specials


def _assumptions(effects: SpecialEffects, panel: Panel, origin: int, days: int
                 ) -> tuple[list[SpecialDay], np.ndarray, np.ndarray]:
    """The special days of rows ``origin .. origin + days - 1``, each row's multiplier, and
    which rows are ordinary workdays."""
    pad = BORDER_DAYS
    first = max(origin - pad, 0)
    weekdays, kinds, groups = panel.day_info(first, origin - first + days + pad)
    dates = panel.dates(first, len(weekdays))
    # the holidays' own decisions first (also just outside the horizon), then their borders
    holidays = [i for i, k in enumerate(kinds) if k == "holiday"]
    decided = describe(effects, [dates[i] for i in holidays], weekdays[holidays],
                       kinds[holidays], groups[holidays])
    border = {d.date: d.multiplier for d in decided}
    specials = [s for s in describe(effects, dates, weekdays, kinds, groups, border)
                if 0 <= (s.date - dates[origin - first]).days < days]
    horizon_kinds = kinds[origin - first:origin - first + days]
    horizon_weekdays = weekdays[origin - first:origin - first + days]
    workday = (horizon_kinds == "normal") & np.array([w not in panel.calendar.weekend
                                                      for w in horizon_weekdays])
    multiplier = np.ones(days)
    start = dates[origin - first]
    for special in specials:
        multiplier[(special.date - start).days] = special.multiplier
    return specials, multiplier, workday
