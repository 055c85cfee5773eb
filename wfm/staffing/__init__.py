"""Staffing: the Erlang C (default), Erlang A and chat kernels, the walk-up search they share
(``search``), the one choice of a queue's model (``dispatch``) and the requirement table
(``requirements``)."""

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
