"""Charts for the pages, drawn as inline SVG by ``wfm.report.svg`` (no script, no download).

Coverage per interval for one day and queue (required vs scheduled, shortfall boxes), the week's
shortfall per day, adherence per agent against the target, and forecast against actual
contacts per day.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

import pandas as pd

from api.store import Store
from api.web.i18n import Translator
from wfm.adherence.timeline import Timeline
from wfm.coverage import coverage_table
from wfm.report.svg import Axes, Line, bar_chart, line_chart

REQUIRED_COLOR, SCHEDULED_COLOR = "#555555", "#1f77b4"
BAR_OK, BAR_LOW = "#2ca02c", "#d62728"


def coverage_frame(store: Store, day_from: date, day_to: date) -> pd.DataFrame:
    """The coverage table (required vs scheduled per interval and queue) for local dates
    ``day_from``..``day_to``, from the stored roster as worked (accepted overtime extensions
    and VTO early ends included: ``Store.worked_roster_frame``) and requirement, with a
    ``day`` column.

    The roster is read from the day before, so a shift crossing midnight into the period is
    counted."""
    requirement = store.requirement_frame(date_from=day_from, date_to=day_to)
    roster, config = store.worked_roster_frame(date_from=day_from - timedelta(days=1),
                                               date_to=day_to)
    if requirement.empty and roster.empty:
        return pd.DataFrame(columns=["interval_start", "queue", "required", "scheduled",
                                     "shortfall", "day"])
    if requirement.empty:
        requirement = requirement.astype({"queue": object})
    table = coverage_table(roster, requirement, config)
    starts = pd.DatetimeIndex(table["interval_start"]).tz_convert(store.config.tz)
    table = table.assign(interval_start=starts, day=starts.date)
    return table[(table["day"] >= day_from) & (table["day"] <= day_to)].reset_index(drop=True)


def day_chart(table: pd.DataFrame, t: Translator, *, title: str) -> str:
    """Required vs scheduled agents per interval of one day and queue; red boxes mark the
    intervals below requirement. Leading and trailing intervals where nobody is required or
    scheduled (the queue is closed) are left out."""
    busy = ((table["required"] > 0) | (table["scheduled"] > 0)).to_numpy().nonzero()[0]
    if len(busy):
        table = table.iloc[busy[0]: busy[-1] + 1]
    labels = [s.strftime("%H:%M") for s in table["interval_start"]]
    required = table["required"].astype(float).tolist()
    scheduled = table["scheduled"].astype(float).tolist()
    step = max(1, len(labels) // 12)
    axes = Axes(x_label=t.t("coverage.axis_time"), y_label=t.t("coverage.axis_agents"),
                x_ticks=[(k, labels[k]) for k in range(0, len(labels), step)])
    highlights = [(k, s, r, t.t("coverage.short_tip", time=labels[k], required=int(r),
                                scheduled=int(s)))
                  for k, (r, s) in enumerate(zip(required, scheduled, strict=True)) if s < r]
    svg = line_chart(title, [Line(t.t("coverage.required"), required, REQUIRED_COLOR,
                                  dashed=True, step=True),
                             Line(t.t("coverage.scheduled"), scheduled, SCHEDULED_COLOR,
                                  step=True)], axes, highlights=highlights)
    return svg.replace(">shortfall<", f">{t.t('coverage.shortfall')}<")  # the legend's label


def week_summary(table: pd.DataFrame, days: list[date], queue: str,
                 interval_minutes: int) -> list[dict[str, object]]:
    """Per day of the week: intervals short; agent-hours required, scheduled and short (the
    unit the CLI and the report use); the worst interval."""
    hours = interval_minutes / 60
    out = []
    mine = table[table["queue"] == queue] if queue else table
    for day in days:
        rows = mine[mine["day"] == day]
        short = rows[rows["shortfall"] > 0]
        worst = (short.sort_values("shortfall", ascending=False, kind="stable").iloc[0]
                 if not short.empty else None)
        out.append({"day": day, "intervals": int(len(short)),
                    "shortfall": float(short["shortfall"].sum()) * hours,
                    "required": float(rows["required"].sum()) * hours,
                    "scheduled": float(rows["scheduled"].sum()) * hours,
                    "worst": None if worst is None else (worst["interval_start"],
                                                         int(worst["shortfall"]))})
    return out


def week_chart(summary: list[dict[str, object]], t: Translator, *, title: str) -> str:
    labels = [f"{t.weekday(s['day'])} {t.day_month(s['day'])}" for s in summary]  # type: ignore[arg-type]
    values = [float(s["shortfall"]) for s in summary]  # type: ignore[arg-type]
    colors = [BAR_LOW if v > 0 else BAR_OK for v in values]
    return bar_chart(title, labels, values, colors,
                     Axes(x_label=t.t("coverage.axis_day"),
                          y_label=t.t("coverage.axis_short")), width=720, height=240)


def adherence_chart(agents: pd.DataFrame, target_pct: float, t: Translator) -> str:
    """Adherence per agent (lowest first) against the target line."""
    labels = agents["agent_id"].astype(str).tolist()
    values = [0.0 if pd.isna(v) else float(v) for v in agents["adherence_pct"]]
    colors = [BAR_LOW if v < target_pct else BAR_OK for v in values]
    tips = [f"{a}: {t.percent(v)}" for a, v in zip(labels, values, strict=True)]
    return bar_chart(t.t("adherence.chart_title"), labels, values, colors,
                     Axes(x_label=t.t("adherence.axis_agent"),
                          y_label=t.t("adherence.axis_pct")),
                     target=(target_pct, t.t("adherence.target_line", target=t.number(
                         target_pct, 0))), y_max=100.0, tooltips=tips)


FORECAST_COLOR, ACTUAL_COLOR = "#1f77b4", "#555555"


def accuracy_chart(days: pd.DataFrame, t: Translator, *, title: str) -> str:
    """Forecast (dashed) against actual contacts per day of the accuracy window."""
    labels = [f"{t.weekday(d)} {t.day_month(d)}" for d in days["date"]]
    step = max(1, len(labels) // 14)
    axes = Axes(x_label=t.t("accuracy.axis_day"), y_label=t.t("accuracy.axis_contacts"),
                x_ticks=[(k + 0.5, labels[k]) for k in range(0, len(labels), step)])
    return line_chart(title, [
        Line(t.t("accuracy.forecast"), days["forecast"].astype(float).tolist(),
             FORECAST_COLOR, dashed=True),
        Line(t.t("accuracy.actual"), days["actual"].astype(float).tolist(), ACTUAL_COLOR)],
        axes)


# ---- one agent-day: scheduled against actual (issue 24) ------------------------------------
STATE_GROUPS = {"login": "working", "ready": "working", "talk": "working", "acw": "working",
                "hold": "working", "break": "break", "lunch": "break", "meeting": "not_ready",
                "training": "not_ready", "not_ready": "not_ready"}
TIMELINE_COLORS = {"shift": "#4e79a7", "fixed_break": "#d9d9d9", "excused": "#edc948",
                   "working": "#59a14f", "break": "#f28e2b", "not_ready": "#e15759"}


def timeline_chart(timeline: Timeline, tz: str, t: Translator, *, title: str) -> str:
    """Two bands over the agent-day: scheduled (shift, fixed breaks, excused periods) and
    actual (logged-in states grouped as working, break, not ready; blank is logged out), with
    an hour axis in site time. Each block has a tooltip with its times."""
    width, left, right = 900, 110, 10
    span = max(1, timeline.end_ns - timeline.start_ns)
    inner = width - left - right

    def x(value: int) -> float:
        return left + inner * (value - timeline.start_ns) / span

    def hhmm(value: int) -> str:
        return pd.Timestamp(value, tz="UTC").tz_convert(tz).strftime("%H:%M")

    def block(a: int, b: int, y: int, h: int, color: str, tip: str) -> str:
        return (f'<rect x="{x(a):.1f}" y="{y}" width="{max(0.5, x(b) - x(a)):.1f}" '
                f'height="{h}" fill="{color}"><title>{escape(tip)} {hhmm(a)}-{hhmm(b)}'
                "</title></rect>")

    parts = [f'<svg class="chart timeline" viewBox="0 0 {width} 150" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<text class="chart-title" x="{left}" y="14">{escape(title)}</text>',
             f'<text class="tick" x="4" y="44">{escape(t.t("adherence.tl_scheduled"))}</text>',
             f'<text class="tick" x="4" y="84">{escape(t.t("adherence.tl_actual"))}</text>']
    for a, b, code in timeline.shifts:
        parts.append(block(a, b, 28, 26, TIMELINE_COLORS["shift"], code))
    for a, b in timeline.breaks:
        parts.append(block(a, b, 28, 26, TIMELINE_COLORS["fixed_break"],
                           t.t("adherence.tl_fixed_break")))
    for a, b in timeline.excused:
        parts.append(block(a, b, 52, 6, TIMELINE_COLORS["excused"], t.t("adherence.tl_excused")))
    for a, b, state in timeline.states:
        group = STATE_GROUPS.get(state, "not_ready")
        parts.append(block(a, b, 68, 26, TIMELINE_COLORS[group], t.t(f"adherence.tl_{group}")))
    hour = 3_600_000_000_000
    first = pd.Timestamp(timeline.start_ns, tz="UTC").tz_convert(tz).ceil("h")
    tick = int(first.value)
    while tick <= timeline.end_ns:
        parts.append(f'<line class="grid" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="24" '
                     f'y2="100"/><text class="tick" x="{x(tick):.1f}" y="114" '
                     f'text-anchor="middle">{hhmm(tick)}</text>')
        tick += hour
    legend_x = left
    for key in ("shift", "fixed_break", "excused", "working", "break", "not_ready"):
        label = t.t(f"adherence.tl_{key}")
        parts.append(f'<rect x="{legend_x}" y="128" width="12" height="12" '
                     f'fill="{TIMELINE_COLORS[key]}"/><text class="tick" x="{legend_x + 16}" '
                     f'y="138">{escape(label)}</text>')
        legend_x += 24 + 9 * len(label)
    parts.append("</svg>")
    return "".join(parts)
