"""Overtime and voluntary-time-off (VTO) offers, judged on plain values.

A planner (or the ``[intraday]`` rule) publishes an offer for one window of one day
(``start``-``end`` on the interval grid, not crossing midnight), for one or more queues and a
number of agents. Agents accept until it is filled, first come first served.

What an acceptance changes on the agent's day (``plan_change``):

``overtime``  ``extend_after`` / ``extend_before``: the agent works a shift that ends where the
              window starts (or starts where it ends; overlap allowed), and works on to the
              window's end (or starts at the window's start). ``add_shift``: the agent is
              ``OFF`` and takes the shortest site shift template that covers the window.
``vto``       ``day_off``: the window covers the agent's whole shift, which becomes ``LEAVE``
              (unpaid). ``end_early``: the window starts inside the shift and reaches its end;
              the shift ends at the window's start.

Eligibility is the independent rule checker (``wfm.rules.check_roster_rows``) on the agent's
roster as it would be after the change: skills for the queue (the row takes the offer's queue),
rest hours, consecutive days, weekly rest, contract dates, the night cap. An extended or
shortened shift is judged as a template with its new start and end (``adjusted_config``), so
rest hours and the night definition see the real working time. Only the breaks the change adds
count. ``[intraday] max_overtime_hours_per_week`` caps accepted overtime per Monday-Sunday week
(``overtime_cap``). The roster row keeps its shift code for an extension or an early end (the
acceptance holds the new start and end); an added shift or a day off rewrites the row.

``acceptance_refusal`` says why an acceptance is refused (filled, withdrawn, started, or the
rules); ``offer_totals`` sums overtime and VTO hours per agent; ``auto_offers`` proposes offers
from the intraday view's short and long periods; ``offer_head_counts`` (extensions) and
``offer_early_ends`` (early ends) turn applied acceptances into what the intraday view adds to
and takes from the roster's head count (the roster row keeps its shift code for them). Nothing
here reads or writes storage.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from wfm.calendar import local_midnight
from wfm.config import (
    MINUTES_PER_DAY,
    IntradaySettings,
    ShiftTemplate,
    SiteConfig,
    parse_clock,
    parse_end_clock,
)
from wfm.errors import InvalidInput, Violation
from wfm.rules import check_roster_rows

OVERTIME, VTO = "overtime", "vto"
OFFER_KINDS = (OVERTIME, VTO)
OFFER_STATUSES = ("open", "filled", "withdrawn", "expired")
CHANGES = ("extend_after", "extend_before", "add_shift", "end_early", "day_off")
EXTENSIONS = ("extend_after", "extend_before")  # overtime that keeps the roster row
ADJUSTED_CODE = "OFFER-ADJUSTED"  # the template an extended or shortened shift is judged as
FILLED = "offer already filled"
Row = tuple[str, date, str, str]


@dataclass(frozen=True)
class Offer:
    """One published offer: a window of one day, its queues and how many agents it needs."""

    kind: str
    day: date
    start: str  # HH:MM on the interval grid
    end: str  # HH:MM (24:00 for midnight)
    queues: tuple[str, ...]
    agents_needed: int
    filled: int = 0
    status: str = "open"

    @property
    def start_minute(self) -> int:
        return parse_clock(self.start)

    @property
    def end_minute(self) -> int:
        return parse_end_clock(self.end)

    def starts_at(self, config: SiteConfig) -> datetime:
        """The window's start, tz-aware in the site's timezone."""
        return (datetime.combine(self.day, datetime.min.time(), tzinfo=config.tz)
                + timedelta(minutes=self.start_minute))


@dataclass(frozen=True)
class OfferChange:
    """What accepting an offer does to one agent's day.

    ``shift``/``queue`` are the roster row after the change (an extension keeps the row; its
    extra time serves ``serves``, the offer's queue the agent has the skill for);
    ``start_minute``/``end_minute`` the agent's working time that day after it (minutes after
    midnight); ``minutes`` the overtime worked or the time given up.
    """

    kind: str
    change: str
    agent_id: str
    day: date
    before_shift: str
    before_queue: str
    shift: str
    queue: str
    start_minute: int
    end_minute: int
    minutes: int
    serves: str = ""  # the queue the overtime serves or the VTO leaves

    @property
    def rewrites_row(self) -> bool:
        return (self.shift, self.queue) != (self.before_shift, self.before_queue)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "change": self.change, "agent_id": self.agent_id,
                "date": self.day.isoformat(), "before": [self.before_shift, self.before_queue],
                "after": [self.shift, self.queue], "start": clock_text(self.start_minute),
                "end": clock_text(self.end_minute), "minutes": self.minutes,
                "serves": self.serves}


@dataclass(frozen=True)
class OfferVerdict:
    """Whether an agent may take an offer, and the change it would make."""

    violations: list[Violation]
    change: OfferChange | None = None

    @property
    def ok(self) -> bool:
        return not self.violations and self.change is not None


@dataclass(frozen=True)
class OfferDraft:
    """An offer the ``[intraday]`` rule proposes (``auto_offers``)."""

    kind: str
    day: date
    start: str
    end: str
    queue: str
    agents_needed: int
    reason: str = field(default="")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clock_text(minutes: int) -> str:
    """Minutes after midnight as ``HH:MM``: ``24:00`` for midnight at the end of the day, the
    next day's clock for a shift that crosses midnight."""
    return "24:00" if minutes == MINUTES_PER_DAY else _clock(minutes % MINUTES_PER_DAY)


