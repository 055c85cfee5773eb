"""The report's service-KPI section: figures from actuals against their targets, misses first.

Drawn from the KPI table of ``wfm.kpi.compute_kpis``: first the misses (period figures, then
days, the furthest from target first), then the period figures per queue and for the team, then
one chart per figure, those with a miss first. Queue figures are drawn per interval over up to
two weeks and per day beyond; each queue's target is a dashed line of the queue's colour.
Attendance and adherence are drawn per agent, lowest first, against the target line.
"""

from __future__ import annotations

from html import escape as _escape

import numpy as np
import pandas as pd

from wfm.config import SiteConfig
from wfm.kpi.definitions import BY_NAME, KPIS
from wfm.report.svg import Axes, Line, bar_chart, line_chart
from wfm.report.words import Words


def escape(text: str) -> str:
    """Text for an element's content (quotes stay as written: no attribute here takes text)."""
    return _escape(text, quote=False)


PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")
INTERVAL_CHART_DAYS = 14
MISSES_SHOWN = 30


def _missed(met: pd.Series) -> np.ndarray:
    """True where a target was set and missed (met is True/False/NA)."""
    return met.astype("boolean").eq(False).fillna(False).to_numpy(dtype=bool)


def _gap(rows: pd.DataFrame) -> pd.Series:
    """How far a figure is from its target, relative to the target (for ordering misses)."""
    target = rows["target"].abs().where(rows["target"].abs() > 0, 1.0)
    over = np.where(rows["kpi"].map(lambda k: BY_NAME[k].comparison) == "abs<=",
                    rows["value"].abs() - rows["target"], (rows["value"] - rows["target"]).abs())
    return pd.Series(over, index=rows.index) / target


def _misses(table: pd.DataFrame, w: Words) -> str:
    missed = table[_missed(table["met"])
                   & table["level"].isin(["period", "day"])].copy()
    if missed.empty:
        return f"<p>{escape(w('Every figure with a target met it.'))}</p>"
    missed["gap"] = _gap(missed)
    # queue and team figures over the period, then days, then agents (also charted below)
    missed["order"] = np.where(missed["agent_id"] != "", 2,
                               missed["level"].map({"period": 0, "day": 1}))
    missed = missed.sort_values(["order", "gap"], ascending=[True, False])
    shown = missed.head(MISSES_SHOWN)
    rows = []
    for r in shown.itertuples(index=False):
        kpi = BY_NAME[str(r.kpi)]
        who = r.agent_id or r.queue or w("team")
        when = r.date if r.level == "day" else w("period")
        sign = {">=": "≥", "<=": "≤", "abs<=": "|x| ≤"}[kpi.comparison]
        rows.append(f"<tr><td class=\"name\">{escape(w(kpi.label))}</td><td class=\"name\">"
                    f"{escape(str(who))}</td><td class=\"name\">{escape(str(when))}</td>"
                    f"<td>{r.value:,.2f} {escape(w(kpi.unit))}</td><td>{sign} {r.target:g}</td>"
                    "</tr>")
    more = (f"<p>{escape(w('{n} more miss(es) in the KPI table.', n=len(missed) - len(shown)))}"
            "</p>" if len(missed) > len(shown) else "")
    head = "".join(f'<th class="name">{escape(w(h))}</th>'
                   for h in ("figure", "queue / agent", "when"))
    return (f"<p><b>{escape(w('{n} miss(es)', n=len(missed)))}</b>: "
            + escape(w("queue and team figures over the period first, then days, then agents; "
                       "furthest from target first within each:"))
            + f"</p><table><thead><tr>{head}<th>{escape(w('value'))}</th>"
            f"<th>{escape(w('target'))}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{more}")


def _overview(table: pd.DataFrame, w: Words) -> str:
    period = table[(table["level"] == "period") & (table["agent_id"] == "")]
    groups = sorted(q for q in period["queue"].unique() if q) + (
        ["team"] if (period["queue"] == "").any() else [])
    head = "".join(f"<th>{escape(w(g) if g == 'team' else g)}</th>" for g in groups)
    body = []
    for kpi in KPIS:
        rows = period[period["kpi"] == kpi.name]
        if rows.empty:
            continue
        cells = []
        for group in groups:
            row = rows[rows["queue"] == ("" if group == "team" else group)]
            if row.empty:
                cells.append("<td></td>")
                continue
            r = row.iloc[0]
            mark = "" if pd.isna(r["met"]) else " ✓" if r["met"] else " ✗"
            target = "" if pd.isna(r["target"]) else (
                " (" + w("target {value}", value=f"{r['target']:g}") + ")")
            style = "" if pd.isna(r["met"]) else (' style="color:#2e7d32"' if r["met"]
                                                  else ' style="color:#c0392b;font-weight:600"')
            cells.append(f"<td{style}>{r['value']:,.2f}{escape(target)}{mark}</td>")
        body.append(f'<tr><td class="name">{escape(w(kpi.label))} ({escape(w(kpi.unit))})</td>'
                    f"{''.join(cells)}</tr>")
    return ("<p>" + escape(w("The period's figures (ratios of sums over every interval):"))
            + f'</p><table><thead><tr><th class="name">{escape(w("figure"))}</th>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>')


