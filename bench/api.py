"""Swap validation and time-off check speed on a 1,000-agent, 4-week roster.

Measures ``wfm.requests.swaps.check_swap`` called directly and ``POST /api/v1/swaps`` on a real
``wfm serve`` (uvicorn on a loopback port, temporary SQLite file), and compares both with the
naive peer: re-checking the whole roster (``wfm.rules.check_roster``) and recomputing the whole
coverage table (``wfm.coverage.coverage_table``) for every swap. Targets: p99 under
50 ms and at least 200 validations per second. Then ``POST /api/v1/time-off`` (the full check:
notice, rules, balance, team limit, coverage and the service level of every affected interval;
target p99 under 50 ms over HTTP). Prints the figures; asserts nothing.

Run: ``python bench/api.py [--agents 1000 --swaps 300 --http-swaps 300 --threads 1,2,4]``;
``--profile server.svg`` records the server with py-spy (when installed). Each HTTP run also
reports the server's CPU time per request (from /proc), which says what the server costs
independent of other load on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from serving import cpu_seconds, start_server

# This file is named like the ``api`` package; when run as a script its folder comes first on
# sys.path and would shadow the package, so drop that entry before importing it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import httpx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from api.db import make_engine, migrate  # noqa: E402
from api.store import Store  # noqa: E402
from wfm.config import build_config  # noqa: E402
from wfm.coverage import coverage_table  # noqa: E402
from wfm.requests.swaps import check_swap  # noqa: E402
from wfm.rules import check_roster  # noqa: E402
from wfm.tables import AGENTS, REQUIREMENT, ROSTER, read_table_text, table_to_csv_text  # noqa: E402

NUM_DAYS = 28
QUEUES = ("sales", "support")
SITE_TOML = 'country = ""\n[time_off]\nmax_off_per_team_per_day = 100\n'
PART = {"DAY": ("14:00", "16:00"), "NIGHT": ("21:30", "23:30")}  # the last 2 hours


def make_data(num_agents: int, start: date, seed: int = 7) -> tuple[pd.DataFrame, ...]:
    """Agents, a legal-looking roster (fixed weekly rest days) and a requirement."""
    rng = random.Random(seed)
    agent_rows, roster_rows = [], []
    for a in range(num_agents):
        agent_id = f"E{a:04d}"
        queue = QUEUES[a % 2]
        skills = ";".join(QUEUES) if a % 5 == 0 else queue
        agent_rows.append(f"{agent_id},Agent {a},{skills}")
        shift = "DAY" if a % 3 else "NIGHT"
        rest = {a % 7, (a + 1) % 7}
        for d in range(NUM_DAYS):
            day = start + timedelta(days=d)
            off = day.weekday() in rest
            roster_rows.append(f"{agent_id},{day},{'OFF' if off else shift},"
                               f"{'' if off else queue}")
    requirement_rows = []
    for d in range(NUM_DAYS):
        day = start + timedelta(days=d)
        for m in range(8 * 60 + 30, 23 * 60 + 30, 30):
            when = datetime(day.year, day.month, day.day, m // 60, m % 60).isoformat()
            for queue in QUEUES:
                need = rng.randint(num_agents // 10, num_agents // 5)
                requirement_rows.append(f"{when},{queue},100,300,8.3,{need},0.8,10,0.8,{need}")
    agents = read_table_text("agent_id,name,skills\n" + "\n".join(agent_rows) + "\n", AGENTS)
    roster = read_table_text("agent_id,date,shift,queue\n" + "\n".join(roster_rows) + "\n",
                             ROSTER)
    requirement = read_table_text(
        "interval_start,queue,contacts,aht_seconds,traffic_erlangs,agents,service_level,"
        "asa_seconds,occupancy,scheduled_agents\n" + "\n".join(requirement_rows) + "\n",
        REQUIREMENT)
    return agents, roster, requirement


def sample_swaps(roster: pd.DataFrame, count: int, seed: int = 11) -> list[dict[str, object]]:
    """Random one-date gives and swaps between agents (some legal, some not)."""
    rng = random.Random(seed)
    cells = roster.set_index(["agent_id", "date"])["shift"].to_dict()
    agents = sorted(roster["agent_id"].unique())
    days = sorted(roster["date"].unique())
    swaps: list[dict[str, object]] = []
    while len(swaps) < count:
        a, b = rng.sample(agents, 2)
        day = rng.choice(days[1:-1])
        sa, sb = cells[(a, day)], cells[(b, day)]
        if sa == "OFF" and sb == "OFF":
            continue
        if sa == "OFF":
            a, b, sa, sb = b, a, sb, sa
        kind = "give" if sb == "OFF" else "swap"
        if kind == "swap" and sa == sb:
            continue
        swaps.append({"kind": kind, "requester_id": a, "counterpart_id": b, "dates": [day]})
    return swaps


def sample_time_off(roster: pd.DataFrame, count: int, seed: int = 17) -> list[dict[str, object]]:
    """Random time-off requests: a day of annual leave, the last 2 hours of a shift, or a
    rest-day change inside one week (some legal, some breaking a rule)."""
    rng = random.Random(seed)
    cells = roster.set_index(["agent_id", "date"])["shift"].to_dict()
    agents = sorted(roster["agent_id"].unique())
    days = sorted(roster["date"].unique())
    requests: list[dict[str, object]] = []
    while len(requests) < count:
        agent, day = rng.choice(agents), rng.choice(days[1:-1])
        shift, roll = cells[(agent, day)], rng.random()
        if roll < 0.2:
            week = [day - timedelta(days=day.weekday()) + timedelta(days=k) for k in range(7)]
            off = [d for d in week if cells.get((agent, d)) == "OFF"]
            work = [d for d in week if cells.get((agent, d)) not in (None, "OFF")]
            if off and work:
                requests.append({"agent": agent, "kind": "rest_day",
                                 "dates": [rng.choice(off), rng.choice(work)]})
        elif shift != "OFF":
            body: dict[str, object] = {"agent": agent, "kind": "annual", "dates": [day]}
            if roll < 0.4:
                body["part"] = dict(zip(("start", "end"), PART[str(shift)], strict=True))
            requests.append(body)
    return requests


def percentiles(samples_seconds: list[float]) -> str:
    ms = np.asarray(samples_seconds) * 1000
    return (f"p50 {np.percentile(ms, 50):7.2f} ms   p99 {np.percentile(ms, 99):7.2f} ms   "
            f"mean {ms.mean():7.2f} ms   {1000 / ms.mean():7.1f} validations/s (one thread)")


def bench_direct(roster: pd.DataFrame, agents: pd.DataFrame, requirement: pd.DataFrame,
                 swaps: list[dict[str, object]], config) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    by_agent = dict(list(roster.groupby("agent_id")))
    by_date = dict(list(roster.groupby("date")))
    queues = list(QUEUES)
    times, rejected = [], 0
    for swap in swaps:
        day = swap["dates"][0]  # type: ignore[index]
        window = [by_date[d] for d in (day - timedelta(days=1), day, day + timedelta(days=1))
                  if d in by_date]
        # the rows the store would load: both agents' rows and everyone's rows near the date
        subset = pd.concat([by_agent[swap["requester_id"]], by_agent[swap["counterpart_id"]],
                            *window]).drop_duplicates(["agent_id", "date"])
        started = time.perf_counter()
        verdict = check_swap(subset, agents, config, kind=str(swap["kind"]),
                             requester_id=str(swap["requester_id"]),
                             counterpart_id=str(swap["counterpart_id"]),
                             dates=swap["dates"], requirement=requirement,  # type: ignore[arg-type]
                             requirement_queues=queues)
        times.append(time.perf_counter() - started)
        rejected += not verdict.ok
    return times, rejected


def bench_naive(roster: pd.DataFrame, agents: pd.DataFrame, requirement: pd.DataFrame,
                swaps: list[dict[str, object]], config) -> list[float]:  # type: ignore[no-untyped-def]
    """The peer: apply the swap, re-check every agent and recompute all coverage."""
    indexed = roster.set_index(["agent_id", "date"])
    times = []
    for swap in swaps:
        started = time.perf_counter()
        day = swap["dates"][0]  # type: ignore[index]
        a, b = swap["requester_id"], swap["counterpart_id"]
        swapped = indexed.copy()
        swapped.loc[(a, day)], swapped.loc[(b, day)] = (indexed.loc[(b, day)].to_numpy(),
                                                        indexed.loc[(a, day)].to_numpy())
        frame = swapped.reset_index()
        check_roster(frame, agents, config, requirement_queues=list(QUEUES))
        coverage_table(frame, requirement, config)
        times.append(time.perf_counter() - started)
    return times


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


@dataclass
class HttpRun:
    threads: int
    times: list[float]
    throughput: float
    statuses: dict[int, int]
    server_cpu_ms: float  # server CPU time per request


def bench_http(workdir: Path, agents: pd.DataFrame, roster: pd.DataFrame,
               requirement: pd.DataFrame, swap_sets: list[list[dict[str, object]]],
               thread_counts: list[int], profile: str | None = None,
               time_off: list[dict[str, object]] | None = None,
               ) -> tuple[list[HttpRun], HttpRun | None]:
    """One server; one timed run per entry of ``thread_counts`` (each with its own swaps),
    then one run of ``time_off`` requests on one client thread."""
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    config_path = workdir / "site.toml"
    config_path.write_text(SITE_TOML)
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine, build_config({"country": ""}))
    planner = {"Authorization": f"Bearer {store.create_user(role='planner')[1]}"}
    requesters = {str(s["requester_id"]) for swaps in swap_sets for s in swaps}
    requesters |= {str(r["agent"]) for r in time_off or []}
    tokens = {a: {"Authorization": f"Bearer {store.create_user(role='agent', agent_id=a)[1]}"}
              for a in sorted(requesters)}
    engine.dispose()
    server, url = start_server(db_url, config_path)
    try:
        csv = {"Content-Type": "text/csv"}
        with httpx.Client(base_url=url, timeout=300) as client:
            for path, frame, spec in (("/api/v1/agents", agents, AGENTS),
                                      ("/api/v1/requirements", requirement, REQUIREMENT),
                                      ("/api/v1/rosters", roster, ROSTER)):
                response = client.post(path, content=table_to_csv_text(frame, spec),
                                       headers={**planner, **csv}, params={"force": "true"})
                response.raise_for_status()
        spy = None
        if profile:
            spy = subprocess.Popen(["py-spy", "record", "--pid", str(server.pid), "--format",
                                    "speedscope" if profile.endswith(".json") else "flamegraph",
                                    "--output", profile, "--threads", "--nonblocking",
                                    "--rate", "400"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        runs = [_http_run(url, tokens, swaps, threads, server.pid)
                for swaps, threads in zip(swap_sets, thread_counts, strict=True)]
        leave = _time_off_run(url, tokens, time_off, server.pid) if time_off else None
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        return runs, leave
    finally:
        server.terminate()
        server.wait(timeout=20)


def _http_run(url: str, tokens: dict[str, dict[str, str]], swaps: list[dict[str, object]],
              threads: int, server_pid: int) -> HttpRun:
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(swaps)

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    swap = queue.pop()
                body = {"kind": swap["kind"], "counterpart_id": swap["counterpart_id"],
                        "dates": [d.isoformat() for d in swap["dates"]]}  # type: ignore[attr-defined]
                started = time.perf_counter()
                response = client.post("/api/v1/swaps", json=body,
                                       headers=tokens[str(swap["requester_id"])])
                elapsed = time.perf_counter() - started
                with lock:
                    times.append(elapsed)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    cpu_before = cpu_seconds(server_pid)
    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - began
    cpu = (cpu_seconds(server_pid) - cpu_before) * 1000 / max(len(times), 1)
    return HttpRun(threads, times, len(times) / wall, statuses, cpu)


def _time_off_run(url: str, tokens: dict[str, dict[str, str]],
                  requests: list[dict[str, object]], server_pid: int) -> HttpRun:
    """POST /api/v1/time-off for each request on one client thread (the full check: notice,
    rules, balance, team limit, coverage and service level per interval)."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    cpu_before = cpu_seconds(server_pid)
    began = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60) as client:
        for request in requests:
            body = {"kind": request["kind"],
                    "dates": [d.isoformat() for d in request["dates"]]}  # type: ignore[attr-defined]
            if "part" in request:
                body["part"] = request["part"]
            started = time.perf_counter()
            response = client.post("/api/v1/time-off", json=body,
                                   headers=tokens[str(request["agent"])])
            times.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    wall = time.perf_counter() - began
    cpu = (cpu_seconds(server_pid) - cpu_before) * 1000 / max(len(times), 1)
    return HttpRun(1, times, len(times) / wall, statuses, cpu)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--swaps", type=int, default=300)
    parser.add_argument("--http-swaps", type=int, default=300)
    parser.add_argument("--naive-swaps", type=int, default=10)
    parser.add_argument("--time-off", type=int, default=300,
                        help="time-off requests over HTTP (0: skip)")
    parser.add_argument("--threads", default="1,2,4",
                        help="HTTP client thread counts, one timed run each (comma-separated)")
    parser.add_argument("--profile", help="record the server with py-spy to this file "
                        "(.json: speedscope, else an SVG flame graph)")
    args = parser.parse_args()
    thread_counts = [int(t) for t in str(args.threads).split(",")]
    config = build_config({"country": ""})
    today = datetime.now(ZoneInfo(config.timezone)).date()
    start = today + timedelta(days=8 + (7 - (today + timedelta(days=8)).weekday()) % 7)
    agents, roster, requirement = make_data(args.agents, start)
    swaps = sample_swaps(roster, args.swaps)
    print(f"roster: {args.agents} agents x {NUM_DAYS} days = {len(roster)} rows from {start}; "
          f"requirement {len(requirement)} rows; {os.cpu_count()} CPUs; "
          f"load average {load_average()}")
    bench_direct(roster, agents, requirement, swaps[:10], config)  # warm-up
    direct, rejected = bench_direct(roster, agents, requirement, swaps, config)
    print(f"check_swap (direct, {len(swaps)} swaps, {rejected} with violations):")
    print(f"  {percentiles(direct)}")
    naive = bench_naive(roster, agents, requirement, swaps[:args.naive_swaps], config)
    print(f"peer: whole-roster check_roster + coverage_table ({len(naive)} swaps):")
    print(f"  {percentiles(naive)}")
    with tempfile.TemporaryDirectory() as workdir:
        swap_sets = [sample_swaps(roster, args.http_swaps, seed=13 + k)
                     for k in range(len(thread_counts))]
        leave_requests = sample_time_off(roster, args.time_off)
        runs, leave = bench_http(Path(workdir), agents, roster, requirement, swap_sets,
                                 thread_counts, args.profile, leave_requests)
    for run in runs:
        print(f"POST /api/v1/swaps on wfm serve ({len(run.times)} requests, {run.threads} client "
              f"thread(s), statuses {json.dumps(run.statuses, sort_keys=True)}):")
        print(f"  {percentiles(run.times)}")
        print(f"  throughput {run.throughput:.1f} validations/s with {run.threads} client "
              f"thread(s); server CPU {run.server_cpu_ms:.2f} ms per request")
    if leave is not None:
        print(f"POST /api/v1/time-off on wfm serve ({len(leave.times)} requests: annual days, "
              f"last 2 hours of a shift, rest-day changes; 1 client thread, statuses "
              f"{json.dumps(leave.statuses, sort_keys=True)}):")
        print(f"  {percentiles(leave.times)}")
        print(f"  server CPU {leave.server_cpu_ms:.2f} ms per request")
    print(f"load average after: {load_average()}")
    p99 = float(np.percentile(np.asarray(direct) * 1000, 99))
    rate = 1 / float(np.mean(direct))
    print("targets: p99 < 50 ms and >= 200 validations/s")
    print(f"  direct check_swap: p99 {p99:.1f} ms -> {verdict(p99 < 50)}; "
          f"{rate:.0f}/s on one thread -> {verdict(rate >= 200)}")
    naive_p99 = float(np.percentile(np.asarray(naive) * 1000, 99))
    print(f"  peer (whole roster): p99 {naive_p99:.1f} ms -> {verdict(naive_p99 < 50)}; "
          f"{1 / float(np.mean(naive)):.0f}/s -> {verdict(1 / float(np.mean(naive)) >= 200)}")
    for run in runs:
        run_p99 = float(np.percentile(np.asarray(run.times) * 1000, 99))
        print(f"  HTTP, {run.threads} client thread(s): p99 {run_p99:.1f} ms -> "
              f"{verdict(run_p99 < 50)}; {run.throughput:.0f}/s -> "
              f"{verdict(run.throughput >= 200)}")
    if leave is not None:
        leave_p99 = float(np.percentile(np.asarray(leave.times) * 1000, 99))
        print(f"  time-off full check over HTTP (target p99 < 50 ms): p99 {leave_p99:.1f} ms -> "
              f"{verdict(leave_p99 < 50)}")
    best = max(runs, key=lambda r: r.throughput)
    best_p99 = float(np.percentile(np.asarray(best.times) * 1000, 99))
    print(f"  HTTP both targets at once ({best.threads} thread(s), the best throughput): "
          f"{verdict(best_p99 < 50 and best.throughput >= 200)}")


if __name__ == "__main__":
    main()
