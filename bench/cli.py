"""Benchmark: what the ``wfm`` command itself costs around the mathematics (issue 16).

Run from the project root: ``python bench/cli.py [--baseline DIR] [--repeat N] [--skip-big]``.
``--baseline DIR`` runs every measurement a second time with another checkout's code on
``PYTHONPATH`` (e.g. ``git worktree add /tmp/wfm-main main``) and prints both side by side.
Every command runs as a child process (the interpreter the script runs under, ``cwd`` a
temporary folder so that only ``PYTHONPATH`` decides which code is imported); small commands
take turns ``--repeat`` times and the fastest run of each is kept (the machine may be shared:
the load average is printed, and CPU time beside wall time; on a loaded machine the CPU time is
the steadier figure).

Printed:

1. ``wfm staff`` on a year of 15-minute intervals (35,040 rows; contacts and AHT drawn as in
   ``bench/erlang.py``) minus ``wfm staff`` on one interval: the per-row cost of reading,
   staffing and writing, without the start-up both share. Peer: pyworkforce's ``ErlangC``
   on the same intervals, with each distinct (contacts, AHT) load solved once and cached.
   Targets: under 60 ms and at least 5x faster than the cached peer.
2. ``wfm --help`` and ``wfm erlang --contacts 100 --aht-seconds 300 --agents 30`` as processes.
   Target: under 0.35 s each.
3. The I/O share of ``wfm adherence`` on 3 million login events (``bench/adherence.py``'s
   generator) and of ``wfm forecast`` on 2 years x 5 queues of 15-minute history
   (``bench/forecast.py``'s synthetic history, 6 weeks ahead): time inside ``wfm.tables``
   (reading, validating and writing tables) against the whole command. Target: no slower than
   the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from adherence import SITE as ADHERENCE_SITE  # noqa: E402
from adherence import generate as generate_events  # noqa: E402
from erlang import (  # noqa: E402
    INTERVAL_MINUTES,
    LEVEL,
    MAX_OCCUPANCY,
    SHRINKAGE,
    TARGET_SECONDS,
    make_year,  # noqa: E402
)

# Times the functions of wfm.tables that read, validate and write tables (outermost call only),
# then runs the command line; writes {"io": s, "total": s, "code": exit status} to argv[1].
DRIVER = """
import json, sys, time
began = time.perf_counter()
import wfm.tables as tables
spent, depth = [0.0], [0]
def timed(function):
    def wrapper(*args, **kwargs):
        if depth[0]:
            return function(*args, **kwargs)
        depth[0] += 1
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start
            depth[0] -= 1
    return wrapper
for name in ("read_header", "read_raw", "parse_table", "read_table", "read_table_text",
             "write_csv_atomic", "write_table", "table_to_csv_text"):
    if hasattr(tables, name):
        setattr(tables, name, timed(getattr(tables, name)))
try:
    from wfm_cli.main import app
except ModuleNotFoundError:  # a baseline checkout from before the command layer left wfm/
    from wfm.cli import app
code = 0
try:
    app(args=sys.argv[2:], prog_name="wfm")
except SystemExit as stop:
    code = stop.code or 0
with open(sys.argv[1], "w") as out:
    json.dump({"io": spent[0], "total": time.perf_counter() - began, "code": code}, out)
"""

# ``wfm`` itself; a baseline checkout from before the command layer left wfm/ has wfm.cli
ENTRY = """
try:
    from wfm_cli.main import main
except ModuleNotFoundError:
    from wfm.cli import main
main()
"""


@dataclass
class Tree:
    label: str
    path: Path


@dataclass
class Timing:
    wall: float
    cpu: float


def run(tree: Tree, commands: dict[str, list[str]], folder: Path,
        repeat: int) -> dict[str, Timing]:
    """Fastest wall time (and fastest CPU time) of each ``wfm args`` as a child process; the
    commands take turns, so that a change in the machine's load hits them alike."""
    env = dict(os.environ, PYTHONPATH=str(tree.path))
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, args in commands.items():
            command = [sys.executable, "-c", ENTRY, *args]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
            walls[name].append(time.perf_counter() - began)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(after.ru_utime + after.ru_stime - before.ru_utime
                              - before.ru_stime)
            if done.returncode != 0:
                raise SystemExit(f"{tree.label}: wfm {' '.join(args)} failed:\n{done.stderr}")
    return {name: Timing(min(walls[name]), min(cpus[name])) for name in commands}


