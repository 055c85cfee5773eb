"""``wfm scenarios --roster``: one scenario's requirement re-solved into a roster with the
site's agents, as one task, for the shortfall the scenario leaves (the requirement comes from
``compute_requirements``, the roster from ``plan_roster``, as ``wfm staff`` / ``wfm roster``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wfm.scenarios import Scenario, scenario_config


@dataclass(frozen=True)
class RosterCase:
    scenario: Scenario
    time_limit_seconds: float | None = None
    wall_cap_seconds: float | None = None


def roster_task(case: RosterCase, shared: tuple[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Shortfall, scheduled hours and the rostered service level of one scenario."""
    from solvers.roster import plan_roster
    from wfm.report import headline_figures
    from wfm.staffing.requirements import compute_requirements

    forecast, site, tables = shared
    config = scenario_config(site, case.scenario)
    volume = case.scenario.values.get("volume_factor", 1.0)
    aht = case.scenario.values.get("aht_factor", 1.0)
    scaled = forecast.assign(contacts=forecast["contacts"] * volume,
                             aht_seconds=forecast["aht_seconds"] * aht)
    for column in ("contacts_p10", "contacts_p90"):
        if column in scaled.columns:
            scaled[column] = scaled[column] * volume
    requirement = compute_requirements(scaled, config)
    solution = plan_roster(requirement, tables["agents"], config, leave=tables["leave"],
                           previous=tables["previous"],
                           time_limit_seconds=case.time_limit_seconds,
                           wall_cap_seconds=case.wall_cap_seconds)
    hours = config.interval_minutes / 60
    coverage = solution.coverage
    headline = headline_figures(requirement=requirement, coverage=coverage, config=config)
    return {"shortfall_hours": round(float(coverage["shortfall"].sum()) * hours, 2),
            "rostered_hours": round(float(coverage["scheduled"].sum()) * hours, 2),
            "rostered_service_level_pct": headline.get("service_level_pct"),
            "roster_status": solution.status}
