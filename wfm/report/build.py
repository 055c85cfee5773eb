"""``build_report``: one self-contained ``report.html`` (inline CSS and SVG, no scripts).

Each section has a fixed ``id`` (``SECTIONS``) and a heading; a section whose data was not
given says so instead of failing, so a report can be built from whatever tables exist.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.coverage import coverage_table, staffing_gap
from wfm.report import figures
from wfm.report.svg import Axes, Band, Line, bar_chart, line_chart
from wfm.report.words import Words

SECTIONS = (
    ("kpis", "Headline figures"),
    ("forecast", "Forecast against recent history"),
    ("coverage", "Required and scheduled agents"),
    ("roster", "Roster"),
    ("fairness", "Fairness"),
    ("adherence", "Adherence per agent"),
    ("legend", "What each figure means"),
)
# sections drawn only when their data is given (after the headline figures)
OPTIONAL_SECTIONS = (("service_kpis", "Service KPIs from actuals"),)
HISTORY_DAYS_SHOWN = 14
CAUSE_LABELS = {"late_start": "late start", "early_leave": "early leave", "absent": "absence",
                "break_overrun": "break overrun", "not_ready": "not ready or unscheduled break",
                "other": "logged out mid-shift", "worked_break": "worked through a break",
                "excused": "excused"}
PALETTE = ("#4e79a7", "#59a14f", "#9c755f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7")
REST_COLORS = {"OFF": "#e9ecef", "LEAVE": "#ffe08a"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:0 auto;max-width:1000px;padding:16px 20px;color:#222;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #4e79a7;padding-bottom:4px;
margin-top:1.8em}nav a{margin-right:12px}.meta{color:#555}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ccd;border-radius:6px;
padding:8px 12px;min-width:150px}.card .value{font-size:1.6em;font-weight:600}
.card .label{color:#555;font-size:.85em}.card.bad .value{color:#c0392b}
.card.good .value{color:#2e7d32}.missing{color:#8a6d3b;background:#fcf8e3;padding:8px;
border-radius:4px}table{border-collapse:collapse;font-size:.85em;margin:8px 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f3f5f8}
td.name,th.name{text-align:left}.grid td{text-align:center;min-width:52px}
.scroll{max-height:520px;overflow:auto;border:1px solid #eee}
svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}
.chart-title{font-size:14px;font-weight:600}.tick{font-size:11px;fill:#444}
.axis-label{font-size:12px;fill:#222}.grid{stroke:#e5e5e5}.axis{stroke:#333}
.marker{stroke:#888;stroke-dasharray:4 3}.target{stroke:#c0392b;stroke-width:1.5;
stroke-dasharray:6 3}.target-label{font-size:12px;fill:#c0392b;font-weight:600}
.shortfall{fill:#d62728;fill-opacity:.55}dt{font-weight:600;margin-top:.6em}
"""


def build_report(out_dir: str | Path, *, history: pd.DataFrame | None = None,
                 forecast: pd.DataFrame | None = None, requirement: pd.DataFrame | None = None,
                 roster: pd.DataFrame | None = None, coverage: pd.DataFrame | None = None,
                 adherence: Any = None, agents: pd.DataFrame | None = None,
                 config: SiteConfig | None = None, kpis: dict[str, Any] | None = None,
                 kpi_table: pd.DataFrame | None = None,
                 previous: pd.DataFrame | None = None,
                 leave: pd.DataFrame | None = None, language: str | None = None) -> Path:
    """Write ``out_dir/report.html`` from whichever tables are given; returns its path.

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing). The file is written atomically.
    history, forecast, requirement, roster, coverage, agents
        Typed frames as ``wfm.tables.read_table`` returns them (any may be None).
    adherence
        The adherence table, or an object with ``.rows`` (an ``AdherenceReport``).
    config
        The site configuration (defaults when None): shifts, targets, interval length.
    kpis
        Extra headline figures (e.g. solve status); keys become card labels.
    kpi_table
        The KPI table of ``wfm kpi`` (``wfm.kpi.KPI_COLUMNS``): adds the service-KPI section.
    previous, leave
        The previous roster and approved leave: with the agents table, the fairness section
        shows each team's fair shares and the running totals over the previous
        ``[roster] fairness_weeks`` weeks and this roster.
    language
        ``zh-CN`` or ``en``; by default the site's ``language``.
    """
    config = config or SiteConfig()
    data_coverage = getattr(adherence, "coverage", None)
    if adherence is not None and not isinstance(adherence, pd.DataFrame):
        adherence = adherence.rows
    if coverage is None and roster is not None and requirement is not None:
        coverage = coverage_table(roster, requirement, config)
    page = ReportPage(config=config, history=history, forecast=forecast,
                      requirement=requirement, roster=roster, coverage=coverage,
                      adherence=adherence, agents=agents, extra=kpis or {},
                      previous=previous, leave=leave, language=language)
    page.kpi_table = kpi_table
    page.data_coverage = data_coverage or None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    _write_atomic(path, page.html())
    return path


