"""Scale benchmark (issue 26): many sites and what-if scenarios, sequential against Ray, in one
run. Prints figures; asserts nothing about time.

Run from the project root (heavy: use nice on a shared machine)::

    nice -n 10 python3 bench/scale.py                  # every part
    nice -n 10 python3 bench/scale.py --only sites     # or scenarios, cluster, teams
    python3 bench/scale.py --quick                     # small sizes, to try it out

Parts
-----
``sites``      8 sites x 300 agents x 28 days (``wfm plan``'s ``plan_site``: forecast -> staff ->
               roster -> check -> report per site), in process one after another, then as Ray
               tasks on a local instance: the wall times, the speed-up (Ray's start-up
               included), and whether every site's roster.csv is byte-identical between the
               two runs (same seed; the wall-clock cap is set far above the time limit, so the
               solver's work, not the machine's load, decides each roster).
``cluster``    a two-node Ray cluster on this machine (``ray start --head --block`` and a second
               ``ray start --address=... --block`` with other ports, one CPU each), the sites
               planned on it through its address, the node each ran on, and the rosters
               compared with the sequential ones; both nodes are stopped by their process ids.
``scenarios``  36 what-if scenarios over a year of 15-minute intervals x 5 queues (Erlang C
               grid: service level x answer-within x shrinkage x volume), in process and as
               Ray tasks; then an 18-scenario grid with patience (Erlang A), the costlier model.
``teams``      placeholder for the 4,000 agents x 28 days team-decomposition figure (branch
               ``team-decomposition``): add its runner in ``teams_part``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fixtures.generate import (  # noqa: E402
    FixtureParameters,
    Generator,
    site_toml,
)
from wfm.config import build_config  # noqa: E402
from wfm.parallel import TaskResult, run_tasks  # noqa: E402
from wfm.scenarios import evaluate_task, expand_grid, prepare_load  # noqa: E402
from wfm.tables import AGENTS, HISTORY_INTERVALS, LEAVE, ROSTER, write_table  # noqa: E402
from wfm_cli.plan import SiteJob, plan_site  # noqa: E402

ROOMY_CAP_SECONDS = 3600.0


def say(text: str) -> None:
    print(text, flush=True)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


# ---- sites ------------------------------------------------------------------------------------

def make_sites(folder: Path, count: int, agents: int) -> list[Path]:
    """``count`` site folders of ``agents`` agents each, demand scaled to the head count."""
    scale = agents / 120  # the demo site: 120 agents
    sites = []
    for k in range(count):
        params = FixtureParameters(
            random_seed=100 + k, agents=agents, presales_only=int(agents * 50 / 120),
            aftersales_only=int(agents * 40 / 120),
            peak_erlangs=(17.5 * scale, 12.5 * scale), leave_agents=max(2, agents // 12))
        gen = Generator(params)
        site = folder / f"site{k + 1}"
        site.mkdir(parents=True, exist_ok=True)
        people = gen.agents()
        write_table(gen.history(), site / "history.csv", HISTORY_INTERVALS)
        write_table(people, site / "agents.csv", AGENTS)
        write_table(gen.leave(people), site / "leave.csv", LEAVE)
        write_table(gen.roster(people, gen.previous_days, None, week_parity=1),
                    site / "previous_roster.csv", ROSTER)
        (site / "site.toml").write_text(site_toml(params), encoding="utf-8")
        sites.append(site)
    return sites


def plan_all(sites: list[Path], out: Path, *, days: int, time_limit: float,
             workers: int | None, address: str | None = None) -> tuple[float, list]:
    jobs = [SiteJob(folder=str(site), out_dir=str(out / site.name), weeks=days // 7,
                    time_limit_seconds=time_limit, wall_cap_seconds=ROOMY_CAP_SECONDS, seed=0)
            for site in sites]
    started = time.perf_counter()
    results = run_tasks(plan_site, jobs, workers=workers, address=address,
                        on_done=lambda r: say(
                            f"    {jobs[r.index].name}: "
                            + (f"{r.seconds:.1f} s on {r.worker}" if r.ok else
                               f"FAILED {r.error}")))
    return time.perf_counter() - started, results


def same_rosters(first: Path, second: Path, names: list[str]) -> list[str]:
    """Sites whose roster.csv differs between two output folders."""
    return [name for name in names
            if (first / name / "roster.csv").read_bytes()
            != (second / name / "roster.csv").read_bytes()]


def sites_part(work: Path, args: argparse.Namespace) -> None:
    say(f"\n== {args.sites} sites x {args.agents} agents x {args.days} days: sequential vs Ray "
        f"(time limit {args.time_limit:g} s per site, seed 0, wall cap {ROOMY_CAP_SECONDS:g} s)")
    sites = (sorted(p for p in (work / "sites").iterdir() if p.is_dir())[:args.sites]
             if args.reuse_sequential and (work / "sites").is_dir()
             else make_sites(work / "sites", args.sites, args.agents))
    say(f"  {load_note()}")
    record = work / "sequential.json"
    if args.reuse_sequential and record.is_file():
        seq_seconds = float(json.loads(record.read_text())["seconds"])
        seq = [TaskResult(index=k, value=row) for k, row in
               enumerate(json.loads(record.read_text())["rows"])]
        say(f"  sequential: {seq_seconds:.1f} s, reused from {record} (--reuse-sequential)")
    else:
        say("  sequential (in process, --workers 1):")
        seq_seconds, seq = plan_all(sites, work / "out-seq", days=args.days,
                                    time_limit=args.time_limit, workers=1)
        record.write_text(json.dumps({"seconds": seq_seconds,
                                      "rows": [r.value for r in seq if r.ok]}))
    say(f"  {load_note()}")
    say(f"  Ray (local instance, {args.workers} workers; its start-up counted):")
    ray_seconds, par = plan_all(sites, work / "out-ray", days=args.days,
                                time_limit=args.time_limit, workers=args.workers)
    say(f"  {load_note()}")
    failed = [r for r in seq + par if not r.ok]
    differ = same_rosters(work / "out-seq", work / "out-ray", [s.name for s in sites]) \
        if not failed else ["(failed runs)"]
    capped = [r.value["site"] for r in seq + par if r.ok and r.value["time_limit_reached"]]
    say(f"  sequential {seq_seconds:.1f} s, Ray {ray_seconds:.1f} s: speed-up "
        f"{seq_seconds / ray_seconds:.2f}x (target >= 1.7x)")
    say("  rosters byte-identical between the runs: "
        + ("yes, every site" if not differ else f"NO: {', '.join(differ)}"))
    if capped:
        say(f"  wall-clock cap reached in: {', '.join(sorted(set(capped)))}")
    rows = [r.value for r in seq if r.ok]
    say("  per site (sequential run): agents, required h, scheduled h, shortfall h, SL %, "
        "rule problems")
    for row in rows:
        say(f"    {row['site']}: {row['agents']}, {row['required_hours']:,.1f}, "
            f"{row['scheduled_hours']:,.1f}, {row['shortfall_hours']:,.1f}, "
            f"{row['service_level_pct']}, {row['rule_problems']}  ({row['seconds']:.1f} s)")
    for r in failed:
        say(f"  FAILED: {r.error}\n{r.detail}")


# ---- a two-node cluster on this machine --------------------------------------------------------

def free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def node_command(ports: list[int], *, head: bool, address: str, temp_dir: Path,
                 worker_ports: tuple[int, int]) -> list[str]:
    node, objects, agent, agent_grpc, env_agent, metrics = ports[:6]
    command = ["ray", "start", "--block", "--num-cpus=1", "--disable-usage-stats",
               f"--node-manager-port={node}", f"--object-manager-port={objects}",
               f"--dashboard-agent-listen-port={agent}",
               f"--dashboard-agent-grpc-port={agent_grpc}",
               f"--runtime-env-agent-port={env_agent}", f"--metrics-export-port={metrics}",
               f"--min-worker-port={worker_ports[0]}", f"--max-worker-port={worker_ports[1]}"]
    if head:
        port = address.rpartition(":")[2]
        command += ["--head", f"--port={port}", "--include-dashboard=false",
                    f"--temp-dir={temp_dir}", f"--ray-client-server-port={ports[6]}"]
    else:
        command += [f"--address={address}"]
    return command


def wait_for_nodes(address: str, count: int, env: dict[str, str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = subprocess.run(["ray", "status", f"--address={address}"], env=env,
                                capture_output=True, text=True, timeout=60)
        if status.stdout.count(" node_") >= count:
            return True
        time.sleep(2)
    return False


def cluster_part(work: Path, args: argparse.Namespace) -> None:
    say(f"\n== two-node Ray cluster on this machine: {args.cluster_sites} sites x "
        f"{args.agents} agents x {args.days} days")
    sites = make_sites(work / "sites", args.cluster_sites, args.agents)
    host = "127.0.0.1"
    head_ports, node_ports = free_ports(7), free_ports(6)
    address = f"{host}:{free_ports(1)[0]}"
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_USAGE_STATS_ENABLED": "0"}
    logs = work / "cluster-logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    try:
        for name, ports, head, workers in (("head", head_ports, True, (21000, 21099)),
                                           ("node2", node_ports, False, (21100, 21199))):
            command = node_command(ports, head=head, address=address,
                                   temp_dir=work / "ray-tmp", worker_ports=workers)
            say(f"  $ {' '.join(command)}")
            log = (logs / f"{name}.log").open("w")
            processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log))
            if head:
                time.sleep(3)
                if not wait_for_nodes(address, 1, env, 120):
                    say(f"  the head did not start; see {logs / 'head.log'}")
                    return
        if not wait_for_nodes(address, 2, env, 120):
            say(f"  the second node did not join; see {logs / 'node2.log'}")
            return
        say("  both nodes up; planning through --address (RAY_AUTH_MODE=token)")
        os.environ["RAY_AUTH_MODE"] = "token"
        seconds, results = plan_all(sites, work / "out-cluster", days=args.days,
                                    time_limit=args.time_limit, workers=None, address=address)
        import ray

        ray.shutdown()
        nodes = sorted({r.worker.split("/")[0] for r in results if r.ok})
        say(f"  {seconds:.1f} s for {len(sites)} sites on {len(nodes)} node(s): "
            f"{', '.join(nodes)}")
        if (work / "out-seq").is_dir():
            differ = same_rosters(work / "out-seq", work / "out-cluster",
                                  [s.name for s in sites])
            say("  rosters byte-identical to the sequential run: "
                + ("yes" if not differ else f"NO: {', '.join(differ)}"))
    finally:
        for process in reversed(processes):  # our own nodes only, by process id
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        os.environ.pop("RAY_AUTH_MODE", None)


# ---- scenarios --------------------------------------------------------------------------------

def year_forecast(queues: int = 5, days: int = 364, seed: int = 3) -> pd.DataFrame:
    """A year of 15-minute intervals for ``queues`` queues: two daily peaks, weekly rhythm,
    gamma noise; open 08:00-23:00."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range(pd.Timestamp("2027-01-04", tz="Asia/Shanghai"),
                           periods=days * 96, freq="15min")
    hours = np.asarray(starts.hour + starts.minute / 60, dtype=float)
    shape = (np.exp(-0.5 * ((hours - 10.5) / 1.6) ** 2)
             + 0.8 * np.exp(-0.5 * ((hours - 20.5) / 1.3) ** 2))
    shape = np.where((hours >= 8) & (hours < 23), shape + 0.15, 0.0)
    weekly = np.where(np.asarray(starts.dayofweek) >= 5, 0.85, 1.0)
    frames = []
    for q in range(queues):
        peak = 80 / (q + 1)  # contacts per 15 minutes at the peak
        mean = peak * shape * weekly
        contacts = np.round(rng.gamma(40, np.maximum(mean, 1e-9) / 40), 1)
        aht = np.round(rng.normal(240 + 60 * q, 10, len(starts)), 1)
        frames.append(pd.DataFrame({"interval_start": starts, "queue": f"queue{q + 1}",
                                    "contacts": contacts, "aht_seconds": aht}))
    return pd.concat(frames, ignore_index=True)


