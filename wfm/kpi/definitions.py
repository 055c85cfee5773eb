"""The KPI definitions, written once: name, unit, formula, target and how it is met.

Every figure is a ratio of sums over its group (an interval, a day, the period; a queue, an
agent or the whole team), never a mean of interval figures. ``KPIS`` is the registry the
computation, the CSV, the report legend and the glossary in the README and planner guide read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wfm.config import ServiceTargets, SiteConfig

Target = Callable[[ServiceTargets, SiteConfig], float | None]


@dataclass(frozen=True)
class Kpi:
    """One figure: ``value = scale × numerator / denominator`` (absent when the denominator
    is 0), met when ``value <comparison> target`` (``abs<=``: |value| ≤ target)."""

    name: str
    label: str
    unit: str
    formula: str
    scale: float
    comparison: str  # ">=" | "<=" | "abs<="
    target: Target
    scope: str  # "queue" (interval/day/period per queue) | "day" (day/period) | "agent"


def _optional(value: float, scale: float = 1.0) -> float | None:
    return value * scale if value > 0 else None


KPIS: tuple[Kpi, ...] = (
    Kpi("service_level_pct", "Service level", "%",
        "Σ answered_within_target / Σ offered × 100 (abandoned contacts count as not answered "
        "in time; the target time is answer_within_seconds, for chat first_response_seconds)",
        100.0, ">=", lambda s, c: 100 * s.level, "queue"),
    Kpi("asa_seconds", "Average speed of answer", "s",
        "Σ wait_seconds / Σ answered (for chat: time to the first response)",
        1.0, "<=", lambda s, c: _optional(s.asa_target_seconds), "queue"),
    Kpi("abandon_rate_pct", "Abandon rate", "%", "Σ abandoned / Σ offered × 100",
        100.0, "<=", lambda s, c: _optional(s.max_abandon, 100.0), "queue"),
    Kpi("occupancy_pct", "Occupancy", "%",
        "Σ (handle_seconds + acw_seconds) / (Σ staffed_seconds × slots) × 100, slots = "
        "max_concurrency for a chat queue, 1 for phone",
        100.0, "<=", lambda s, c: 100 * s.max_occupancy, "queue"),
    Kpi("aht_seconds", "Average handle time", "s",
        "Σ (handle_seconds + acw_seconds) / Σ answered", 1.0, "<=",
        lambda s, c: _optional(s.aht_target_seconds), "queue"),
    Kpi("acw_seconds", "After-contact work", "s", "Σ acw_seconds / Σ answered", 1.0, "<=",
        lambda s, c: _optional(s.acw_target_seconds), "queue"),
    Kpi("contacts_per_agent_hour", "Contacts per agent-hour", "contacts/h",
        "Σ answered / (Σ staffed_seconds / 3600)", 3600.0, ">=",
        lambda s, c: _optional(s.contacts_per_agent_hour_target), "queue"),
    Kpi("forecast_error_pct", "Forecast error", "%",
        "(Σ forecast contacts − Σ offered) / Σ offered × 100 per day (positive: over-forecast)",
        100.0, "abs<=", lambda s, c: c.kpi.forecast_error_target_pct, "day"),
    Kpi("attendance_pct", "Attendance", "%",
        "worked shifts / scheduled shifts × 100 (a scheduled shift with no working minute is "
        "absent; OFF and LEAVE are not scheduled)", 100.0, ">=",
        lambda s, c: c.kpi.attendance_target_pct, "agent"),
    Kpi("adherence_pct", "Adherence", "%",
        "Σ in-adherence minutes / Σ scheduled minutes × 100 (wfm adherence)", 100.0, ">=",
        lambda s, c: c.adherence.target_pct, "agent"),
)
BY_NAME = {kpi.name: kpi for kpi in KPIS}