def _ticks(labels: list[str]) -> list[tuple[float, str]]:
    ticks, last = [], None
    for position, label in enumerate(labels):
        day = label[:10]
        if day != last:
            ticks.append((float(position), day[5:]))
            last = day
    return ticks


def _queue_chart(table: pd.DataFrame, name: str, config: SiteConfig,
                 w: Words) -> str | None:
    kpi = BY_NAME[name]
    days = table.loc[table["level"] == "day", "date"].nunique()
    level = "interval" if days <= INTERVAL_CHART_DAYS and name != "forecast_error_pct" \
        else "day"
    rows = table[(table["level"] == level) & (table["kpi"] == name) & (table["queue"] != "")]
    if rows.empty:
        return None
    if level == "interval":
        keys = rows["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    else:
        keys = rows["date"].astype(str)
    rows = rows.assign(key=keys.to_numpy())
    order = sorted(rows["key"].unique())
    position = {k: i for i, k in enumerate(order)}
    two_sided = kpi.comparison == "abs<="
    lines = []
    for i, (queue, group) in enumerate(sorted(rows.groupby("queue"), key=lambda g: str(g[0]))):
        color = PALETTE[i % len(PALETTE)]
        values: list[float | None] = [None] * len(order)
        for key, value in zip(group["key"], group["value"], strict=True):
            # a two-sided target (forecast error) is drawn as the size of the error
            values[position[key]] = abs(float(value)) if two_sided else float(value)
        lines.append(Line(str(queue), values, color))
        targets = group["target"].dropna()
        if len(targets):
            lines.append(Line(w("{queue} target", queue=queue), [float(targets.iloc[0])]
                              * len(order), color, dashed=True))
    missed = int(_missed(rows["met"]).sum())
    label = w("{label}, absolute", label=w(kpi.label)) if two_sided else w(kpi.label)
    unit = w(kpi.unit)
    title = (w("{label} ({unit}) per " + level, label=label, unit=unit)
             + (w(": {n} " + level + "(s) missed", n=missed) if missed else ""))
    axes = Axes(x_label=w("day (intervals with contacts)" if level == "interval" else "day"),
                y_label=f"{label} ({unit})", x_ticks=_ticks(order))
    return line_chart(title, lines, axes)


def _agent_chart(table: pd.DataFrame, name: str, w: Words) -> str | None:
    kpi = BY_NAME[name]
    rows = table[(table["level"] == "period") & (table["kpi"] == name) & (table["agent_id"] != "")]
    if rows.empty:
        return None
    rows = rows.sort_values(["value", "agent_id"])
    target = float(rows["target"].iloc[0])
    below_target = _missed(rows["met"])
    colors = ["#e15759" if m else "#59a14f" for m in below_target]
    label = w(kpi.label)
    lower = label.lower()
    tips = [f"{a}: {lower} {v:.1f}% ({n:g} / {d:g})" for a, v, n, d in zip(
        rows["agent_id"], rows["value"], rows["numerator"], rows["denominator"], strict=True)]
    below = int(below_target.sum())
    return bar_chart(w("{label} per agent, lowest first ({below} of {n} below {pct}%)",
                       label=label, below=below, n=len(rows), pct=f"{target:g}"),
                     rows["agent_id"].tolist(), rows["value"].tolist(), colors,
                     Axes(x_label=w("agents (hover a bar for the agent)"),
                          y_label=f"{lower} %"),
                     target=(target, w("target {pct}%", pct=f"{target:g}")), y_max=100,
                     tooltips=tips)


def kpi_section(table: pd.DataFrame, config: SiteConfig, words: Words | None = None) -> str:
    """HTML of the service-KPI section from a KPI table (``wfm.kpi.KPI_COLUMNS``), in the
    language of ``words`` (English by default)."""
    w = words or Words("en")
    if table.empty:
        return f'<p class="missing">{escape(w("The KPI table has no rows."))}</p>'
    missed = _missed(table["met"])
    misses_by_kpi = table[missed].groupby("kpi").size()
    order = sorted(KPIS, key=lambda k: (-int(misses_by_kpi.get(k.name, 0) > 0),
                                        KPIS.index(k)))
    charts = []
    for kpi in order:
        chart = (_agent_chart(table, kpi.name, w) if kpi.scope == "agent"
                 else _queue_chart(table, kpi.name, config, w))
        if chart is not None:
            charts.append(chart)
    definitions = "".join(f"<dt>{escape(w(k.label))} ({escape(w(k.unit))})</dt><dd>"
                          f"{escape(w(k.formula))}</dd>" for k in KPIS)
    return (_misses(table, w) + _overview(table, w) + "\n".join(charts)
            + f"<details><summary>{escape(w('Definitions'))}</summary><dl>{definitions}</dl>"
            "</details>")
