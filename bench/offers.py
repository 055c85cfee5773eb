"""Offer speed on a 1,000-agent, 4-week roster (the data of ``bench/api.py``), in process on a
temporary SQLite file.

Prints: an agent's list of the offers it may take (``Store.eligible_offers``: one rule check per
open offer) with 10 open offers; one acceptance (claim, check, roster write, audit) one at a
time; and N threads accepting one offer at once (places taken must equal the places offered).
Asserts nothing but the fill count.

Run: ``python bench/offers.py [--agents 1000 --offers 10 --threads 8 --accepts 200]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import numpy as np  # noqa: E402

from api.db import make_engine, migrate  # noqa: E402
from api.store import Actor, Store  # noqa: E402
from wfm.config import build_config  # noqa: E402


def _bench_api():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).parent / "api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_api"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def ms(samples: list[float]) -> str:
    values = np.asarray(samples) * 1000
    return (f"p50 {np.percentile(values, 50):7.2f} ms   p99 {np.percentile(values, 99):7.2f} ms"
            f"   mean {values.mean():7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--offers", type=int, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--accepts", type=int, default=200)
    args = parser.parse_args()
    data = _bench_api()
    today = datetime.now(UTC).date()
    start = today + timedelta(days=8 + (7 - (today + timedelta(days=8)).weekday()) % 7)
    agents, roster, requirement = data.make_data(args.agents, start)
    config = build_config({"country": ""})
    folder = Path(tempfile.mkdtemp(prefix="wfm-bench-offers-"))
    engine = make_engine(f"sqlite:///{folder / 'offers.db'}")
    migrate(engine)
    store = Store(engine, config)
    planner = Actor(None, "planner")
    store.import_agents(frame=agents, actor=planner)
    store.import_requirement(frame=requirement, actor=planner)
    store.import_roster(frame=roster, actor=planner)
    print(f"{args.agents} agents, {len(roster):,} roster rows from {start}")

    day = start + timedelta(days=9)
    for k in range(args.offers):
        store.publish_offer(actor=planner, kind="overtime" if k % 2 else "vto", day=day,
                            start="16:00" if k % 2 else "14:00",
                            end=f"{17 + k % 3}:00" if k % 2 else "16:00",
                            queues=["sales", "support"], agents_needed=args.agents)
    ids = sorted(roster["agent_id"].unique())
    times, shown = [], 0
    for agent in ids[:100]:
        began = time.perf_counter()
        shown += len(store.eligible_offers(agent_id=agent))
        times.append(time.perf_counter() - began)
    print(f"eligible offers ({args.offers} open), 100 agents:  {ms(times)}   "
          f"{shown / 100:.1f} offers shown per agent")

    offer = store.publish_offer(actor=planner, kind="overtime", day=day + timedelta(days=1),
                                start="16:00", end="18:00", queues=["sales", "support"],
                                agents_needed=args.accepts)
    times, refused = [], 0
    for agent in ids[:args.accepts]:
        began = time.perf_counter()
        try:
            store.accept_offer(offer_id=offer.id, actor=Actor(None, "agent", agent))
        except Exception:  # noqa: BLE001 - ineligible agents are refused; count them
            refused += 1
        times.append(time.perf_counter() - began)
    print(f"accept one at a time ({args.accepts} agents):    {ms(times)}   "
          f"{refused} refused (not eligible)")

    needed = 25
    race = store.publish_offer(actor=planner, kind="overtime", day=day + timedelta(days=2),
                               start="16:00", end="18:00", queues=["sales", "support"],
                               agents_needed=needed)
    barrier = threading.Barrier(args.threads)
    outcome: list[str] = []
    lock = threading.Lock()

    def take(chunk: list[str]) -> None:
        barrier.wait()
        for agent in chunk:
            try:
                store.accept_offer(offer_id=race.id, actor=Actor(None, "agent", agent))
                result = "applied"
            except Exception as error:  # noqa: BLE001
                result = str(error).split(":")[0]
            with lock:
                outcome.append(result)

    pool = ids[args.accepts:args.accepts + 200]
    chunks = [pool[k::args.threads] for k in range(args.threads)]
    threads = [threading.Thread(target=take, args=(c,)) for c in chunks]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    applied = outcome.count("applied")
    filled = store.offers.get(race.id).filled
    print(f"{args.threads} threads, {len(pool)} accepts on an offer for {needed}: "
          f"{applied} applied, filled = {filled}, "
          f"{outcome.count('offer already filled')} 'offer already filled', "
          f"{len(pool) / seconds:.0f} answers/s")
    assert applied == filled <= needed


if __name__ == "__main__":
    main()
