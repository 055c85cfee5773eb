"""The actuals (``wfm kpi --actuals`` table), by (interval start, queue): a re-sent interval
replaces the stored one, so sending a day again is harmless."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select

from api.models import ActualRow
from api.store.audit import Audit
from api.store.unit import Actor, Unit, utc_column
from wfm.kpi import ACTUALS_COLUMNS


class Actuals:
    """Uploads and reads of the actuals."""

    def __init__(self, unit: Unit, audit: Audit) -> None:
        self.unit = unit
        self.audit = audit

    def upsert(self, *, frame: pd.DataFrame, actor: Actor) -> tuple[int, int]:
        """Insert or replace ``frame``'s rows; returns (inserted, replaced)."""
        table = pd.DataFrame({"interval_start": utc_column(frame["interval_start"]),
                              "queue": frame["queue"].astype(str)})
        for name in ACTUALS_COLUMNS[2:]:
            values = (frame[name] if name in frame.columns
                      else pd.Series(None, index=frame.index, dtype=object))
            table[name] = values.astype(object).where(values.notna(), None)
        records = table.to_dict("records")
        with self.unit.write() as session:
            starts = sorted(set(table["interval_start"]))
            stored: set[tuple[object, str]] = set()
            for k in range(0, len(starts), 500):
                stored.update((r[0], r[1]) for r in session.execute(
                    select(ActualRow.interval_start, ActualRow.queue)
                    .where(ActualRow.interval_start.in_(starts[k:k + 500]))).all())
            known = sum((r["interval_start"], r["queue"]) in stored for r in records)
            for start in range(0, len(records), 1000):
                self.unit.upsert(session, ActualRow, records[start:start + 1000],
                                 ("interval_start", "queue"))
            self.audit.record(session, actor, "actuals.import",
                              {"rows": len(records), "replaced": known})
        return len(records) - known, known

    def last_date(self) -> date | None:
        """The site-local date of the latest stored actual (None: none stored)."""
        with self.unit.read() as session:
            last = session.scalar(select(func.max(ActualRow.interval_start)))
        return None if last is None else self.unit.local_naive(last).date()

    def frame(self, *, date_from: date, date_to: date) -> pd.DataFrame:
        """The stored actuals of local dates ``date_from``..``date_to`` (interval starts in
        site time), in the actuals table's columns."""
        query = (select(ActualRow)
                 .where(ActualRow.interval_start >= self.unit.local_midnight_utc(date_from))
                 .where(ActualRow.interval_start
                        < self.unit.local_midnight_utc(date_to + timedelta(days=1))))
        with self.unit.read() as session:
            rows = [{name: getattr(r, name) for name in ACTUALS_COLUMNS}
                    for r in session.scalars(query)]
        frame = pd.DataFrame(rows, columns=ACTUALS_COLUMNS)
        frame["interval_start"] = (pd.to_datetime(frame["interval_start"]).dt.tz_localize("UTC")
                                   .dt.tz_convert(self.unit.config.timezone))
        return frame
