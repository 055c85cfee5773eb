"""Page response times on a 1,000-agent, 4-week site (issue 14: every page under 300 ms).

Builds a temporary SQLite store with 1,000 agents, a 28-day roster (two queues, DAY and NIGHT,
fixed weekly rest days), its requirement, a login/logout pair per worked shift and 20 swaps
awaiting approval, then times each page through the ASGI test client (server work: queries,
checks, rendering; no network). The named peer, in the same run, is the JSON route that reads
the same roster period (``GET /api/v1/rosters/current``): what the data alone costs without
the rule check, the pivot and the HTML. Prints the figures; asserts nothing.

Run: ``python bench/web.py [--agents 1000 --days 28 --repeat 5]``.
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
from api.store import SYSTEM, Actor, Store  # noqa: E402
from wfm.config import build_config  # noqa: E402
from wfm.errors import SwapRejected  # noqa: E402
from wfm.tables import AGENTS, LOGIN_EVENTS, REQUIREMENT, ROSTER, read_table_text  # noqa: E402

QUEUES = ("sales", "support")
START = date(2030, 1, 7)  # a Monday
NOW = datetime(2030, 1, 1, 0, 0)  # naive UTC, a week before the roster (swaps have notice)
TARGET_MS = 300.0


def make_tables(num_agents: int, num_days: int) -> dict[str, pd.DataFrame]:
    agents, roster, events, requirement = [], [], [], []
    for a in range(num_agents):
        agent_id = f"E{a:04d}"
        queue = QUEUES[a % 2]
        agents.append(f"{agent_id},Agent {a},{';'.join(QUEUES) if a % 5 == 0 else queue}")
        shift = "DAY" if a % 3 else "NIGHT"
        rest = {a % 7, (a + 1) % 7}
        for d in range(num_days):
            day = START + timedelta(days=d)
            off = day.weekday() in rest
            roster.append(f"{agent_id},{day},{'OFF' if off else shift},{'' if off else queue}")
            if not off:
                begin, end = ("08:3", "16:0") if shift == "DAY" else ("16:0", "23:2")
                late = a % 10
                events.append(f"{agent_id},{day}T{begin}{late}:00+08:00,login")
                events.append(f"{agent_id},{day}T{end}{9 - late}:00+08:00,logout")
    for d in range(num_days):
        day = START + timedelta(days=d)
        for m in range(8 * 60 + 30, 23 * 60 + 30, 30):
            when = datetime(day.year, day.month, day.day, m // 60, m % 60).isoformat()
            for k, queue in enumerate(QUEUES):
                need = num_agents // 6 + (m // 30 + k) % (num_agents // 20 + 1)
                requirement.append(f"{when},{queue},100,300,8.3,{need},0.8,10,0.8,{need}")
    return {
        "agents": read_table_text("agent_id,name,skills\n" + "\n".join(agents) + "\n", AGENTS),
        "roster": read_table_text("agent_id,date,shift,queue\n" + "\n".join(roster) + "\n",
                                  ROSTER),
        "events": read_table_text("agent_id,timestamp,state\n" + "\n".join(events) + "\n",
                                  LOGIN_EVENTS),
        "requirement": read_table_text(
            "interval_start,queue,contacts,aht_seconds,traffic_erlangs,agents,service_level,"
            "asa_seconds,occupancy,scheduled_agents\n" + "\n".join(requirement) + "\n",
            REQUIREMENT),
    }


def build_store(folder: Path, tables: dict[str, pd.DataFrame]) -> Store:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate(engine)
    store = Store(engine, build_config({"country": ""}), clock=lambda: NOW)
    store.import_agents(frame=tables["agents"], actor=SYSTEM)
    store.import_requirement(frame=tables["requirement"], actor=SYSTEM)
    store.import_roster(frame=tables["roster"], actor=SYSTEM, force=True)
    store.add_events(frame=tables["events"], actor=SYSTEM)
    return store


def add_pending_swaps(store: Store, count: int) -> int:
    """Up to ``count`` gives (a worked shift to a colleague of the same queue who is off that
    day), accepted by the colleague: swaps awaiting approval. Returns how many were made."""
    day = START + timedelta(days=9)
    cells = store.roster_frame(date_from=day, date_to=day)[1]
    agents = store.agents_frame().set_index("agent_id")["skills"]
    off = cells.loc[cells["shift"] == "OFF", "agent_id"].tolist()
    made = 0
    for requester, queue in zip(cells["agent_id"], cells["queue"], strict=True):
        if made >= count or not queue:
            continue
        taker = next((a for a in off if queue in agents[a]), None)
        if taker is None:
            continue
        off.remove(taker)
        try:
            swap = store.create_swap(actor=Actor(None, "agent", requester), kind="give",
                                     counterpart_id=taker, dates=[day])
        except SwapRejected:
            continue
        store.transition_swap(swap_id=swap.id, action="accept",
                              actor=Actor(None, "agent", taker))
        made += 1
    return made


def add_pending_time_off(store: Store, count: int) -> int:
    """Up to ``count`` one-day annual-leave requests on a worked day, waiting for a planner
    (the site's default policy approves none at once). Returns how many were made."""
    day = START + timedelta(days=10)
    cells = store.roster_frame(date_from=day, date_to=day)[1]
    made = 0
    for agent_id in cells.loc[~cells["shift"].isin(("OFF", "LEAVE")), "agent_id"]:
        if made >= count:
            break
        try:
            store.create_time_off(actor=Actor(None, "agent", agent_id), kind="annual",
                                  dates=[day], reason="bench")
        except SwapRejected:
            continue
        made += 1
    return made


def timed(client: TestClient, path: str, repeat: int) -> tuple[float, float, float, float, int]:
    """(first request ms, median ms, max ms, median CPU ms, size): the first is the cold one
    (nothing cached since the last import); CPU time is this process's, which other load on a
    shared machine inflates far less than the wall clock."""
    started = time.perf_counter()
    answer = client.get(path)
    first = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    if answer.url.path == "/login":  # a lost session would time the sign-in page instead
        raise SystemExit(f"{path}: redirected to the sign-in page; the bench's session is wrong")
    samples, cpu = [], []
    size = 0
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        answer.raise_for_status()
        size = len(answer.content)
    return first, statistics.median(samples), max(samples), statistics.median(cpu), size


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        tables = make_tables(args.agents, args.days)
        store = build_store(Path(folder), tables)
        pending = add_pending_swaps(store, 20)
        time_off = add_pending_time_off(store, 20)
        print(f"site: {args.agents} agents x {args.days} days = {len(tables['roster']):,} roster "
              f"rows, {len(tables['events']):,} login events, {pending} swaps awaiting approval "
              f"and {time_off} time-off requests (built in {time.perf_counter() - started:.1f} s)")
        app = create_app(Settings(db_url=f"sqlite:///{folder}/bench.db"),  # type: ignore[call-arg]
                         store=store)
        planner_token = store.create_user(role="planner")[1]
        agent_token = store.create_user(role="agent", agent_id="E0001")[1]
        last = START + timedelta(days=args.days - 1)
        # pages sign in with a server-side session (the cookie holds its id, not the token)
        planner_session = store.start_session(user=store.user_for_token(token=planner_token))
        agent_session = store.start_session(user=store.user_for_token(token=agent_token))
        planner = TestClient(app, base_url="https://testserver",
                             cookies={"wfm_session": planner_session})
        agent = TestClient(app, base_url="https://testserver",
                           cookies={"wfm_session": agent_session})
        api = TestClient(app, headers={"Authorization": f"Bearer {planner_token}"})
        rows = [
            ("peer: GET /api/v1/rosters/current (JSON, 4 weeks)", api,
             f"/api/v1/rosters/current?from={START}&to={last}"),
            ("roster grid, all agents x 4 weeks", planner,
             f"/planner/roster?from={START}&days={args.days}&per_page=2000"),
            ("roster grid, default (250 agents x 2 weeks)", planner,
             f"/planner/roster?from={START}"),
            ("roster grid, one queue (500 agents) x 4 weeks", planner,
             f"/planner/roster?from={START}&days={args.days}&queue=sales&per_page=2000"),
            ("coverage (day chart + week overview)", planner,
             f"/planner/coverage?day={START + timedelta(days=2)}&queue=sales"),
            (f"swap queue ({pending} pending, each re-checked)", planner, "/planner/swaps"),
            (f"time-off queue ({time_off} pending, each re-checked)", planner,
             "/planner/time-off"),
            ("adherence, 1 week", planner,
             f"/planner/adherence?from={START}&to={START + timedelta(days=6)}"),
            ("adherence, 4 weeks", planner, f"/planner/adherence?from={START}&to={last}"),
            ("data page", planner, "/planner/data"),
            ("audit log", planner, "/planner/audit"),
            ("agent: my schedule", agent, f"/me?week={START}"),
            ("agent: my swaps", agent, "/me/swaps"),
            ("agent: my time off", agent, "/me/time-off"),
        ]
        print(f"load average before: {load_average()}")
        print(f"{'page':52s} {'first':>8s} {'median':>8s} {'max':>8s} {'cpu':>8s} {'size':>7s}"
              f"  (target {TARGET_MS:.0f} ms)")
        for label, client, path in rows:
            first, median, worst, cpu, size = timed(client, path, args.repeat)
            verdict = "" if label.startswith("peer") else (
                "ok" if median < TARGET_MS else "OVER")
            print(f"{label:52s} {first:6.0f}ms {median:6.0f}ms {worst:6.0f}ms {cpu:6.0f}ms "
                  f"{size / 1024:5.0f}kB  {verdict}")
        # the first views after a data change (one swap approved): nothing kept applies
        accepted, _ = store.list_swaps(status="accepted", agent_id=None, page=1, page_size=1)
        if accepted:
            store.transition_swap(swap_id=accepted[0].id, action="approve", actor=SYSTEM)
            for label, client, path in rows[1:2] + rows[5:7]:
                started, cpu_started = time.perf_counter(), time.process_time()
                client.get(path).raise_for_status()
                print(f"after a change: {label:36s} {(time.perf_counter() - started) * 1000:6.0f}"
                      f"ms wall {(time.process_time() - cpu_started) * 1000:6.0f}ms cpu")
        print(f"(first request, then median/max/median CPU of {args.repeat} more; load average "
              f"after: {load_average()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
