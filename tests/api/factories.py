"""Tiny sites, agents, rosters and requirements for the API tests.

The roster covers two Monday-Sunday weeks from ``start`` (a Monday). Every agent has one shift
type, one queue and fixed weekly rest days, chosen so that single swaps can break each rule:

====  =====  =======  =============  ==========================================
id    shift  queue    rest days      role in the tests
====  =====  =======  =============  ==========================================
A1    DAY    sales    Sat, Sun       the usual requester
A2    DAY    sales    Wed, Thu       off when A1 works Wednesday (give target)
A3    NIGHT  sales    Sat, Sun       night worker (min rest hours)
A4    NIGHT  sales    Mon, Tue       night worker, off early in the week
A5    DAY    support  Sat, Sun       no ``sales`` skill (skill violation)
A6    DAY    sales    Wed            six days on, one off (consecutive days)
A7    DAY    sales    Wed, Thu       a second give target (competing swaps)
S01.. DAY    sales    Wed, Thu       ``num_spare`` more give targets (concurrency)
====  =====  =======  =============  ==========================================

A2 is on ``LEAVE`` on the first Friday. The site requires min_rest_hours = 10, so a NIGHT
(ends 23:30) followed by a DAY (starts 08:30) breaks it.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.config import Settings
from api.db import make_engine, migrate
from api.main import create_app
from api.store import Store
from wfm.config import SiteConfig, build_config

PLAN: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "A1": ("DAY", "sales", (5, 6)),
    "A2": ("DAY", "sales", (2, 3)),
    "A3": ("NIGHT", "sales", (5, 6)),
    "A4": ("NIGHT", "sales", (0, 1)),
    "A5": ("DAY", "support", (5, 6)),
    "A6": ("DAY", "sales", (2,)),
    "A7": ("DAY", "sales", (2, 3)),
}
SKILLS = {"A1": "sales", "A2": "sales", "A3": "sales", "A4": "sales", "A5": "support",
          "A6": "sales;support", "A7": "sales"}
NUM_DAYS = 14
FIXED_NOW = datetime(2030, 1, 1, tzinfo=UTC)
FIXED_START = date(2030, 1, 7)  # a Monday, six days after FIXED_NOW


def site_config(**changes: Any) -> SiteConfig:
    """The test site: default shifts, min rest 10 h, no holiday calendar."""
    data: dict[str, Any] = {"country": "", "rules": {"min_rest_hours": 10}}
    for key, value in changes.items():
        section, _, leaf = key.partition(".")
        if leaf:
            data.setdefault(section, {})[leaf] = value
        else:
            data[section] = value
    return build_config(data)


def next_monday(after: date, *, days: int = 8) -> date:
    """The first Monday at least ``days`` days after ``after``."""
    first = after + timedelta(days=days)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def monday_within_one_year(after: date, *, span_days: int, days: int = 8) -> date:
    """The first Monday at least ``days`` after ``after`` whose next ``span_days`` days lie in
    one calendar year: time-off allowances are yearly, so a test that spends a balance must not
    straddle New Year (or its dates would draw on two balances)."""
    first = next_monday(after, days=days)
    if (first + timedelta(days=span_days - 1)).year != first.year:
        first = next_monday(date(first.year + 1, 1, 1), days=0)
    return first


def spare_ids(num_spare: int) -> list[str]:
    return [f"S{k:02d}" for k in range(1, num_spare + 1)]


def plan(num_spare: int = 0) -> dict[str, tuple[str, str, tuple[int, ...]]]:
    return {**PLAN, **dict.fromkeys(spare_ids(num_spare), ("DAY", "sales", (2, 3)))}


def agents_csv(num_spare: int = 0) -> str:
    lines = ["agent_id,name,skills,max_nights_per_week"]
    lines += [f"{a},Agent {a},{SKILLS.get(a, 'sales')}," for a in plan(num_spare)]
    return "\n".join(lines) + "\n"


def roster_cells(start: date, num_spare: int = 0) -> dict[tuple[str, date], tuple[str, str]]:
    cells = {}
    for agent, (shift, queue, rest) in plan(num_spare).items():
        for k in range(NUM_DAYS):
            day = start + timedelta(days=k)
            cells[(agent, day)] = ("OFF", "") if day.weekday() in rest else (shift, queue)
    cells[("A2", start + timedelta(days=4))] = ("LEAVE", "")
    return cells


def roster_csv(start: date, cells: dict[tuple[str, date], tuple[str, str]] | None = None) -> str:
    cells = cells if cells is not None else roster_cells(start)
    lines = ["agent_id,date,shift,queue"]
    lines += [f"{a},{d.isoformat()},{s},{q}" for (a, d), (s, q) in sorted(cells.items())]
    return "\n".join(lines) + "\n"


def requirement_csv(start: date, *, required: int = 1) -> str:
    """Every 30-minute interval from 08:30 to 23:30 on each day, both queues."""
    lines = ["interval_start,queue,contacts,aht_seconds,traffic_erlangs,agents,service_level,"
             "asa_seconds,occupancy,scheduled_agents"]
    for k in range(NUM_DAYS):
        day = start + timedelta(days=k)
        for m in range(8 * 60 + 30, 23 * 60 + 30, 30):
            when = datetime(day.year, day.month, day.day, m // 60, m % 60)
            for queue in ("sales", "support"):
                lines.append(f"{when.isoformat()},{queue},10,300,1.67,{required},0.8,10,0.6,"
                             f"{required}")
    return "\n".join(lines) + "\n"


@dataclass
class Site:
    """A TestClient on a fresh database, with tokens for a planner and each agent."""

    client: TestClient
    store: Store
    start: date
    planner: dict[str, str]
    agents: dict[str, dict[str, str]]

    def as_agent(self, agent_id: str) -> dict[str, str]:
        return self.agents[agent_id]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_TEMPLATES: dict[tuple[bool, int, datetime], tuple[Path, str, dict[str, str]]] = {}


def _build(path: Path, *, now: datetime, load: bool, num_spare: int) -> tuple[str, dict[str, str]]:
    """Create a database at ``path``: users, and (``load``) the site loaded through the API."""
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine, site_config(), clock=lambda: now.replace(tzinfo=None))
    _, planner = store.create_user(role="planner")
    agents = {a: store.create_user(role="agent", agent_id=a)[1] for a in plan(num_spare)}
    if load:
        start = FIXED_START if now == FIXED_NOW else next_monday(now.date())
        client = TestClient(create_app(Settings(db_url=f"sqlite:///{path}"), store=store))
        load_site(client, bearer(planner), start, num_spare)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return planner, agents


def make_site(tmp_path: Path, *, config: SiteConfig | None = None,
              now: datetime = FIXED_NOW, load: bool = True, num_spare: int = 0,
              max_body_bytes: int = 1_000_000) -> Site:
    """A fresh SQLite store, the app over it, users, and (``load``) agents, roster and
    requirement imported through the API.

    The first site of each kind is built once into a template file (through the API); later
    ones copy that file, which keeps a fresh database per test cheap.
    """
    key = (load, num_spare, now)
    if key not in _TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="wfm-api-template-")) / "wfm.db"
        planner, tokens = _build(template, now=now, load=load, num_spare=num_spare)
        _TEMPLATES[key] = (template, planner, tokens)
    template, planner, tokens = _TEMPLATES[key]
    shutil.copyfile(template, tmp_path / "wfm.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'wfm.db'}")
    migrate(engine)
    clock = {"now": now.replace(tzinfo=None)}
    store = Store(engine, config or site_config(), clock=lambda: clock["now"])
    store.clock_state = clock  # type: ignore[attr-defined]
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'wfm.db'}", max_body_bytes=max_body_bytes)
    client = TestClient(create_app(settings, store=store))
    start = FIXED_START if now == FIXED_NOW else next_monday(now.date())
    return Site(client, store, start, bearer(planner),
                {a: bearer(t) for a, t in tokens.items()})


def set_now(site: Site, now: datetime) -> None:
    """Move the store's clock (naive UTC)."""
    site.store.clock_state["now"] = now.astimezone(UTC).replace(tzinfo=None)  # type: ignore[attr-defined]


def load_site(client: TestClient, planner: dict[str, str], start: date,
              num_spare: int = 0) -> None:
    """Import agents, requirement and roster through the API."""
    csv = {"Content-Type": "text/csv"}
    for path, body in (("/api/v1/agents", agents_csv(num_spare)),
                       ("/api/v1/requirements", requirement_csv(start)),
                       ("/api/v1/rosters", roster_csv(start, roster_cells(start, num_spare)))):
        response = client.post(path, content=body, headers={**planner, **csv})
        assert response.status_code == 200, response.text
