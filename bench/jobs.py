"""Solves through the API's job queue: 8 long solves at once, and the server stays responsive.

Starts a real ``wfm serve`` (uvicorn on a loopback port, temporary SQLite file), submits
``--jobs`` solves (default 8) of a ``--agents``-agent, 28-day site with ``time_limit_seconds``
3600, then for ``--seconds`` samples ``GET /healthz`` latency every 0.1 s and, once a second,
how many jobs run and wait (and the queue positions reported), the server process's memory
(RSS) and that of its solve processes. Prints the figures; asserts nothing. At the end the
server is stopped with SIGTERM, which gives the running jobs back to the queue (the count is
printed).

With ``--peer-root DIR`` the same run is made first against another checkout (e.g. one before
the queue, whose solves were threads of the server), side by side.

Run: ``nice -n 10 python bench/jobs.py [--jobs 8 --agents 120 --seconds 30 --peer-root DIR]``
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from serving import rss_mb, start_server

# This folder holds bench/api.py, which would shadow the ``api`` package: drop it from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SITE_TOML = 'country = ""\n'


def children(pid: int) -> list[int]:
    """The child processes of ``pid``, started from any of its threads."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def request_texts(num_agents: int) -> tuple[str, str]:
    """(requirement CSV, agents CSV) of a generated 28-day site (``solvers.roster.instances``)."""
    from solvers.roster.instances import InstanceParameters, make_instance
    from wfm.config import build_config
    from wfm.tables import AGENTS, REQUIREMENT, table_to_csv_text

    config = build_config({"country": ""})
    instance = make_instance(InstanceParameters(num_agents=num_agents, num_days=28,
                                                queues=("sales", "service"),
                                                with_previous=False), config)
    return (table_to_csv_text(instance.requirement, REQUIREMENT),
            table_to_csv_text(instance.agents, AGENTS))


@dataclass
class Figures:
    label: str
    accepted: int
    max_running: int
    max_queued: int
    positions: list[int]
    healthz_ms: list[float]
    server_mb: float
    solves_mb: float
    given_back: int
    left_running: int


def run(label: str, root: Path, workdir: Path, jobs: int, seconds: float,
        texts: tuple[str, str], max_concurrent: int | None) -> Figures:
    """One server from checkout ``root``; ``jobs`` solves; ``seconds`` of sampling."""
    workdir.mkdir(parents=True)
    db = workdir / "bench.db"
    toml = SITE_TOML + ("" if max_concurrent is None else
                        f"[api]\nmax_concurrent_solves = {max_concurrent}\n")
    (workdir / "site.toml").write_text(toml)
    env = {**os.environ, "PYTHONPATH": str(root)}
    made = subprocess.run([sys.executable, "-m", "wfm_cli", "users", "create", "--role",
                           "planner", "--db", f"sqlite:///{db}", "--format", "json"],
                          cwd=root, env=env, capture_output=True, text=True, check=True)
    import json

    planner = {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}
    server, url = start_server(f"sqlite:///{db}", workdir / "site.toml", cwd=root, env=env)
    try:
        requirement, agents = texts
        ids = []
        with httpx.Client(base_url=url, timeout=120, headers=planner) as client:
            for _ in range(jobs):
                answer = client.post("/api/v1/rosters/solve", json={
                    "requirement_csv": requirement, "agents_csv": agents,
                    "time_limit_seconds": 3600})
                answer.raise_for_status()
                ids.append(answer.json()["job_id"])
            latencies, max_running, max_queued, positions = [], 0, 0, set()
            server_mb = solves_mb = 0.0
            end = time.monotonic() + seconds
            rounds = 0
            while time.monotonic() < end:
                began = time.perf_counter()
                client.get("/healthz").raise_for_status()
                latencies.append((time.perf_counter() - began) * 1000)
                rounds += 1
                if rounds % 10:  # the jobs' states once a second, /healthz every 0.1 s
                    time.sleep(0.1)
                    continue
                states = [client.get(f"/api/v1/jobs/{j}").json() for j in ids]
                max_running = max(max_running, sum(s["status"] == "running" for s in states))
                max_queued = max(max_queued, sum(s["status"] == "queued" for s in states))
                positions |= {s["position"] for s in states if s.get("position")}
                server_mb = max(server_mb, rss_mb(server.pid))
                solves_mb = max(solves_mb, sum(rss_mb(c) for c in children(server.pid)))
                time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        import sqlite3

        with sqlite3.connect(db) as connection:
            counts = dict(connection.execute(
                "SELECT status, count(*) FROM solve_jobs GROUP BY status").fetchall())
        return Figures(label, len(ids), max_running, max_queued, sorted(positions), latencies,
                       server_mb, solves_mb, int(counts.get("queued", 0)),
                       int(counts.get("running", 0)))
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def show(f: Figures) -> None:
    print(f"{f.label}: {f.accepted} solves accepted; at most {f.max_running} running and "
          f"{f.max_queued} queued at once (positions reported: {f.positions or 'none'})")
    print(f"  /healthz over {len(f.healthz_ms)} requests: p50 {statistics.median(f.healthz_ms):.1f}"
          f" ms, p99 {quantile(f.healthz_ms, 0.99):.1f} ms, max {max(f.healthz_ms):.1f} ms")
    print(f"  memory: server process {f.server_mb:.0f} MB at most; its solve processes "
          f"{f.solves_mb:.0f} MB at most together")
    print(f"  after SIGTERM: {f.given_back} job(s) queued (given back or still waiting), "
          f"{f.left_running} left 'running' with no process behind them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--agents", type=int, default=120)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-concurrent", type=int, default=None,
                        help="[api] max_concurrent_solves (default: the server's own default)")
    parser.add_argument("--peer-root", type=Path, default=None,
                        help="another checkout to run the same way first (side by side)")
    args = parser.parse_args()
    print(f"{args.jobs} solves of {args.agents} agents x 28 days, time_limit_seconds 3600; "
          f"{os.cpu_count()} CPUs; load average {Path('/proc/loadavg').read_text().split()[0]}")
    texts = request_texts(args.agents)
    with tempfile.TemporaryDirectory(prefix="wfm-bench-jobs-") as tmp:
        if args.peer_root is not None:
            show(run(f"peer ({args.peer_root})", args.peer_root.resolve(), Path(tmp) / "peer",
                     args.jobs, args.seconds, texts, None))
        show(run("queue (this checkout)", ROOT, Path(tmp) / "queue", args.jobs, args.seconds,
                 texts, args.max_concurrent))


if __name__ == "__main__":
    main()