def scenarios_part(args: argparse.Namespace) -> None:
    config = build_config({"interval_minutes": 15, "country": "",
                           "cost": {"hourly_rate": 38.0}})
    forecast = year_forecast()
    say(f"\n== what-if scenarios: {len(forecast):,} interval-queues (a year of 15-minute "
        f"intervals x 5 queues)")
    started = time.perf_counter()
    load = prepare_load(forecast, config)
    say(f"  preparing the load: {time.perf_counter() - started:.2f} s")
    grids = {
        "36 scenarios, Erlang C": {"service_level": [0.75, 0.8, 0.9],
                                   "answer_within_seconds": [20, 30],
                                   "shrinkage": [0.25, 0.3],
                                   "volume_factor": [0.9, 1.0, 1.1]},
        "18 scenarios, Erlang A (patience 120 s)": {"service_level": [0.75, 0.8, 0.9],
                                                    "shrinkage": [0.25, 0.3],
                                                    "volume_factor": [0.9, 1.0, 1.1],
                                                    "patience_seconds": [120]},
    }
    for title, grid in grids.items():
        cases = expand_grid({k: [float(v) for v in vs] for k, vs in grid.items()}, config)
        say(f"  {title}: {load_note()}")
        timings = {}
        rows = None
        for label, workers in (("in process", 1), (f"Ray, {args.workers} workers", args.workers)):
            t = time.perf_counter()
            results = run_tasks(evaluate_task, cases, workers=workers, shared=(load, config))
            timings[label] = time.perf_counter() - t
            bad = [r for r in results if not r.ok]
            if bad:
                say(f"    FAILED: {bad[0].error}")
                return
            values = [r.value for r in results]
            if rows is not None and values != rows:
                say("    the two runs DIFFER")
            rows = values
        say("    " + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in timings.items())
            + " (Ray's start-up counted; target < 30 s for the 36-scenario grid)")
        assert rows is not None
        for row in (rows[0], rows[len(rows) // 2], rows[-1]):
            say(f"    {row['scenario']}: {row['fte']:,.1f} FTE, cost {row['cost']:,.0f}, "
                f"SL {row['service_level_pct']}%, ASA {row['asa_seconds']} s, occupancy "
                f"{row['occupancy_pct']}%, abandon {row['abandon_pct']}")


# ---- teams (the team-decomposition engineer's figure) -------------------------------------------

def teams_part(args: argparse.Namespace) -> None:
    say("\n== 4,000 agents x 28 days by team decomposition: not measured here (branch "
        "team-decomposition adds its runner in bench/scale.py, teams_part)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sites", "cluster", "scenarios", "teams"],
                        action="append", help="run only these parts (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--cluster-sites", type=int, default=4)
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--reuse-sequential", action="store_true",
                        help="sites: reuse the sequential run kept in --work (its rosters and "
                             "time) and run only the Ray side again")
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the generated sites and outputs here (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.quick:
        args = replace_args(args, sites=3, cluster_sites=2, agents=60, days=7, time_limit=3.0)
    parts = args.only or ["sites", "cluster", "scenarios", "teams"]
    work = args.work or Path(tempfile.mkdtemp(prefix="wfm-scale-"))
    say(f"bench/scale.py: {', '.join(parts)}; work folder {work}; {load_note()}")
    try:
        if "sites" in parts:
            sites_part(work, args)
        if "cluster" in parts:
            cluster_part(work, args)
        if "scenarios" in parts:
            scenarios_part(args)
        if "teams" in parts:
            teams_part(args)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def replace_args(args: argparse.Namespace, **changes: object) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), **changes})



if __name__ == "__main__":
    raise SystemExit(main())
