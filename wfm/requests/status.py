"""The request status machine: which action may move a request from which status, and where to.

One ``Machine`` class serves every request kind; each kind has its own table of transitions.
The API's request lifecycle (``api/store/requests.py``) moves every stored request through its
kind's machine and answers 409 for anything the table does not allow.

Swaps (DESIGN.md): ``requested`` → ``accepted`` | ``rejected`` | ``cancelled`` | ``expired``;
``accepted`` → ``applied`` | ``denied`` | ``cancelled`` | ``expired`` | ``invalidated``. A
``requested`` swap that another change makes illegal is ``invalidated`` too.

Time off has no counterpart: ``requested`` → ``approved`` | ``recorded`` (a same-day kind inside
the notice, written at once and flagged) | ``rejected`` | ``cancelled`` | ``expired`` |
``invalidated``.

Offer acceptances (``OFFER_MACHINE``): ``requested`` → ``applied``, inside the one
transaction that claims a place on the offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wfm.errors import Conflict

Transitions = Mapping[str, tuple[tuple[str, ...], str]]


@dataclass(frozen=True)
class Machine:
    """A status machine: action -> (statuses it is allowed from, status it leads to).

    Attributes
    ----------
    noun
        The request in messages: ``"a swap"`` gives "cannot approve a swap that is requested".
    transitions
        Every allowed action; any other (status, action) pair is a conflict.
    open_statuses
        Statuses from which a request can still change (expiry and invalidation look at these).
    """

    noun: str
    transitions: Transitions
    open_statuses: tuple[str, ...]

    def next_status(self, status: str, action: str) -> str:
        """The status ``action`` leads to from ``status``.

        Raises
        ------
        Conflict
            The action is not allowed from ``status`` (the API answers 409).
        """
        allowed, target = self.transitions[action]
        if status not in allowed:
            raise Conflict(f"cannot {action} {self.noun} that is {status}")
        return target

    @property
    def statuses(self) -> tuple[str, ...]:
        """Every status a request of this kind can have, open ones first."""
        found = dict.fromkeys(self.open_statuses)
        for allowed, target in self.transitions.values():
            found.update(dict.fromkeys(allowed))
            found[target] = None
        return tuple(found)


_SWAP_OPEN = ("requested", "accepted")
SWAP_MACHINE = Machine("a swap", {
    "accept": (("requested",), "accepted"),
    "reject": (("requested",), "rejected"),
    "cancel": (_SWAP_OPEN, "cancelled"),
    "approve": (("accepted",), "applied"),
    "deny": (("accepted",), "denied"),
    "expire": (_SWAP_OPEN, "expired"),
    "invalidate": (_SWAP_OPEN, "invalidated"),
}, _SWAP_OPEN)

_TIME_OFF_OPEN = ("requested",)
TIME_OFF_MACHINE = Machine("a time-off request", {
    "approve": (_TIME_OFF_OPEN, "approved"),
    "record": (_TIME_OFF_OPEN, "recorded"),
    "reject": (_TIME_OFF_OPEN, "rejected"),
    "cancel": (_TIME_OFF_OPEN, "cancelled"),
    "expire": (_TIME_OFF_OPEN, "expired"),
    "invalidate": (_TIME_OFF_OPEN, "invalidated"),
}, _TIME_OFF_OPEN)

# An offer acceptance (``wfm.requests.offers``) is recorded and applied in one transaction,
# first come first served: ``requested`` lives only inside it, the stored one is ``applied``.
_OFFER_OPEN = ("requested",)
OFFER_MACHINE = Machine("an offer acceptance", {
    "approve": (_OFFER_OPEN, "applied"),
    "expire": (_OFFER_OPEN, "expired"),
    "invalidate": (_OFFER_OPEN, "invalidated"),
}, _OFFER_OPEN)
