"""The solver settings: one object, documented field by field in the planner guide, and the
modules that still read module constants read the same values."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

from solvers.roster import exchange, fair_share, patterns
from solvers.roster.settings import DEFAULT_SETTINGS

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "planner-guide.md"


def _documented() -> dict[str, object]:
    """Setting name -> default as the planner guide's table writes it (1,000 and true read as
    numbers and booleans), for the groups of ``SolverSettings``."""
    groups = {group.name for group in fields(DEFAULT_SETTINGS)}
    rows = re.findall(r"^\| `([a-z_]+)\.([a-z_]+)` \| ([^|]+) \|", GUIDE.read_text(), re.M)
    return {f"{group}.{name}": ast.literal_eval(default.strip().replace(",", "")
                                                .replace("true", "True")
                                                .replace("false", "False").replace(" ", ", "))
            for group, name, default in rows if group in groups}


def test_every_setting_is_in_the_planner_guide_with_its_default():
    expected = {f"{group.name}.{item.name}": getattr(getattr(DEFAULT_SETTINGS, group.name),
                                                     item.name)
                for group in fields(DEFAULT_SETTINGS)
                for item in fields(getattr(DEFAULT_SETTINGS, group.name))}
    assert _documented() == expected


def test_module_constants_are_the_settings_values():
    fairness, costs = DEFAULT_SETTINGS.fairness, DEFAULT_SETTINGS.costs
    assert exchange.MAX_SEGMENT == fairness.max_segment_days
    assert exchange.REPAIR_PARTNERS == fairness.repair_partners
    assert patterns.FAIR_FIRST == costs.fair_first
    assert patterns.MAX_CHECKS == fairness.pattern_max_checks
    assert fair_share.OUTSIDE_COST == costs.outside_band_cost
    assert fair_share.KNEES == costs.deviation_knees
