"""Staffing: Erlang C (default) and Erlang A kernels, and the requirement table."""

from wfm.staffing.erlang import (
    StaffingResult,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    scheduled_with_shrinkage,
    service_level,
)

__all__ = [
    "StaffingResult",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "scheduled_with_shrinkage",
    "service_level",
]
