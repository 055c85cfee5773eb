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
    target_key: str  # where the target is configured, for the glossary


def _optional(value: float, scale: float = 1.0) -> float | None:
    return value * scale if value > 0 else None


KPIS: tuple[Kpi, ...] = (
    Kpi("service_level_pct", "Service level", "%",
        "Σ answered_within_target / Σ offered × 100 (abandoned contacts count as not answered "
        "in time; the target time is answer_within_seconds, for chat first_response_seconds)",
        100.0, ">=", lambda s, c: 100 * s.level, "queue",
        "`level` × 100, per queue"),
    Kpi("asa_seconds", "Average speed of answer", "s",
        "Σ wait_seconds / Σ answered (for chat: time to the first response)",
        1.0, "<=", lambda s, c: _optional(s.asa_target_seconds), "queue",
        "`asa_target_seconds` (0: none)"),
    Kpi("abandon_rate_pct", "Abandon rate", "%", "Σ abandoned / Σ offered × 100",
        100.0, "<=", lambda s, c: _optional(s.max_abandon, 100.0), "queue",
        "`max_abandon` × 100 (0: none)"),
    Kpi("occupancy_pct", "Occupancy", "%",
        "Σ (handle_seconds + acw_seconds) / (Σ staffed_seconds × slots) × 100, slots = "
        "max_concurrency for a chat queue, 1 for phone",
        100.0, "<=", lambda s, c: 100 * s.max_occupancy, "queue",
        "`max_occupancy` × 100"),
    Kpi("aht_seconds", "Average handle time", "s",
        "Σ (handle_seconds + acw_seconds) / Σ answered", 1.0, "<=",
        lambda s, c: _optional(s.aht_target_seconds), "queue",
        "`aht_target_seconds` (0: none)"),
    Kpi("acw_seconds", "After-contact work", "s", "Σ acw_seconds / Σ answered", 1.0, "<=",
        lambda s, c: _optional(s.acw_target_seconds), "queue",
        "`acw_target_seconds` (default 60; 0: none)"),
    Kpi("contacts_per_agent_hour", "Contacts per agent-hour", "contacts/h",
        "Σ answered / (Σ staffed_seconds / 3600)", 3600.0, ">=",
        lambda s, c: _optional(s.contacts_per_agent_hour_target), "queue",
        "`contacts_per_agent_hour_target` (0: none)"),
    Kpi("forecast_error_pct", "Forecast error", "%",
        "(Σ forecast contacts − Σ offered) / Σ offered × 100 per day (positive: over-forecast)",
        100.0, "abs<=", lambda s, c: c.kpi.forecast_error_target_pct, "day",
        "`[kpi] forecast_error_target_pct` (default 10)"),
    Kpi("attendance_pct", "Attendance", "%",
        "worked shifts / scheduled shifts × 100 (a scheduled shift with no working minute is "
        "absent; OFF and LEAVE are not scheduled)", 100.0, ">=",
        lambda s, c: c.kpi.attendance_target_pct, "agent",
        "`[kpi] attendance_target_pct` (default 95)"),
    Kpi("adherence_pct", "Adherence", "%",
        "Σ in-adherence minutes / Σ scheduled minutes × 100 (wfm adherence)", 100.0, ">=",
        lambda s, c: c.adherence.target_pct, "agent",
        "`[adherence] target_pct` (default 92)"),
)
BY_NAME = {kpi.name: kpi for kpi in KPIS}


COMPARISONS = {">=": "≥ target", "<=": "≤ target", "abs<=": "abs(value) ≤ target"}


def glossary_markdown() -> str:
    """The KPI glossary as a Markdown table; the README and the planner guide hold this text
    exactly (a test compares them), so the definitions are written once, here."""
    lines = ["| figure | `kpi` in kpi.csv | unit | definition | target (configuration) "
             "| met when |", "|---|---|---|---|---|---|"]
    for kpi in KPIS:
        lines.append(f"| {kpi.label} | `{kpi.name}` | {kpi.unit} | {kpi.formula} | "
                     f"{kpi.target_key} | {COMPARISONS[kpi.comparison]} |")
    return "\n".join(lines)
