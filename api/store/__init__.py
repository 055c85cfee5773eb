"""Persistence of the service, by resource (one module each) behind the ``Store`` facade.

``unit`` (sessions, the writers' lock, the clock), ``users``, ``audit``, ``agents``,
``rosters`` (versions, cells, generations, locking), ``requirements``, ``events`` (login
events), ``jobs`` (solves), ``reference`` (what request checks read, cached per data version),
``requests`` (the one request lifecycle) and its kinds: ``swaps``.
"""

from api.store.facade import Store
from api.store.rosters import RosterRejected, added_violations
from api.store.unit import SYSTEM, Actor, utc_now
from api.store.users import ROLES, hash_token

__all__ = ["ROLES", "SYSTEM", "Actor", "RosterRejected", "Store", "added_violations",
           "hash_token", "utc_now"]