def run_timed(tree: Tree, args: list[str], folder: Path) -> dict[str, float]:
    """One run of ``wfm args`` with the time spent in ``wfm.tables`` measured inside it."""
    env = dict(os.environ, PYTHONPATH=str(tree.path))
    result = folder / "timed.json"
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", DRIVER, str(result), *args], cwd=folder,
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    figures = json.loads(result.read_text()) if result.exists() else {"code": -1}
    if done.returncode != 0 or figures["code"] != 0:
        raise SystemExit(f"{tree.label}: wfm {' '.join(args)} failed:\n{done.stderr}")
    result.unlink()
    return {"io": figures["io"], "total": figures["total"], "process": wall}


def staff_inputs(folder: Path) -> tuple[Path, Path, Path]:
    contacts, aht = make_year()
    starts = pd.date_range("2026-01-01", periods=len(contacts), freq=f"{INTERVAL_MINUTES}min")
    frame = pd.DataFrame({"interval_start": starts.strftime("%Y-%m-%dT%H:%M:%S"),
                          "queue": "sales", "contacts": contacts, "aht_seconds": aht})
    year, one = folder / "forecast_year.csv", folder / "forecast_one.csv"
    frame.to_csv(year, index=False)
    frame.head(1).to_csv(one, index=False)
    site = folder / "site15.toml"
    site.write_text(f"interval_minutes = {INTERVAL_MINUTES}\n[service]\nlevel = {LEVEL}\n"
                    f"answer_within_seconds = {TARGET_SECONDS}\nmax_occupancy = "
                    f"{MAX_OCCUPANCY}\nshrinkage = {SHRINKAGE}\n")
    return year, one, site


def pyworkforce_cached(contacts: np.ndarray, aht: np.ndarray) -> tuple[float, int] | None:
    """Seconds for pyworkforce's ErlangC over the intervals, each distinct load solved once."""
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        return None
    cache: dict[tuple[int, int], object] = {}
    began = time.perf_counter()
    for n, handle in zip(contacts.tolist(), aht.tolist(), strict=True):
        if n == 0 or (n, handle) in cache:  # zero contacts need zero agents
            continue
        model = ErlangC(transactions=n, aht=handle / 60, asa=TARGET_SECONDS / 60,
                        interval=INTERVAL_MINUTES, shrinkage=SHRINKAGE)
        cache[n, handle] = model.required_positions(service_level=LEVEL,
                                                    max_occupancy=MAX_OCCUPANCY)
    return time.perf_counter() - began, len(cache)


def adherence_inputs(folder: Path, agents: int, days: int) -> tuple[Path, Path, Path, int]:
    _, events = generate_events(agents, days, 6, folder)
    lines = [f'timezone = "{ADHERENCE_SITE["timezone"]}"']
    for shift in ADHERENCE_SITE["shifts"]:
        breaks = ", ".join(f'["{start}", {minutes}]' for start, minutes in shift["breaks"])
        lines += ["[[shifts]]", f'code = "{shift["code"]}"', f'start = "{shift["start"]}"',
                  f'end = "{shift["end"]}"', f"breaks = [{breaks}]"]
    site = folder / "adherence_site.toml"
    site.write_text("\n".join(lines) + "\n")
    return folder / "roster.csv", folder / "events.csv", site, events