def check_offer_window(config: SiteConfig, *, kind: str, start: str, end: str,
                       agents_needed: int, queues: Iterable[str]) -> None:
    """``InvalidInput`` naming the field for an offer that cannot be published."""
    if kind not in OFFER_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(OFFER_KINDS)}, got {kind!r}",
                           field="kind")
    try:
        begin = parse_clock(start, name="start")
    except ValueError as error:
        raise InvalidInput(str(error), field="start") from None
    try:
        finish = parse_end_clock(end, name="end")
    except ValueError as error:
        raise InvalidInput(str(error), field="end") from None
    for name, text, minute in (("start", start, begin), ("end", end, finish)):
        if minute % config.interval_minutes:
            raise InvalidInput(f"{name} must lie on the {config.interval_minutes}-minute "
                               f"interval grid, got {text!r}", field=name)
    if finish <= begin:
        raise InvalidInput(f"end must be after start on the same day, got {start}-{end}",
                           field="end")
    if agents_needed < 1:
        raise InvalidInput(f"agents_needed must be at least 1, got {agents_needed}",
                           field="agents_needed")
    if not list(queues):
        raise InvalidInput("queues must name at least one queue", field="queues")


def _span(template: ShiftTemplate) -> tuple[int, int]:
    return template.start_minute, template.start_minute + template.duration_minutes


def plan_change(offer: Offer, agent: Mapping[str, object], cell: tuple[str, str] | None,
                config: SiteConfig) -> OfferChange | Violation:
    """The change accepting ``offer`` makes to the agent's day, or why it cannot apply.

    ``cell`` is the agent's roster row on the offer's day (``shift, queue``), None without one.
    Shape codes: ``no_assignment``, ``leave``, ``already_working``, ``not_adjacent``,
    ``no_template``, ``not_working``, ``other_queue``, ``not_at_shift_end``.
    """
    agent_id, day, iso = str(agent["agent_id"]), offer.day, offer.day.isoformat()
    lo, hi = offer.start_minute, offer.end_minute
    if cell is None:
        return Violation("no_assignment", agent_id, iso, f"{agent_id} has no roster row on {day}")
    shift, queue = cell[0], cell[1] or ""
    if shift == "LEAVE":
        return Violation("leave", agent_id, iso, f"{agent_id} is on leave on {day}")
    given = agent.get("skills") or ()
    skills = {str(s) for s in given} if isinstance(given, (list, tuple, set)) else set()
    serving = next((q for q in offer.queues if q in skills), offer.queues[0])
    window = f"{offer.start}-{offer.end}"
    if offer.kind == OVERTIME:
        if shift == "OFF":
            covering = [t for t in config.shifts if _span(t)[0] <= lo and hi <= _span(t)[1]]
            if not covering:
                return Violation("no_template", agent_id, iso,
                                 f"no shift template covers {window}", {"window": window})
            best = min(covering, key=lambda t: t.duration_minutes)
            start, stop = _span(best)
            return OfferChange(OVERTIME, "add_shift", agent_id, day, shift, queue, best.code,
                               serving, start, stop, best.paid_minutes, serving)
        start, stop = _span(config.shift(shift))
        if start <= lo and hi <= stop:
            return Violation("already_working", agent_id, iso,
                             f"{agent_id} already works {window} on {day}", {"window": window})
        if lo >= start and lo <= stop < hi:
            return OfferChange(OVERTIME, "extend_after", agent_id, day, shift, queue, shift,
                               queue, start, hi, hi - stop, serving)
        if hi <= stop and lo < start <= hi:
            return OfferChange(OVERTIME, "extend_before", agent_id, day, shift, queue, shift,
                               queue, lo, stop, start - lo, serving)
        return Violation("not_adjacent", agent_id, iso,
                         f"{window} does not meet {agent_id}'s {shift} shift on {day}",
                         {"window": window, "shift": shift})
    if shift == "OFF":
        return Violation("not_working", agent_id, iso, f"{agent_id} does not work on {day}")
    if queue and queue not in offer.queues:
        return Violation("other_queue", agent_id, iso,
                         f"{agent_id}'s shift on {day} serves {queue}, not "
                         f"{', '.join(offer.queues)}", {"queue": queue})
    template = config.shift(shift)
    start, stop = _span(template)
    if lo <= start and stop <= hi:
        return OfferChange(VTO, "day_off", agent_id, day, shift, queue, "LEAVE", "", start,
                           start, template.paid_minutes, queue or offer.queues[0])
    if start < lo < stop <= hi:
        return OfferChange(VTO, "end_early", agent_id, day, shift, queue, shift, queue, start,
                           lo, stop - lo, queue or offer.queues[0])
    return Violation("not_at_shift_end", agent_id, iso,
                     f"{window} is not the end of {agent_id}'s {shift} shift "
                     f"({template.start}-{template.end}) on {day}",
                     {"window": window, "shift": shift})


