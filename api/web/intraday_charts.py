"""The intraday page's charts (inline SVG by ``wfm.report.svg``, as ``api.web.charts``):
contacts (forecast, re-forecast, actual) and agents (required against effective) per interval
of one day, for one queue or the sum of every queue."""

from __future__ import annotations

import pandas as pd

from api.web.charts import ACTUAL_COLOR, FORECAST_COLOR, REQUIRED_COLOR, SCHEDULED_COLOR
from api.web.i18n import Translator
from wfm.report.svg import Axes, Line, line_chart

REFORECAST_COLOR, HEAD_COUNT_COLOR = "#ff7f0e", "#9467bd"
SUMMED = ["forecast_contacts", "reforecast_contacts", "actual_offered", "required_agents",
          "scheduled_agents", "effective_agents"]


def day_series(table: pd.DataFrame) -> pd.DataFrame:
    """Per interval, the view's figures summed over its queues (``actual_offered`` stays
    empty where no queue has actuals), trimmed to the intervals where anything happens."""
    summed = table.groupby("interval_start", sort=True)[SUMMED].sum(min_count=1)
    summed[SUMMED[:2] + SUMMED[3:]] = summed[SUMMED[:2] + SUMMED[3:]].fillna(0)
    busy = ((summed["forecast_contacts"] > 0) | (summed["reforecast_contacts"] > 0)
            | (summed["scheduled_agents"] > 0) | summed["actual_offered"].notna())
    found = busy.to_numpy().nonzero()[0]
    if len(found):
        summed = summed.iloc[found[0]: found[-1] + 1]
    return summed.reset_index()


def _axes(series: pd.DataFrame, t: Translator, y_key: str,
          now: pd.Timestamp | None) -> Axes:
    labels = [s.strftime("%H:%M") for s in series["interval_start"]]
    step = max(1, len(labels) // 12)
    markers = []
    if now is not None and len(series):
        before = (series["interval_start"] <= now).to_numpy().nonzero()[0]
        if len(before):
            markers.append((float(before[-1]), t.t("intraday.now")))
    return Axes(x_label=t.t("coverage.axis_time"), y_label=t.t(y_key),
                x_ticks=[(k, labels[k]) for k in range(0, len(labels), step)], markers=markers)


def contacts_chart(series: pd.DataFrame, t: Translator, *, title: str,
                   now: pd.Timestamp | None) -> str:
    """Forecast (dashed), re-forecast and actual contacts per interval."""
    actual = [None if pd.isna(v) else float(v) for v in series["actual_offered"]]
    return line_chart(title, [
        Line(t.t("intraday.forecast"), series["forecast_contacts"].astype(float).tolist(),
             FORECAST_COLOR, dashed=True),
        Line(t.t("intraday.reforecast"), series["reforecast_contacts"].astype(float).tolist(),
             REFORECAST_COLOR),
        Line(t.t("intraday.actual"), actual, ACTUAL_COLOR)],
        _axes(series, t, "accuracy.axis_contacts", now))


def agents_chart(series: pd.DataFrame, t: Translator, *, title: str,
                 now: pd.Timestamp | None) -> str:
    """Agents required on the re-forecast against the effective agents (scheduled after
    shrinkage, the same unit), and the scheduled head count; red boxes mark short intervals."""
    required = series["required_agents"].astype(float).tolist()
    effective = series["effective_agents"].astype(float).tolist()
    labels = [s.strftime("%H:%M") for s in series["interval_start"]]
    highlights = [(k, e, r, t.t("intraday.short_tip", time=labels[k], required=int(r),
                                effective=int(e)))
                  for k, (r, e) in enumerate(zip(required, effective, strict=True)) if e < r]
    svg = line_chart(title, [
        Line(t.t("intraday.required"), required, REQUIRED_COLOR, dashed=True, step=True),
        Line(t.t("intraday.effective"), effective, SCHEDULED_COLOR, step=True),
        Line(t.t("intraday.scheduled"), series["scheduled_agents"].astype(float).tolist(),
             HEAD_COUNT_COLOR, step=True)],
        _axes(series, t, "coverage.axis_agents", now), highlights=highlights)
    return svg.replace(">shortfall<", f">{t.t('coverage.shortfall')}<")