def forecast_inputs(folder: Path) -> tuple[Path, str, int]:
    from datetime import date

    from wfm.forecast.synthetic import SyntheticParameters, synthetic_history

    params = SyntheticParameters(start=date(2024, 1, 1), weeks=104, interval_minutes=15,
                                 queues=("q1", "q2", "q3", "q4", "q5"), daily_volume=4000)
    history = synthetic_history(params)
    stamps = pd.DatetimeIndex(history["interval_start"])
    history["interval_start"] = stamps.strftime("%Y-%m-%dT%H:%M:%S")
    path = folder / "history.csv"
    history.to_csv(path, index=False)
    return path, (params.start + timedelta(weeks=params.weeks)).isoformat(), len(history)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:8.1f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--repeat", type=int, default=7, help="runs per small command")
    parser.add_argument("--skip-big", action="store_true", help="leave out adherence/forecast")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=31)
    args = parser.parse_args()
    trees = [Tree("this checkout", ROOT)]
    if args.baseline:
        trees.append(Tree(f"baseline {args.baseline}", args.baseline.resolve()))
    print(f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs; best of {args.repeat} runs; wall (CPU) seconds")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        year, one, site = staff_inputs(folder)
        contacts, aht = make_year()
        small = {}
        for tree in trees:
            staff = ["staff", "--config", str(site), "--forecast"]
            small[tree.label] = run(tree, {
                "year": [*staff, str(year), "-o", "req_year.csv"],
                "one": [*staff, str(one), "-o", "req_one.csv"],
                "help": ["--help"],
                "erlang": ["erlang", "--contacts", "100", "--aht-seconds", "300", "--agents",
                           "30"]}, folder, args.repeat)
        peer = pyworkforce_cached(contacts, aht)
        print(f"\n== wfm staff: {len(contacts):,} intervals ({INTERVAL_MINUTES} min) minus one "
              "interval, as processes")
        for tree in trees:
            figures = small[tree.label]
            extra = figures["year"].wall - figures["one"].wall
            extra_cpu = figures["year"].cpu - figures["one"].cpu
            line = (f"  {tree.label:<40} {ms(extra)} ({ms(extra_cpu).strip()} CPU; year "
                    f"{figures['year'].wall:.2f} s, one interval {figures['one'].wall:.2f} s)")
            if tree is trees[0]:
                line += f"  target < 60 ms: {verdict(extra < 0.060)}"
            print(line)
        if peer is None:
            print("  pyworkforce: not installed (pip install -e '.[bench]'); no comparison")
        else:
            extra = small[trees[0].label]["year"].wall - small[trees[0].label]["one"].wall
            print(f"  {'pyworkforce ErlangC, loads cached':<40} {ms(peer[0])} ({peer[1]:,} "
                  f"distinct loads solved)  speed-up {peer[0] / max(extra, 1e-9):.1f}x "
                  f"(target >= 5x: {verdict(peer[0] >= 5 * extra)})")
        print("\n== start-up, as processes (target < 0.35 s)")
        for name, label in (("help", "wfm --help"), ("erlang", "wfm erlang ...")):
            for tree in trees:
                timing = small[tree.label][name]
                target = f"  {verdict(timing.wall < 0.35)}" if tree is trees[0] else ""
                print(f"  {label:<16} {tree.label:<40} {timing.wall:6.3f} s "
                      f"({timing.cpu:.3f} s CPU){target}")
        if args.skip_big:
            return
        roster, events, adherence_site, num_events = adherence_inputs(folder, args.agents,
                                                                      args.days)
        history, start, num_history = forecast_inputs(folder)
        commands = {
            f"wfm adherence, {num_events:,} events": [
                "adherence", "--roster", str(roster), "--events", str(events), "-o",
                "adherence.csv", "--config", str(adherence_site)],
            f"wfm forecast, {num_history:,} history rows, 6 weeks": [
                "forecast", "--history", str(history), "--start", start, "--weeks", "6",
                "-o", "forecast.csv", "--config", str(site)]}
        print("\n== I/O share: time in wfm.tables (read, validate, write) / whole command")
        for name, command in commands.items():
            print(f"  {name}")
            for tree in trees:
                figures = run_timed(tree, command, folder)
                print(f"    {tree.label:<40} I/O {figures['io']:6.2f} s of "
                      f"{figures['total']:6.2f} s ({100 * figures['io'] / figures['total']:4.1f}"
                      f"%), process {figures['process']:6.2f} s")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