def changed_template(template: ShiftTemplate, start: int, stop: int,
                     code: str) -> ShiftTemplate:
    """``template`` worked from ``start`` to ``stop`` (minutes after the day's midnight,
    ``stop`` past 1440 for a shift crossing midnight) as a template named ``code``: its fixed
    breaks kept where they still fit."""
    def at(text: str) -> int:  # a break after midnight of a shift that crosses it
        minute = parse_clock(text)
        return minute + MINUTES_PER_DAY if minute < template.start_minute else minute

    breaks = [(text, minutes) for text, minutes in template.breaks
              if start <= at(text) and at(text) + minutes <= stop]
    return ShiftTemplate(code=code, start=_clock(start % MINUTES_PER_DAY),
                         end="24:00" if stop == MINUTES_PER_DAY
                         else _clock(stop % MINUTES_PER_DAY), breaks=breaks)


def adjusted_config(config: SiteConfig, change: OfferChange) -> SiteConfig:
    """The site with one more template: the changed shift with its new start and end (its
    fixed breaks kept where they still fit), so the checker judges the real working time."""
    adjusted = changed_template(config.shift(change.before_shift), change.start_minute,
                                change.end_minute, ADJUSTED_CODE)
    return config.model_copy(update={"shifts": [*config.shifts, adjusted]})


def check_offer(rows: Iterable[Row], agent: Mapping[str, object], config: SiteConfig,
                offer: Offer, *, queues: list[str] | None = None,
                overtime_minutes_in_week: int = 0) -> OfferVerdict:
    """May this agent take ``offer``? The change, judged by the rule checker.

    Parameters
    ----------
    rows
        The agent's roster rows (``agent_id, date, shift, queue``): the days around the offer
        that the rules reach (``wfm.rules.days_rules_reach``), or all of them.
    agent
        The agent's record (``agent_id, skills, max_nights_per_week, start_date, end_date``).
    queues
        The site's queues (``missing_queue`` needs them).
    overtime_minutes_in_week
        Overtime the agent already accepted in the offer's Monday-Sunday week.
    """
    agent_id = str(agent["agent_id"])
    mine = [(str(a), d, str(s), str(q or "")) for a, d, s, q in rows if str(a) == agent_id]
    cells = {d: (s, q) for _, d, s, q in mine}
    planned = plan_change(offer, agent, cells.get(offer.day), config)
    if isinstance(planned, Violation):
        return OfferVerdict([planned])
    problems = _rule_violations(mine, planned, agent, config, queues)
    cap = config.intraday.max_overtime_hours_per_week
    if planned.kind == OVERTIME and cap and (overtime_minutes_in_week + planned.minutes
                                             > round(cap * 60)):
        problems.append(Violation(
            "overtime_cap", agent_id, offer.day.isoformat(),
            f"{agent_id} would work {(overtime_minutes_in_week + planned.minutes) / 60:g} h of "
            f"overtime in the week of {offer.day} (max_overtime_hours_per_week = {cap:g})",
            {"hours": f"{(overtime_minutes_in_week + planned.minutes) / 60:g}",
             "limit": f"{cap:g}"}))
    return OfferVerdict(problems, planned)


