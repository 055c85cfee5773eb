"""The session / unit-of-work helper every resource of the store shares.

``Unit`` owns the engine's sessions, the writers' lock and the clock. A read is a plain session;
a write is one transaction (``session.begin()``) taken under an in-process lock, so concurrent
writers in one process queue instead of failing on SQLite's database lock. Across processes the
roster version's compare-and-set (``api.store.rosters``) keeps a stale writer from winning.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from api.models import User
from wfm.config import SiteConfig


def utc_now() -> datetime:
    """Now, as the naive UTC datetime the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc(value: Any) -> datetime:
    """A tz-aware timestamp as naive UTC (the stored form)."""
    return pd.Timestamp(value).tz_convert("UTC").tz_localize(None).to_pydatetime()


def utc_column(values: pd.Series) -> list[datetime]:
    """A tz-aware column as naive UTC datetimes."""
    utc = pd.to_datetime(values).dt.tz_convert("UTC").dt.tz_localize(None)
    return [t.to_pydatetime() for t in utc]


@dataclass(frozen=True)
class Actor:
    """Who makes a request: the authenticated user."""

    user_id: int | None
    role: str
    agent_id: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.role, user.agent_id)


SYSTEM = Actor(None, "system")


class Unit:
    """Sessions on one engine, the writers' lock, the clock and the site's time conversions.

    Parameters
    ----------
    engine
        A migrated database (``api.db.migrate``).
    config
        The site configuration.
    clock
        Returns the current naive UTC time (tests move it).
    """

    def __init__(self, engine: Engine, config: SiteConfig,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.postgres = engine.dialect.name == "postgresql"
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        self.cache_lock = threading.Lock()
        self._local_times: dict[datetime, datetime] = {}

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading committed data (no lock)."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction under the writers' lock: committed on exit, rolled back on error."""
        with self._write_lock, self._sessions() as session, session.begin():
            yield session

    def insert(self, model: Any) -> Any:
        """The dialect's INSERT (with ON CONFLICT support) for a table or mapped class."""
        return (pg_insert if self.postgres else sqlite_insert)(model)

    def upsert(self, session: Session, model: type[Any], rows: list[dict[Any, Any]],
               keys: tuple[str, ...]) -> None:
        """Insert ``rows``, replacing those whose ``keys`` already exist (one executemany)."""
        if not rows:
            return
        statement = self.insert(model.__table__)
        changed = {c: statement.excluded[c] for c in rows[0] if c not in keys}
        session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changed),
                        rows)

    def page(self, query: Any, page: int, page_size: int) -> tuple[list[Any], int]:
        """One page of ``query`` (from 1) and the total number of rows."""
        with self.read() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            items = session.scalars(query.offset((page - 1) * page_size).limit(page_size))
            return list(items), int(total)

    def local_midnight_utc(self, day: date) -> datetime:
        """The start of a site-local day, as stored naive UTC."""
        local = datetime.combine(day, datetime.min.time(), tzinfo=self.config.tz)
        return local.astimezone(UTC).replace(tzinfo=None)

    def local_naive(self, utc: datetime) -> datetime:
        """A stored naive UTC time as naive site time (memoised: intervals recur)."""
        local = self._local_times.get(utc)
        if local is None:
            local = utc.replace(tzinfo=UTC).astimezone(self.config.tz).replace(tzinfo=None)
            if len(self._local_times) > 100_000:
                self._local_times.clear()
            self._local_times[utc] = local
        return local

    def local_today(self) -> date:
        """Today on the clock, in the site's timezone."""
        return self.clock().replace(tzinfo=UTC).astimezone(self.config.tz).date()