def headline_figures(*, requirement: pd.DataFrame | None = None,
                     coverage: pd.DataFrame | None = None, adherence: Any = None,
                     config: SiteConfig | None = None) -> dict[str, Any]:
    """The headline KPIs the report shows, as one dict (figures it cannot compute are absent).

    Keys: ``service_level_pct``, ``occupancy_pct``, ``basis`` (coverage + requirement),
    ``shortfall_agent_hours``, ``short_intervals``, ``short_intervals_pct`` (coverage),
    ``adherence_pct``, ``conformance_pct`` (adherence rows).
    """
    config = config or SiteConfig()
    if adherence is not None and not isinstance(adherence, pd.DataFrame):
        adherence = adherence.rows
    result: dict[str, Any] = {}
    if coverage is not None and requirement is not None:
        result.update(figures.expected_service(coverage, requirement, config))
    if coverage is not None:
        result.update(figures.shortfall_figures(coverage, config))
    if adherence is not None and len(adherence):
        result.update(figures.adherence_figures(adherence))
    return result


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _missing(what: str, lead: str = "Not available: ") -> str:
    return f'<p class="missing">{escape(lead)}{escape(what)}</p>'


def _table(frame: pd.DataFrame, name_columns: tuple[str, ...] = (),
           decimals: int | None = None, words: Words | None = None) -> str:
    """An HTML table; every number of a float column has the same number of decimals.

    ``decimals`` fixes that number for all float columns; by default a column whose values are
    all whole shows none and any other column shows two.
    """
    say = words or Words("en")
    head = "".join(f'<th class="{"name" if c in name_columns else ""}">{escape(say(str(c)))}</th>'
                   for c in frame.columns)
    places = {column: _decimals(frame[column], decimals) for column in frame.columns
              if pd.api.types.is_float_dtype(frame[column])}
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            shown = _cell(value, places.get(column))
            css = ' class="name"' if column in name_columns else ""
            cells.append(f"<td{css}>{escape(shown)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _decimals(values: pd.Series, decimals: int | None) -> int:
    if decimals is not None:
        return decimals
    finite = values[np.isfinite(values.to_numpy(dtype=float))]
    return 0 if bool((finite == finite.round(0)).all()) else 2


def _cell(value: Any, decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating):
        if decimals is not None:
            return f"{value:,.{decimals}f}"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


def _day_ticks(starts: pd.Series, words: Words | None = None) -> list[tuple[float, str]]:
    days = starts.dt.date.to_numpy()
    ticks = []
    for position in range(len(days)):
        if position == 0 or days[position] != days[position - 1]:
            day = days[position]
            ticks.append((float(position), f"{(words or Words('en')).weekday(day)} "
                                           f"{day:%m-%d}"))
    if len(ticks) > 10:  # keep labels readable: weekday dropped when crowded
        ticks = [(p, label[4:]) for p, label in ticks]
    return ticks


class ReportPage:
    """Holds the inputs and renders each section; one method per section."""

    def __init__(self, *, config: SiteConfig, extra: dict[str, Any], language: str | None = None,
                 **tables: pd.DataFrame | None) -> None:
        self.config = config
        self.extra = extra
        self.history = tables["history"]
        self.forecast = tables["forecast"]
        self.requirement = tables["requirement"]
        self.roster = tables["roster"]
        self.coverage = tables["coverage"]
        self.adherence = tables["adherence"]
        self.agents = tables["agents"]
        self.kpi_table: pd.DataFrame | None = None
        self.data_coverage: dict[str, Any] | None = None  # what the login data covers
        self.previous = tables.get("previous")
        self.leave = tables.get("leave")
        self.w = Words(language or config.language)

    def _missing(self, what: str) -> str:
        return _missing(self.w(what), self.w("Not available: "))

    def html(self) -> str:
        renderers: dict[str, Callable[[], str]] = {
            "kpis": self.kpis, "forecast": self.forecast_section,
            "coverage": self.coverage_section, "roster": self.roster_section,
            "fairness": self.fairness_section, "adherence": self.adherence_section,
            "legend": self.legend}
        sections = list(SECTIONS)
        if self.kpi_table is not None:
            from wfm.report.kpi_section import kpi_section

            table = self.kpi_table
            renderers["service_kpis"] = lambda: kpi_section(table, self.config, self.w)
            sections[1:1] = OPTIONAL_SECTIONS
        sections = [(key, self.w(title)) for key, title in sections]
        nav = " ".join(f'<a href="#{key}">{escape(title)}</a>' for key, title in sections)
        body = [f'<section id="{key}"><h2>{escape(title)}</h2>\n{renderers[key]()}\n</section>'
                for key, title in sections]
        title = escape(self.w("WFM planning report"))
        return (f"<!DOCTYPE html>\n<html lang=\"{self.w.language}\"><head>"
                "<meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{title}</title><style>{CSS}</style></head><body>"
                f"<h1>{title}</h1><p class=\"meta\">{escape(self._period())}</p>"
                f"<nav>{nav}</nav>\n" + "\n".join(body) + "\n</body></html>\n")

    def _period(self) -> str:
        w = self.w
        parts = [w("Site timezone {tz}", tz=self.config.timezone),
                 w("{n}-minute intervals", n=self.config.interval_minutes)]
        for frame in (self.roster,):
            if frame is not None and len(frame):
                parts.append(w("roster {start} to {end}", start=min(frame["date"]),
                               end=max(frame["date"])))
        if self.forecast is not None and len(self.forecast):
            starts = self.forecast["interval_start"]
            parts.append(w("forecast {start} to {end}", start=f"{starts.min():%Y-%m-%d}",
                           end=f"{starts.max():%Y-%m-%d}"))
        return " · ".join(parts)

    # ---- headline figures --------------------------------------------------------------
    def headline(self) -> dict[str, Any]:
        return headline_figures(requirement=self.requirement, coverage=self.coverage,
                                adherence=self.adherence, config=self.config)

    def kpis(self) -> str:
        figures_ = self.headline()
        target = self.config.adherence.target_pct
        sl_target = 100 * self.config.service.level

        def card(label: str, value: Any, unit: str, good: bool | None, note: str) -> str:
            css = "" if good is None or value is None else (" good" if good else " bad")
            shown = "—" if value is None else f"{value:,.1f}{unit}"
            return (f'<div class="card{css}"><div class="value">{escape(shown)}</div>'
                    f'<div class="label">{escape(label)}</div><div class="label">'
                    f'{escape(note)}</div></div>')

        sl = figures_.get("service_level_pct")
        occ = figures_.get("occupancy_pct")
        adh = figures_.get("adherence_pct")
        conf = figures_.get("conformance_pct")
        short = figures_.get("shortfall_agent_hours")
        w = self.w
        basis = figures_.get("basis")
        cards = [
            card(w("Service level"), sl, "%", None if sl is None else sl >= sl_target,
                 w("target {pct}%", pct=f"{sl_target:g}") + " · "
                 + (w(str(basis)) if basis else w("needs coverage+requirement"))),
            card(w("Occupancy"), occ, "%", None if occ is None else
                 occ <= 100 * self.config.service.max_occupancy,
                 w("cap {pct}%", pct=f"{100 * self.config.service.max_occupancy:g}")),
            card(w("Adherence"), adh, "%", None if adh is None else adh >= target,
                 w("target {pct}%", pct=f"{target:g}") if adh is not None
                 else w("needs adherence")),
            card(w("Conformance"), conf, "%", None, w("worked / scheduled minutes")
                 if conf is not None else w("needs adherence")),
            card(w("Shortfall"), short, w(" agent-h"), None if short is None else short == 0,
                 w("{n} short interval-queues", n=figures_.get("short_intervals", 0))
                 if short is not None else w("needs coverage")),
        ]
        for label, value in self.extra.items():
            shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
            cards.append(f'<div class="card"><div class="value">{escape(shown)}</div>'
                         f'<div class="label">{escape(w(str(label).replace("_", " ")))}</div>'
                         "</div>")
        return f'<div class="cards">{"".join(cards)}</div>'

    # ---- forecast ----------------------------------------------------------------------
    def forecast_section(self) -> str:
        if self.forecast is None and self.history is None:
            return self._missing("give a forecast and/or history to see this chart.")
        parts = []
        if self.forecast is None:
            parts.append(self._missing("no forecast given; recent history only."))
        if self.history is None:
            parts.append(self._missing("no history given; forecast only."))
        queues = sorted(set(self._queues(self.forecast)) | set(self._queues(self.history)))
        for queue in queues:
            parts.append(self._forecast_chart(queue))
        if self.forecast is not None:
            parts.append(self._forecast_table())
        if self.forecast is not None and self.history is not None:
            parts.append(self._model_choice())
        return "\n".join(parts)

    def _model_choice(self) -> str:
        """The model each queue's backtest chooses on the history before the forecast."""
        from wfm.forecast.explain import choice_rows

        assert self.forecast is not None and self.history is not None
        rows = choice_rows(self.history, self.config, self.forecast["interval_start"].min())
        if not rows:
            return ""

        def pct(value: Any, signed: bool = False) -> str:
            if value is None or value != value:
                return "-"
            return f"{100 * value:+.1f}%" if signed else f"{100 * value:.1f}%"

        frame = pd.DataFrame([{
            "queue": r["queue"], "model": r["model"], "chosen by": self.w(str(r["rule"])),
            "interval WAPE": pct(r["interval_wape"]), "runner-up": r["runner_up"] or "-",
            "margin": pct(r["margin_vs_runner_up"]),
            "seasonal naive": pct(r["seasonal_naive_wape"]),
            "bias (noise)": f"{pct(r['bias'], True)} (±{pct(r['bias_noise'])})",
            "notes": "; ".join(self._choice_notes(r)) or "-"}
            for r in rows])
        return ("<p>" + escape(self.w(
                    "Model chosen per queue by a rolling-origin backtest on its own history, "
                    "simple models first (interval WAPE, lower is better); the notes say how the "
                    "best model-based candidate fared and which holidays are forecast as "
                    "ordinary days for want of history:")) + "</p>"
                + _table(frame, ("queue", "model", "chosen by", "runner-up"), words=self.w))

    def _choice_notes(self, row: dict) -> list[str]:
        """The model choice's notes in the report's language: how the best model-based
        candidate fared against the best simple one, and the holidays forecast as ordinary
        days for want of history."""
        notes = []
        versus = row.get("versus")
        if versus:
            notes.append(self.w(
                "{candidate} beat {simple} on {wins} of {origins} origin(s), by {gain:.1f}% on "
                "average (sign test p = {p:.3f}, needed <= {alpha:.4f}; lost by over 5% on "
                "{losses})", candidate=versus["candidate"], simple=versus["simple"],
                wins=versus["wins"], origins=versus["origins"],
                gain=100 * versus["mean_gain"], p=versus["p_value"], alpha=versus["alpha"],
                losses=versus["big_losses"])
                + ("" if versus["complete"] else self.w("; stopped once it could no longer pass")))
        anchor = row.get("anchor_test")
        if anchor:
            t = "-" if anchor["t"] is None else f"{anchor['t']:.2f}"
            needed = "-" if anchor["critical"] is None else f"{-anchor['critical']:.2f}"
            notes.append(self.w(
                "against the 4-week mean: {candidate} beat {anchor} on {wins} of "
                "{origins} origin(s), by {gain:.1f}% on average (paired t = {t}, needed < "
                "{needed})", candidate=anchor["candidate"], anchor=anchor["anchor"],
                wins=anchor["wins"], origins=anchor["origins"],
                gain=100 * anchor["mean_gain"], t=t, needed=needed)
                + self.w(": beyond noise, it replaces the 4-week mean"
                         if anchor["replaced"]
                         else ": not beyond noise, the 4-week mean stays"))
        for day in row.get("unseen_holidays", []):
            notes.append(self.w(
                "{date} {holiday}: no history for this holiday, forecast as an ordinary "
                "{weekday}", date=day["date"].isoformat(), holiday=day["holiday"],
                weekday=self.w.weekday(day["date"])))
        return notes

    @staticmethod
    def _queues(frame: pd.DataFrame | None) -> list[str]:
        return [] if frame is None else [str(q) for q in frame["queue"].unique()]

    def _forecast_chart(self, queue: str) -> str:
        recent = pd.DataFrame(columns=["interval_start", "contacts"])
        if self.history is not None:
            history = self.history[self.history["queue"] == queue]
            end = (self.forecast["interval_start"].min() if self.forecast is not None
                   else history["interval_start"].max() + pd.Timedelta(minutes=1))
            start = end - pd.Timedelta(days=HISTORY_DAYS_SHOWN)
            recent = history[(history["interval_start"] >= start)
                             & (history["interval_start"] < end)]
        ahead = (self.forecast[self.forecast["queue"] == queue] if self.forecast is not None
                 else pd.DataFrame(columns=["interval_start", "contacts"]))
        if self.forecast is not None:  # closed intervals (zero forecast) are left out
            ahead = ahead[ahead["contacts"] > 0]
        starts = pd.Series(sorted(set(recent["interval_start"]) | set(ahead["interval_start"])))
        starts = pd.to_datetime(starts, utc=True).dt.tz_convert(self.config.timezone)
        if starts.empty:
            return _missing(self.w("no data for queue {queue}.", queue=queue),
                            self.w("Not available: "))
        index = {pd.Timestamp(t).value: i for i, t in enumerate(starts)}

        def at(frame: pd.DataFrame, column: str) -> list[float | None]:
            values: list[float | None] = [None] * len(starts)
            for t, v in zip(frame["interval_start"], frame[column], strict=True):
                values[index[pd.Timestamp(t).value]] = float(v)
            return values

        w = self.w
        lines = [Line(w("history (actual)"), at(recent, "contacts"), "#555555")]
        bands = []
        if len(ahead):
            lines.append(Line(w("forecast"), at(ahead, "contacts"), "#4e79a7"))
            if {"contacts_p10", "contacts_p90"} <= set(ahead.columns):
                bands.append(Band("p10-p90", at(ahead, "contacts_p10"),
                                  at(ahead, "contacts_p90"), "#4e79a7"))
        markers = ([(float(index[pd.Timestamp(ahead["interval_start"].min()).value]),
                     w("forecast →"))]
                   if len(ahead) and len(recent) else [])
        axes = Axes(x_label=w("day (open intervals only; gaps are missing history)"),
                    y_label=w("contacts per {n} min", n=self.config.interval_minutes),
                    x_ticks=_day_ticks(starts, self.w), markers=markers)
        return line_chart(w("{queue}: contacts per interval", queue=queue), lines, axes,
                          bands=bands)

    def _forecast_table(self) -> str:
        assert self.forecast is not None
        frame = self.forecast.assign(day=self.forecast["interval_start"].dt.date)
        daily = frame.pivot_table(index="day", columns="queue", values="contacts",
                                  aggfunc="sum").round(0)
        if self.history is not None:
            past = self.history.assign(
                day=(self.history["interval_start"] + pd.Timedelta(days=7)).dt.date)
            last = past.pivot_table(index="day", columns="queue", values="contacts",
                                    aggfunc="sum").reindex(daily.index)
            for queue in daily.columns:
                if queue in last.columns:
                    daily[self.w("{queue} a week earlier", queue=queue)] = last[queue]
        daily = daily.round(0).reset_index()
        daily["day"] = [f"{self.w.weekday(d)} {d:%Y-%m-%d}" for d in daily["day"]]
        return "<p>" + escape(self.w(
            "Forecast contacts per day, beside the actual contacts one week earlier:")) + "</p>" \
            + _table(daily, ("day",), decimals=0, words=self.w)

    # ---- coverage ----------------------------------------------------------------------
    def coverage_section(self) -> str:
        if self.coverage is None:
            return self._missing("give a coverage table (or a roster and a requirement).")
        parts = [self._gap()]
        w = self.w
        for queue in sorted(self.coverage["queue"].unique()):
            rows = self.coverage[self.coverage["queue"] == queue].sort_values("interval_start")
            rows = rows[(rows["required"] > 0) | (rows["scheduled"] > 0)].reset_index(drop=True)
            if rows.empty:
                continue
            highlights = [(i, float(r.scheduled), float(r.required),
                           f"{w.weekday(r.interval_start)} {r.interval_start:%m-%d %H:%M}: "
                           + w("required {required}, scheduled {scheduled}, short {short}",
                               required=r.required, scheduled=r.scheduled, short=r.shortfall))
                          for i, r in enumerate(rows.itertuples(index=False)) if r.shortfall > 0]
            lines = [Line(w("required"), rows["required"].tolist(), "#222222", step=True),
                     Line(w("scheduled"), rows["scheduled"].tolist(), "#4e79a7", step=True)]
            axes = Axes(x_label=w("day (open intervals)"), y_label=w("agents"),
                        x_ticks=_day_ticks(rows["interval_start"], self.w))
            parts.append(line_chart(w("{queue}: agents required vs scheduled", queue=queue),
                                    lines, axes,
                                    highlights=highlights))
        parts.append("<p>" + escape(w(
            "Shortfall in agent-hours per day and queue (red boxes above):")) + "</p>"
                     + _table(self._shortfall_by_day(), ("day",), decimals=2, words=self.w))
        return "\n".join(parts)

    def _gap(self) -> str:
        """The shortfall in a planner's words: about how many more agents, on which days and
        hours (``wfm.coverage.staffing_gap``)."""
        assert self.coverage is not None
        gap = staffing_gap(self.coverage, timezone=self.config.timezone,
                           interval_minutes=self.config.interval_minutes)
        w = self.w
        if not gap.short:
            met = escape(w("Every interval has the agents it requires."))
            return f'<p id="staffing-gap">{met}</p>'
        items = []
        for span in gap.spans:
            days = f"{w.weekday(span.days[0])} {span.days[0]:%m-%d}" + (
                f" – {w.weekday(span.days[-1])} {span.days[-1]:%m-%d}" if len(span.days) > 1
                else "")
            items.append(f"<li>{escape(days)} {span.start}-{span.end}: " + escape(w(
                "up to {agents} more agent(s), {hours} agent-hours", agents=span.peak_agents,
                hours=f"{span.agent_hours:,.1f}")) + "</li>")
        lead = w("The roster is short: about {agents} more agent(s) at the busiest time, "
                 "{hours} agent-hours in all.", agents=gap.peak_agents,
                 hours=f"{gap.agent_hours:,.1f}")
        return (f'<p id="staffing-gap"><strong>{escape(lead)}</strong></p>'
                f'<ul id="staffing-gap-spans">{"".join(items)}</ul>')

    def _shortfall_by_day(self) -> pd.DataFrame:
        """Agent-hours short per local day and queue, over the days being planned.

        Those are the roster's dates and any day with a requirement or a shortfall; a day the
        coverage reaches only because a night shift runs past midnight (nothing required, so
        nothing short) is left out.
        """
        assert self.coverage is not None
        daily = self.coverage.assign(day=self.coverage["interval_start"].dt.date)
        daily["hours"] = daily["shortfall"] * self.config.interval_minutes / 60
        planned = set(self.roster["date"]) if self.roster is not None else set()
        planned |= set(daily.loc[(daily["required"] > 0) | (daily["shortfall"] > 0), "day"])
        daily = daily[daily["day"].isin(planned)]
        table = daily.pivot_table(index="day", columns="queue", values="hours",
                                  aggfunc="sum", fill_value=0.0).astype(float).reset_index()
        table.columns.name = None
        table["day"] = [f"{self.w.weekday(d)} {d:%Y-%m-%d}" for d in table["day"]]
        return table

    # ---- roster ------------------------------------------------------------------------
    def roster_section(self) -> str:
        if self.roster is None:
            return self._missing("give a roster to see the grid.")
        codes = [t.code for t in self.config.shifts]
        colors = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(codes)} | REST_COLORS
        dates = sorted(set(self.roster["date"]))
        grid = self.roster.pivot(index="agent_id", columns="date", values="shift")
        queue = (self.roster.pivot(index="agent_id", columns="date", values="queue")
                 if "queue" in self.roster.columns else None)
        names = {} if self.agents is None else dict(zip(self.agents["agent_id"],
                                                        self.agents["name"], strict=True))
        head = "".join(f"<th>{self.w.weekday(d)}<br>{d:%m-%d}</th>" for d in dates)
        rows = []
        for agent_id in grid.index:
            cells = []
            for d in dates:
                shift = grid.at[agent_id, d]
                if not isinstance(shift, str):
                    cells.append("<td></td>")
                    continue
                q = queue.at[agent_id, d] if queue is not None else ""
                q = q if isinstance(q, str) else ""
                color = colors.get(shift, "#cccccc")
                text_color = "#222" if shift in REST_COLORS else "#fff"
                short = f"{shift}" + (f" {q[:3]}" if q else "")
                cells.append(f'<td style="background:{color};color:{text_color}" '
                             f'title="{escape(f"{agent_id} {d} {shift} {q}".strip())}">'
                             f"{escape(short)}</td>")
            name = escape(str(names.get(agent_id, "")))
            rows.append(f'<tr><td class="name">{escape(str(agent_id))} {name}</td>'
                        f"{''.join(cells)}</tr>")
        counts = self.roster.groupby(["date", "shift"]).size().unstack(fill_value=0)
        counts = counts.reindex(dates, fill_value=0)
        for code in list(counts.columns):
            values = "".join(f"<td>{n}</td>" for n in counts[code].astype(int).tolist())
            rows.append(f'<tr><th class="name">{escape(self.w("{code} count", code=code))}'
                        f"</th>{values}</tr>")
        legend = " ".join(f'<span style="background:{c};padding:0 8px;margin-right:4px">'
                          f"&nbsp;</span>{escape(code)}" for code, c in colors.items())
        return (f"<p>{legend}</p><div class=\"scroll\"><table class=\"grid\"><thead><tr>"
                f'<th class="name">{escape(self.w("agent"))}</th>{head}</tr></thead><tbody>'
                f'{"".join(rows)}'
                "</tbody></table></div>")

    # ---- fairness ----------------------------------------------------------------------
    def fairness_section(self) -> str:
        if self.roster is None:
            return self._missing("give a roster to see fairness figures.")
        table = figures.fairness_by_agent(self.roster, self.config, self.agents)
        summary = figures.fairness_summary(table)
        w = self.w
        rows = pd.DataFrame([
            (w("agents"), summary["agents"]),
            (w("nights per agent (min / mean / max)"),
             f"{summary['nights_min']} / {summary['nights_mean']} / {summary['nights_max']}"),
            (w("working days per agent (min / max)"),
             f"{summary['working_days_min']} / {summary['working_days_max']}"),
            (w("agents with a weekend rest day"), f"{summary['weekend_rest_pct']}%"),
            (w("agents whose preferred rest day was given"),
             "—" if summary["preferences_met_pct"] is None
             else f"{summary['preferences_met_pct']}%"),
        ], columns=["figure", "value"])
        counts = table["nights"].value_counts().sort_index()
        span = range(0, int(counts.index.max()) + 1) if len(counts) else range(0)
        values = [int(counts.get(k, 0)) for k in span]
        chart = bar_chart(w("Agents by number of night shifts"), [str(k) for k in span], values,
                          ["#b07aa1"] * len(values),
                          Axes(x_label=w("night shifts in the period"), y_label=w("agents")),
                          height=240)
        return _table(rows, ("figure", "value"), words=self.w) + chart + self._fair_shares()

    def _fair_shares(self) -> str:
        """Per team: nights and weekend rest against the fair share, and the agents farthest
        from it with their running totals (previous weeks + this roster)."""
        if self.agents is None or self.roster is None:
            return ""
        from wfm.rules.fairness import check_fairness

        check = check_fairness(self.roster, self.agents, self.config, previous=self.previous,
                               leave=self.leave)
        weeks = self.config.roster.fairness_weeks if self.previous is not None else 0
        teams = pd.DataFrame([
            (t.skills, self.w("nights" if t.kind == "nights" else "weekend rest"), t.agents,
             f"{t.fewest} / {t.median:g} / {t.most}", f"{t.median_share:g}",
             f"{t.outside_band} (±{check.band})") for t in check.teams],
            columns=["team", "kind", "agents", "fewest / median / most", "median fair share",
                     "outside the band"])
        far = sorted(check.agents, key=lambda a: -max(abs(a.nights - a.night_share),
                                                      abs(a.weekend_rest - a.weekend_rest_share)))
        totals = pd.DataFrame([
            (a.agent_id, a.skills, f"{a.nights_before} + {a.nights} = {a.nights_before + a.nights}",
             f"{a.night_share:.1f}",
             f"{a.weekend_rest_before} + {a.weekend_rest} = "
             f"{a.weekend_rest_before + a.weekend_rest}", f"{a.weekend_rest_share:.1f}")
            for a in far[:15]],
            columns=["agent", "team", "nights (before + now)", "night share now",
                     "weekend rest (before + now)", "weekend rest share now"])
        return ("<p>" + escape(self.w(
                    "Fair shares inside each team (same skills), pro rata by available days "
                    "and night caps; {weeks} previous week(s) counted.", weeks=weeks)) + "</p>"
                + _table(teams, ("team", "kind"), words=self.w)
                + "<p>" + escape(self.w(
                    "Running totals of the agents farthest from their share:")) + "</p>"
                + _table(totals, ("agent", "team"), words=self.w))

    # ---- adherence ---------------------------------------------------------------------
    def adherence_section(self) -> str:
        if self.adherence is None or not len(self.adherence):
            return self._missing("give an adherence table to see adherence per agent.")
        per_agent = figures.adherence_by_agent(self.adherence)
        if per_agent.empty:
            return self._missing("no scheduled minutes in the adherence table.")
        target = self.config.adherence.target_pct
        ordered = per_agent.sort_values(["adherence_pct", "agent_id"],
                                        ascending=[False, True]).reset_index(drop=True)
        colors = ["#59a14f" if v >= target else "#e15759" for v in ordered["adherence_pct"]]
        w = self.w
        tips = [f"{r.agent_id}: " + w(
                    "adherence {adherence}%, conformance {conformance}%, late {late} min, "
                    "absent {absent}", adherence=f"{r.adherence_pct:.1f}",
                    conformance=f"{r.conformance_pct:.1f}", late=f"{r.late_start_minutes:.0f}",
                    absent=f"{r.absences:.0f}") for r in ordered.itertuples(index=False)]
        chart = bar_chart(w("Adherence per agent, highest first ({n} agents)", n=len(ordered)),
                          ordered["agent_id"].tolist(), ordered["adherence_pct"].tolist(),
                          colors, Axes(x_label=w("agents (hover a bar for the agent)"),
                                       y_label=w("adherence %")),
                          target=(target, w("target {pct}%", pct=f"{target:g}")), y_max=100,
                          tooltips=tips)
        below = ordered[ordered["adherence_pct"] < target].sort_values("adherence_pct")
        columns = ["agent_id", "adherence_pct", "conformance_pct", "late_start_minutes",
                   "early_leave_minutes", "overtime_minutes", "absences"]
        shown = below[columns].astype({"absences": "int64"})
        return (chart + self._coverage_note() + "<p>" + escape(w(
                    "{below} of {n} agents below the {pct}% target:", below=len(below),
                    n=len(ordered), pct=f"{target:g}")) + "</p>" + '<div class="scroll">'
                + _table(shown, ("agent_id",), decimals=1, words=self.w)
                + "</div>" + self._reasons_table())

    def _coverage_note(self) -> str:
        """What the login data covers, and the warnings (``wfm.adherence.coverage``)."""
        info = self.data_coverage
        if not info:
            return ""
        w = self.w
        parts = []
        if info.get("events_from"):
            parts.append(w("The login data covers {start} to {end} ({agents} agent(s) with "
                           "data).", start=info["events_from"], end=info["events_to"],
                           agents=info["agents_with_events"]))
        without = info.get("agents_without_events") or []
        if without:
            parts.append(w("Warning: {count} rostered agent(s) have no events at all "
                           "({names}); their {shifts} shift(s) count as absent.",
                           count=len(without), names=", ".join(without[:10])
                           + (", ..." if len(without) > 10 else ""),
                           shifts=info["shifts_without_events"]))
        if info.get("partly_covered_count"):
            parts.append(w("Warning: {count} shift(s) lie partly or wholly outside the span "
                           "of the login data; their uncovered minutes read as not logged in.",
                           count=info["partly_covered_count"]))
        return "".join(f'<p class="meta">{escape(p)}</p>' for p in parts)

    def _reasons_table(self) -> str:
        """Every agent who lost minutes, largest gap to the target first, with the name and
        the minutes lost by cause (rounded so that they still add up to the lost minutes)."""
        from wfm.adherence.reasons import CAUSES
        from wfm.adherence.summary import largest_remainder

        rows = self.adherence
        lost_columns = [f"lost_{c}_minutes" for c in CAUSES]
        if rows is None or not set(lost_columns) <= set(rows.columns):
            return ""
        sums = rows.groupby("agent_id")[["scheduled_minutes", "in_adherence_minutes",
                                         *lost_columns]].sum()
        sums = sums[sums["scheduled_minutes"] > 0]
        exact = sums[lost_columns].to_numpy(float)
        total = np.round(exact.sum(axis=1), 2)
        sums = sums[total > 0]
        if sums.empty:
            return ""
        exact, total = exact[total > 0], total[total > 0]
        parts = largest_remainder(exact, total)
        target = float(self.config.adherence.target_pct)
        adherence = np.round(100 * sums["in_adherence_minutes"] / sums["scheduled_minutes"], 2)
        names = {}
        if self.agents is not None and "name" in self.agents.columns:
            names = dict(zip(self.agents["agent_id"], self.agents["name"].fillna(""),
                             strict=True))
        table = pd.DataFrame({
            "agent_id": sums.index, "name": [names.get(a, "") for a in sums.index],
            "adherence_pct": adherence.to_numpy(float),
            "gap to target": np.round(target - adherence.to_numpy(float), 2),
            "lost minutes": total,
            **{self.w(CAUSE_LABELS[c]): parts[:, k] for k, c in enumerate(CAUSES)}})
        table = table.sort_values(["gap to target", "agent_id"], ascending=[False, True])
        return ("<p>" + escape(self.w(
                    "Why minutes were lost, per agent, largest gap to the target first (the "
                    "causes add up to the lost minutes; excused minutes count as adherent):"))
                + '</p><div class="scroll">'
                + _table(table, ("agent_id", "name"), decimals=2, words=self.w) + "</div>")

    # ---- legend ------------------------------------------------------------------------
    def legend(self) -> str:
        items = [
            ("Service level", "Share of contacts answered within the queue's target time, "
             "weighted by contacts, with the rostered head count less shrinkage answering "
             "(Erlang C; Erlang A for a queue with patience_seconds, where callers who hang "
             "up count as not answered)."),
            ("Occupancy", "Share of the answering agents' time spent handling contacts: "
             "Σ traffic / Σ agents (traffic = contacts × AHT / interval length)."),
            ("Adherence", "Minutes working as scheduled during scheduled work time / scheduled "
             "work minutes, summed over the period (ratio of sums)."),
            ("Conformance", "Minutes working at any time attributed to the shift / scheduled "
             "minutes; overtime can lift it above adherence."),
            ("Shortfall", "Agents missing against the requirement (scheduled agents after "
             "shrinkage) per interval; agent-hours = Σ shortfall × interval length."),
            ("Forecast chart", "Grey: actual contacts of the last two weeks; blue: forecast; "
             "the shaded band is the p10-p90 range. Missing history shows as a gap."),
            ("Required vs scheduled", "Black step: agents required; blue step: agents rostered; "
             "red boxes: the shortfall of an interval."),
            ("Roster grid", "One row per agent, one column per day; coloured cells are shifts "
             "(with the queue served), grey is a rest day (OFF), yellow is leave."),
            ("Fairness", "How evenly nights and rest are spread: nights per agent, working days, "
             "agents with a Saturday or Sunday off, agents given a preferred rest day."),
            ("Adherence chart", "One bar per agent, highest first; red bars are below the "
             "target line."),
            ("Service KPIs", "From the actuals (wfm kpi), when given: misses first, then the "
             "period's figures, then a chart per figure; each figure is a ratio of sums and "
             "its formula is listed under Definitions in that section."),
        ]
        return "<dl>" + "".join(f"<dt>{escape(self.w(k))}</dt><dd>{escape(self.w(v))}</dd>"
                                for k, v in items) + "</dl>"