def _rule_violations(rows: list[Row], change: OfferChange, agent: Mapping[str, object],
                     config: SiteConfig, queues: list[str] | None) -> list[Violation]:
    """Violations the change adds to the agent's roster (the independent rule checker)."""
    judged = config
    shift = change.shift
    if change.change in ("extend_after", "extend_before", "end_early"):
        judged, shift = adjusted_config(config, change), ADJUSTED_CODE
    queue = change.serves if change.kind == OVERTIME else change.queue
    after = [r for r in rows if r[1] != change.day]
    after.append((change.agent_id, change.day, shift, queue))
    agent_ids = [change.agent_id]
    found = check_roster_rows(after, [dict(agent)], judged, requirement_queues=queues,
                              agent_ids=agent_ids)
    if not found:
        return []
    old = {(v.code, v.date) for v in check_roster_rows(rows, [dict(agent)], config,
                                                       requirement_queues=queues,
                                                       agent_ids=agent_ids)}
    return [v for v in found if (v.code, v.date) not in old]


def acceptance_refusal(offer: Offer, *, now: datetime, config: SiteConfig,
                       verdict: OfferVerdict | None = None) -> str | None:
    """Why an acceptance is refused, in one sentence, or None when it may be applied.

    ``now`` is tz-aware. The order is the one an agent understands: the offer's state first
    (withdrawn, started, filled), then the rules.
    """
    if offer.status == "withdrawn":
        return "offer withdrawn"
    if now >= offer.starts_at(config):
        return "offer expired: its interval has started"
    if offer.status == "filled" or offer.filled >= offer.agents_needed:
        return FILLED
    if verdict is not None and not verdict.ok:
        return "; ".join(v.message for v in verdict.violations)
    return None


def offer_totals(acceptances: Iterable[tuple[str, date, str, int]], *, date_from: date,
                 date_to: date) -> list[dict[str, Any]]:
    """Overtime and VTO hours per agent over ``date_from``..``date_to`` (inclusive).

    ``acceptances`` are ``(agent_id, date, kind, minutes)`` of applied acceptances.
    """
    sums: dict[str, dict[str, Any]] = {}
    for agent_id, day, kind, minutes in acceptances:
        if not date_from <= day <= date_to:
            continue
        entry = sums.setdefault(agent_id, {"agent_id": agent_id, "overtime_minutes": 0,
                                           "vto_minutes": 0, "offers": 0})
        entry[f"{kind}_minutes"] += int(minutes)
        entry["offers"] += 1
    return [{"agent_id": e["agent_id"], "overtime_hours": round(e["overtime_minutes"] / 60, 2),
             "vto_hours": round(e["vto_minutes"] / 60, 2), "offers": e["offers"]}
            for _, e in sorted(sums.items())]


def auto_offers(table: pd.DataFrame, config: SiteConfig, *, now: datetime,
                settings: IntradaySettings | None = None) -> list[OfferDraft]:
    """The offers the ``[intraday]`` rule publishes from an intraday table
    (``wfm.intraday.INTRADAY_COLUMNS``): one per run of coming intervals of a queue that is
    short (overtime) or long (VTO) and starts at least ``auto_lead_minutes`` after ``now``.

    A short run asks for ``ceil(peak / (1 − shrinkage))`` agents (the head count that brings
    the worst interval to zero, ``wfm.intraday``'s note); a long run offers VTO to the smallest
    surplus along it (``floor(min net / (1 − shrinkage))`` head count, so no interval of the
    run goes short). Both are capped by ``auto_max_agents`` and need at least
    ``auto_short_agents`` / ``auto_long_agents`` net agents.
    """
    settings = settings or config.intraday
    coming = table[table["status"] == "coming"].sort_values(["queue", "interval_start"])
    if coming.empty:
        return []
    step = pd.Timedelta(minutes=config.interval_minutes)
    earliest = pd.Timestamp(now) + pd.Timedelta(minutes=settings.auto_lead_minutes)
    drafts: list[OfferDraft] = []
    for queue, rows in coming.groupby("queue", sort=True):
        run: list[tuple[pd.Timestamp, int]] = []
        for start, net in zip(rows["interval_start"], rows["net_agents"], strict=True):
            sign = (net > 0) - (net < 0)
            if run and (sign != ((run[-1][1] > 0) - (run[-1][1] < 0))
                        or start - run[-1][0] != step):
                drafts += _draft(str(queue), run, step, earliest, config, settings)
                run = []
            if sign:
                run.append((pd.Timestamp(start), int(net)))
        drafts += _draft(str(queue), run, step, earliest, config, settings)
    return sorted(drafts, key=lambda d: (d.day, d.start, d.queue))


