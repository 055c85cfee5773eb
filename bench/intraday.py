"""The intraday view's response times: 5 queues x 48 intervals and 1,000 agents (issue 25:
the page warm under 300 ms, and under 1 s after new actuals arrive).

Builds a temporary SQLite store: 1,000 agents on three 8-hour shifts covering the day, spread
over five queues, rostered on the day and the day before; a published forecast of the 48
half-hours of each queue; actuals up to 14:00; a login and a working state for every agent on
shift at 14:05 (the store's clock). Then, through the ASGI test client (server work: queries,
the view, rendering; no network), it times ``GET /api/v1/intraday`` and ``/planner/intraday``
cold, warm, and right after each new half-hour of actuals arrives (``POST /api/v1/actuals``,
the clock moved past the interval's end). The named peers in the same run are
``GET /api/v1/rosters/current`` for the same day (what reading the roster alone costs) and
``wfm.intraday.intraday_view`` on in-memory frames (the domain computation alone). Prints the
figures; asserts nothing.

Run: ``python bench/intraday.py [--agents 1000 --queues 5 --repeat 7 --arrivals 4]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# This folder holds bench/api.py, named like the ``api`` package; drop it from sys.path first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import pandas as pd  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from api.config import Settings  # noqa: E402
from api.db import make_engine, migrate  # noqa: E402
from api.main import create_app  # noqa: E402
from api.store import SYSTEM, Store  # noqa: E402
from wfm.config import build_config  # noqa: E402
from wfm.intraday import intraday_view  # noqa: E402
from wfm.tables import AGENTS, LOGIN_EVENTS, ROSTER, read_table_text  # noqa: E402

DAY = date(2030, 1, 8)  # a Tuesday
SHIFTS = [{"code": "EARLY", "start": "00:00", "end": "08:00"},
          {"code": "DAY", "start": "08:00", "end": "16:00", "breaks": [["12:00", 30]]},
          {"code": "LATE", "start": "16:00", "end": "00:00"}]
TARGET_WARM_MS, TARGET_AFTER_MS = 300.0, 1000.0
ACTUALS_HEADER = ("interval_start,queue,offered,answered,abandoned,answered_within_target,"
                  "handle_seconds,acw_seconds,wait_seconds\n")


def utc_of(clock: str) -> datetime:
    """Naive UTC of site time ``clock`` on DAY (Asia/Shanghai, UTC+8)."""
    hours, minutes = map(int, clock.split(":"))
    return datetime(DAY.year, DAY.month, DAY.day, hours, minutes) - timedelta(hours=8)


def contacts_at(minute: int) -> float:
    """A day curve: quiet at night, peaks late morning and evening."""
    hour = minute / 60
    return round(20 + 180 * max(0.0, 1 - abs(hour - 11) / 6) + 120 * max(0.0, 1 - abs(hour - 20)
                                                                         / 3), 1)


def make_csvs(num_agents: int, queues: list[str]) -> dict[str, str]:
    agents, roster, events = ["agent_id,name,skills"], ["agent_id,date,shift,queue"], [
        "agent_id,timestamp,state"]
    for a in range(num_agents):
        agent_id, queue = f"E{a:04d}", queues[a % len(queues)]
        agents.append(f"{agent_id},Agent {a},{queue}")
        shift = ("EARLY", "DAY", "DAY", "LATE")[a % 4]
        for day in (DAY - timedelta(days=1), DAY):
            roster.append(f"{agent_id},{day},{shift},{queue}")
        if shift == "DAY":
            events.append(f"{agent_id},{DAY}T07:5{a % 10}:00+08:00,login")
            events.append(f"{agent_id},{DAY}T13:{a % 60:02d}:00+08:00,"
                          f"{('ready', 'talk', 'break')[a % 3]}")
    forecast = ["interval_start,queue,contacts,aht_seconds"]
    for m in range(0, 24 * 60, 30):
        for queue in queues:
            forecast.append(f"{DAY}T{m // 60:02d}:{m % 60:02d}:00,{queue},{contacts_at(m)},300")
    return {"agents": "\n".join(agents) + "\n", "roster": "\n".join(roster) + "\n",
            "events": "\n".join(events) + "\n", "forecast": "\n".join(forecast) + "\n"}


def actuals_csv(queues: list[str], first: int, last: int, scale: float = 1.1) -> str:
    """Actuals of the half-hours starting at minutes ``first``..``last`` (inclusive)."""
    rows = []
    for m in range(first, last + 1, 30):
        for k, queue in enumerate(queues):
            n = int(contacts_at(m) * (scale + 0.02 * k))
            rows.append(f"{DAY}T{m // 60:02d}:{m % 60:02d}:00,{queue},{n},{n},0,{n},"
                        f"{n * 280},{n * 30},0")
    return ACTUALS_HEADER + "\n".join(rows) + "\n"


def build(folder: Path, num_agents: int, queues: list[str]) -> tuple[Store, dict[str, str]]:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate(engine)
    clock = {"now": utc_of("14:05")}
    store = Store(engine, build_config({"country": "", "shifts": SHIFTS}),
                  clock=lambda: clock["now"])
    store.clock_state = clock  # type: ignore[attr-defined]
    csvs = make_csvs(num_agents, queues)
    store.import_agents(frame=read_table_text(csvs["agents"], AGENTS), actor=SYSTEM)
    store.import_roster(frame=read_table_text(csvs["roster"], ROSTER), actor=SYSTEM, force=True)
    store.add_events(frame=read_table_text(csvs["events"], LOGIN_EVENTS), actor=SYSTEM)
    return store, csvs


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def get_ms(client: TestClient, path: str) -> float:
    started = time.perf_counter()
    client.get(path).raise_for_status()
    return ms_since(started)


def warm(client: TestClient, path: str, repeat: int) -> tuple[float, float, float, int]:
    """(first ms, median ms, max ms, size) of ``repeat`` requests after a first one."""
    first = get_ms(client, path)
    samples = [get_ms(client, path) for _ in range(repeat)]
    size = len(client.get(path).content)
    return first, statistics.median(samples), max(samples), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--arrivals", type=int, default=4,
                        help="half-hours of new actuals to time the first views after")
    args = parser.parse_args()
    queues = [f"q{k}" for k in range(1, args.queues + 1)]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        store, csvs = build(Path(folder), args.agents, queues)
        app = create_app(Settings(db_url=f"sqlite:///{folder}/bench.db"),  # type: ignore[call-arg]
                         store=store)
        user, token = store.create_user(role="planner")
        api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        page = TestClient(app, base_url="https://testserver",  # a signed-in browser's cookie
                          cookies={"wfm_session": store.start_session(user=user)})
        csv = {"Content-Type": "text/csv"}
        api.post("/api/v1/forecasts?model=bench", content=csvs["forecast"],
                 headers=csv).raise_for_status()
        api.post("/api/v1/actuals", content=actuals_csv(queues, 0, 13 * 60 + 30),
                 headers=csv).raise_for_status()
        print(f"site: {args.agents} agents, {len(queues)} queues x 48 intervals, roster of "
              f"{DAY - timedelta(days=1)} and {DAY}, actuals to 14:00, clock 14:05 "
              f"(built in {time.perf_counter() - started:.1f} s)")
        view_path = f"/api/v1/intraday?date={DAY}"
        page_path = f"/planner/intraday?date={DAY}"
        body = api.get(view_path).json()
        working = sum(r["working_agents"] or 0 for r in body["intervals"])
        print(f"view: {len(body['intervals'])} rows, {len(body['periods'])} short/long periods, "
              f"{working} agents working now")

        # the domain computation alone, on in-memory frames (peer)
        forecast = store.intraday.day_forecast(DAY)
        actuals = store.actuals.frame(date_from=DAY, date_to=DAY)
        _, roster = store.roster_frame(date_from=DAY - timedelta(days=1), date_to=DAY)
        now = pd.Timestamp("2030-01-08 14:05", tz=store.config.tz)
        domain = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            intraday_view(forecast, actuals, roster, store.config, day=DAY, now=now)
            domain.append(ms_since(t0))

        print(f"{'request':50s} {'first':>8s} {'median':>8s} {'max':>8s} {'size':>7s}")
        rows = [("peer: GET /api/v1/rosters/current (the day)", api,
                 f"/api/v1/rosters/current?from={DAY}&to={DAY}"),
                ("GET /api/v1/intraday (all queues)", api, view_path),
                ("GET /api/v1/intraday (one queue)", api, view_path + "&queue=q1"),
                ("page /planner/intraday (all queues)", page, page_path),
                ("page /planner/intraday (one queue)", page, page_path + "&queue=q1")]
        for label, client, path in rows:
            if "planner" in path:
                assert 'id="intraday-intervals"' in client.get(path).text, "not signed in"
            first, median, worst, size = warm(client, path, args.repeat)
            target = "" if label.startswith("peer") else (
                "ok" if median < TARGET_WARM_MS else "OVER")
            print(f"{label:50s} {first:6.0f}ms {median:6.0f}ms {worst:6.0f}ms "
                  f"{size / 1024:5.0f}kB  {target}")
        print(f"{'peer: wfm.intraday.intraday_view (in memory)':50s} {domain[0]:6.0f}ms "
              f"{statistics.median(domain):6.0f}ms {max(domain):6.0f}ms")

        # new actuals arrive: one half-hour per round, the clock past its end
        posts, pages, views = [], [], []
        for k in range(args.arrivals):
            minute = 14 * 60 + 30 * k
            store.clock_state["now"] = utc_of(  # type: ignore[attr-defined]
                f"{(minute + 31) // 60:02d}:{(minute + 31) % 60:02d}")
            t0 = time.perf_counter()
            api.post("/api/v1/actuals", content=actuals_csv(queues, minute, minute),
                     headers=csv).raise_for_status()
            posts.append(ms_since(t0))
            pages.append(get_ms(page, page_path))
            views.append(get_ms(api, view_path))
        verdict = "ok" if max(pages) < TARGET_AFTER_MS else "OVER"
        print(f"after new actuals ({args.arrivals} half-hours): POST /api/v1/actuals median "
              f"{statistics.median(posts):.0f} ms; first page view median "
              f"{statistics.median(pages):.0f} ms, max {max(pages):.0f} ms ({verdict}, target "
              f"{TARGET_AFTER_MS:.0f} ms); then first API view median "
              f"{statistics.median(views):.0f} ms")
        print(f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
