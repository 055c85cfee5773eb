"""Results of heavy page computations kept until the stored data changes.

Every change the store makes (an import, an upload of login events, a swap or time-off applied,
a solve stored) writes an audit entry in the same transaction, so the number of audit entries
together with the roster version is a change counter: a result kept under it is never stale,
whichever process made the change. Re-opening or paging a page then costs only its rendering.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from api.store import Store

T = TypeVar("T")
CACHE_SIZE = 32  # results kept per store (a few periods and filters of each page)
_RESULTS: WeakKeyDictionary[Store, OrderedDict[Hashable, Any]] = WeakKeyDictionary()
_LOCK = Lock()


def data_generation(store: Store) -> tuple[int, int]:
    """(audit entries, roster version): changes whenever the stored data changes."""
    _, entries = store.read_audit(date_from=None, date_to=None, page=1, page_size=1)
    return entries, store.roster_version()


def cached(store: Store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its kept result for ``key`` at the store's current data generation."""
    full_key = (data_generation(store), key)
    with _LOCK:
        results = _RESULTS.setdefault(store, OrderedDict())
        if full_key in results:
            results.move_to_end(full_key)
            return results[full_key]  # type: ignore[no-any-return]
    value = compute()
    with _LOCK:
        results[full_key] = value
        while len(results) > CACHE_SIZE:
            results.popitem(last=False)
    return value