def _draft(queue: str, run: list[tuple[pd.Timestamp, int]], step: pd.Timedelta,
           earliest: pd.Timestamp, config: SiteConfig,
           settings: IntradaySettings) -> list[OfferDraft]:
    if not run or run[0][0] < earliest:
        return []
    keep = 1 - config.service_for(queue).shrinkage
    first, last = run[0][0], run[-1][0] + step
    nets = [n for _, n in run]
    if nets[0] < 0:
        peak = max(-n for n in nets)
        if peak < settings.auto_short_agents:
            return []
        kind, need = OVERTIME, math.ceil(peak / keep - 1e-9)
    else:
        surplus = min(nets)
        if surplus < settings.auto_long_agents:
            return []
        kind, need = VTO, max(1, math.floor(surplus / keep + 1e-9))
    end = "24:00" if last.normalize() > first.normalize() else f"{last:%H:%M}"
    need = min(need, settings.auto_max_agents)
    return [OfferDraft(kind, first.date(), f"{first:%H:%M}", end, queue, need,
                       f"intraday: {queue} {'short' if kind == OVERTIME else 'long'} "
                       f"{first:%H:%M}-{end}")]


def offer_head_counts(changes: Iterable[tuple[str, date, str, str, int, str]],
                      config: SiteConfig, day: date) -> pd.DataFrame:
    """Head count per interval and queue that applied extensions add (+1) on ``day``, for
    ``wfm.intraday.intraday_view``'s ``added``: the roster row keeps its shift code for them,
    so the roster's head count misses the extra time. Early ends are ``offer_early_ends``
    (they take the agent off the shift's own intervals, fixed breaks included); added shifts
    and days off are in the roster already.

    ``changes`` are ``(change, date, start, end, minutes, serves)`` of applied acceptances
    (``start``/``end`` the working time after the change). Answers ``interval_start``
    (tz-aware, site time), ``queue``, ``delta``.
    """
    step = config.interval_minutes
    midnight = local_midnight(day, config.tz)
    deltas: dict[tuple[pd.Timestamp, str], int] = {}
    for change, when, start, end, minutes, serves in changes:
        if when != day or change not in EXTENSIONS:
            continue
        begin = parse_clock(start)
        finish = parse_end_clock(end)
        lo, hi = (finish - minutes, finish) if change == "extend_after" else (begin,
                                                                               begin + minutes)
        for minute in range(lo - lo % step, hi, step):
            if 0 <= minute < MINUTES_PER_DAY:
                key = (midnight + pd.Timedelta(minutes=minute), serves)
                deltas[key] = deltas.get(key, 0) + 1
    return pd.DataFrame([(t, q, d) for (t, q), d in sorted(deltas.items())],
                        columns=["interval_start", "queue", "delta"])


def offer_early_ends(changes: Iterable[tuple[str, str, date, str, str, int]],
                     config: SiteConfig, day: date) -> pd.DataFrame:
    """The time applied early ends (VTO ``end_early``) give up on ``day``, as part-day
    absences for ``wfm.intraday.intraday_view``'s ``away``: the agent is off its shift's
    intervals from the new end to the shift's own end (the roster row keeps the shift code).

    ``changes`` are ``(agent_id, change, date, start, end, minutes)`` of applied acceptances
    (``end`` the new end). Answers ``agent_id, start, end`` (tz-aware, site time).
    """
    midnight = local_midnight(day, config.tz)
    rows = []
    for agent_id, change, when, _start, end, minutes in changes:
        if when != day or change != "end_early":
            continue
        finish = parse_end_clock(end)
        rows.append({"agent_id": str(agent_id),
                     "start": midnight + pd.Timedelta(minutes=finish),
                     "end": midnight + pd.Timedelta(minutes=finish + int(minutes))})
    return pd.DataFrame(rows, columns=["agent_id", "start", "end"])


