"""``wfm.requests.status``: the one status machine, with the swap and time-off tables of
DESIGN.md and api/README.md; every other (status, action) pair is a ``Conflict`` (409)."""

from __future__ import annotations

import pytest

from wfm.errors import Conflict
from wfm.requests.status import SWAP_MACHINE, TIME_OFF_MACHINE, Machine

SWAP_ALLOWED = {("requested", "accept"): "accepted", ("requested", "reject"): "rejected",
                ("requested", "cancel"): "cancelled", ("requested", "expire"): "expired",
                ("requested", "invalidate"): "invalidated",
                ("accepted", "approve"): "applied", ("accepted", "deny"): "denied",
                ("accepted", "cancel"): "cancelled", ("accepted", "expire"): "expired",
                ("accepted", "invalidate"): "invalidated"}
SWAP_STATUSES = ("requested", "accepted", "rejected", "cancelled", "expired", "applied",
                 "denied", "invalidated")
TIME_OFF_ALLOWED = {("requested", "approve"): "approved", ("requested", "record"): "recorded",
                    ("requested", "reject"): "rejected", ("requested", "cancel"): "cancelled",
                    ("requested", "expire"): "expired",
                    ("requested", "invalidate"): "invalidated"}
TIME_OFF_STATUSES = ("requested", "approved", "recorded", "rejected", "cancelled", "expired",
                     "invalidated")
CASES = [(SWAP_MACHINE, SWAP_ALLOWED, SWAP_STATUSES, "a swap"),
         (TIME_OFF_MACHINE, TIME_OFF_ALLOWED, TIME_OFF_STATUSES, "a time-off request")]


@pytest.mark.parametrize(("machine", "allowed", "statuses", "noun"), CASES)
def test_status_machine(machine: Machine, allowed: dict[tuple[str, str], str],
                        statuses: tuple[str, ...], noun: str) -> None:
    assert set(machine.statuses) == set(statuses)
    for status in statuses:
        for action in machine.transitions:
            if (status, action) in allowed:
                assert machine.next_status(status, action) == allowed[(status, action)]
            else:
                with pytest.raises(Conflict, match=f"cannot {action} {noun} that is {status}"):
                    machine.next_status(status, action)


def test_open_statuses_are_the_ones_expiry_and_invalidation_leave() -> None:
    assert SWAP_MACHINE.open_statuses == ("requested", "accepted")
    assert TIME_OFF_MACHINE.open_statuses == ("requested",)
    for machine in (SWAP_MACHINE, TIME_OFF_MACHINE):
        for action in ("expire", "invalidate"):
            assert machine.transitions[action][0] == machine.open_statuses