def roster_with_offer_hours(roster: pd.DataFrame,
                            changes: Iterable[tuple[str, date, str, str, str]],
                            config: SiteConfig) -> tuple[pd.DataFrame, SiteConfig, dict[str, str]]:
    """The roster as worked after applied extensions and early ends, for the schedule that
    adherence (batch and live) judges: the roster row keeps its shift code for them, so each
    changed row gets a template of its own with the accepted start and end
    (``changed_template``: ``<code>-OFFER-<HHMM>-<HHMM>``), added to the site's.

    ``changes`` are ``(agent_id, date, change, start, end)`` of applied acceptances (the
    working time after each change). Several on one agent's day combine: the earliest start,
    and the earliest new end of an early end, else the latest end. Answers the roster, the
    site with the templates, and each added code's original code (to show it again).
    """
    worked: dict[tuple[str, date], tuple[int, int, bool]] = {}
    for agent_id, day, change, start, end in changes:
        if change not in (*EXTENSIONS, "end_early"):
            continue
        begin = parse_clock(start)
        finish = parse_end_clock(end)
        finish += MINUTES_PER_DAY if finish <= begin else 0  # crosses midnight
        key = (str(agent_id), day)
        early = change == "end_early"
        if key in worked:
            lo, hi, was_early = worked[key]
            begin = min(begin, lo)
            finish = (min(finish, hi) if early and was_early else finish if early
                      else hi if was_early else max(finish, hi))
            early = early or was_early
        worked[key] = (begin, finish, early)
    if not worked or roster.empty:
        return roster, config, {}
    days = pd.to_datetime(roster["date"].astype(str)).dt.date
    keys = list(zip(roster["agent_id"].astype(str), days, strict=True))
    shifts = roster["shift"].astype(str).tolist()
    templates: dict[str, ShiftTemplate] = {}
    back: dict[str, str] = {}
    for row, key in enumerate(keys):
        if key not in worked or shifts[row] in ("OFF", "LEAVE"):
            continue
        begin, finish, _ = worked[key]
        code = f"{shifts[row]}-OFFER-{_clock(begin % MINUTES_PER_DAY).replace(':', '')}-" \
               f"{clock_text(finish).replace(':', '')}"
        if code not in templates:
            templates[code] = changed_template(config.shift(shifts[row]), begin, finish, code)
            back[code] = shifts[row]
        shifts[row] = code
    if not templates:
        return roster, config, {}
    site = config.model_copy(update={"shifts": [*config.shifts, *templates.values()]})
    return roster.assign(shift=shifts), site, back


def offer_head_deltas(roster: pd.DataFrame, changes: Iterable[tuple[str, date, str, str, str]],
                      config: SiteConfig, queues: list[str] | None
                      ) -> dict[tuple[str, date], Counter[tuple[int, str]]]:
    """Per (agent_id, date) of a roster row an applied extension or early end changed, the
    head count its accepted hours add (+1) or take (-1) per interval against the row's own
    shift, keyed as ``wfm.requests.impact.expand`` keys counts (interval start in minutes
    since 1970-01-01, queue).

    ``roster`` rows (``agent_id, date, shift, queue``) and ``changes`` as
    ``roster_with_offer_hours`` takes them, which gives the worked hours: the coverage page
    counts the same roster as worked, so the time-off impact sees what the page shows.
    """
    from wfm.requests.impact import cell_groups, expand

    worked, site, _ = roster_with_offer_hours(roster, changes, config)
    out: dict[tuple[str, date], Counter[tuple[int, str]]] = {}
    if site is config:
        return out
    days = pd.to_datetime(roster["date"].astype(str)).dt.date
    for agent_id, day, shift, queue, now in zip(
            roster["agent_id"].astype(str), days, roster["shift"].astype(str),
            roster["queue"], worked["shift"].astype(str), strict=True):
        if now == shift:
            continue
        cell = {"date": day, "queue": "" if queue is None or queue != queue else str(queue)}
        delta = expand(cell_groups([{**cell, "shift": now}], queues), site)
        delta.subtract(expand(cell_groups([{**cell, "shift": shift}], queues), config))
        out.setdefault((agent_id, day), Counter()).update(delta)
    return out
