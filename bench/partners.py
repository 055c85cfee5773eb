"""Swap-partner search speed on a 1,000-agent, 4-week roster (issue 28).

For a requester, a kind and a date, ``Store.find_swap_partners`` (what
``GET /api/v1/swaps/partners`` calls) judges every colleague as ``check_swap`` does and keeps
the legal ones. Measured: the first search after a roster change (loads every agent's rows
once per roster version), warm searches on random requesters, dates and kinds (store and the
HTTP route through the ASGI test client), and the naive peer: ``Store.check_swap`` (the cached
verdict ``POST /api/v1/swaps`` reaches, with coverage impact) for every colleague, as the agent
did by hand. Data: ``bench/api.py``'s ``make_data``. Prints figures; asserts nothing.

Run: ``python bench/partners.py [--agents 1000 --searches 60 --naive 3]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import numpy as np  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from api.config import Settings  # noqa: E402
from api.db import make_engine, migrate  # noqa: E402
from api.main import create_app  # noqa: E402
from api.store import SYSTEM, Store  # noqa: E402
from wfm.config import build_config  # noqa: E402

KINDS = ("swap", "give", "rest-day")


def bench_api_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).with_name("api.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_api"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def ms(samples: list[float]) -> str:
    values = np.array(samples) * 1000
    return (f"mean {values.mean():.1f} ms, p50 {np.percentile(values, 50):.1f}, "
            f"p99 {np.percentile(values, 99):.1f}, n={len(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=60)
    parser.add_argument("--naive", type=int, default=3)
    args = parser.parse_args()
    start = date.today() + timedelta(days=14)
    start -= timedelta(days=start.weekday())
    agents, roster, requirement = bench_api_module().make_data(args.agents, start)
    workdir = Path(tempfile.mkdtemp(prefix="wfm-bench-partners-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine, build_config({"country": ""}))
    store.import_agents(frame=agents, actor=SYSTEM, force=True)
    store.import_requirement(frame=requirement, actor=SYSTEM)
    store.import_roster(frame=roster, actor=SYSTEM, force=True)
    ids = sorted(agents["agent_id"])
    days = [start + timedelta(days=k) for k in range(1, 27)]
    rng = random.Random(5)
    cases = [(rng.choice(ids), rng.choice(KINDS), rng.choice(days))
             for _ in range(args.searches)]

    started = time.perf_counter()
    search, _ = store.find_swap_partners(requester_id=cases[0][0], kind=cases[0][1],
                                         dates=[cases[0][2]])
    cold = time.perf_counter() - started
    warm, found, checked = [], [], []
    for me, kind, day in cases:
        started = time.perf_counter()
        search, _ = store.find_swap_partners(requester_id=me, kind=kind, dates=[day])
        warm.append(time.perf_counter() - started)
        found.append(len(search.partners))
        checked.append(search.checked)
    client = TestClient(create_app(Settings(db_url=url), store=store))  # type: ignore[call-arg]
    tokens = {me: {"Authorization": f"Bearer {store.create_user(role='agent', agent_id=me)[1]}"}
              for me, _, _ in cases}
    http = []
    for me, kind, day in cases:
        started = time.perf_counter()
        answer = client.get(f"/api/v1/swaps/partners?date={day}&kind={kind}",
                            headers=tokens[me])
        http.append(time.perf_counter() - started)
        answer.raise_for_status()
    naive = []
    for me, kind, day in cases[:args.naive]:
        started = time.perf_counter()
        legal = sum(store.check_swap(kind=kind, requester_id=me, counterpart_id=other,
                                     dates=[day]).ok for other in ids if other != me)
        naive.append(time.perf_counter() - started)
        del legal
    print(f"{args.agents} agents x {len(days) + 2} days ({len(roster)} roster rows)")
    print(f"first search after a roster change (loads the rows): {cold * 1000:.1f} ms")
    print(f"search, store:        {ms(warm)}")
    print(f"search, HTTP (ASGI):  {ms(http)}")
    print(f"colleagues found per search: mean {np.mean(found):.0f}; judged by the rule "
          f"checker: mean {np.mean(checked):.0f} of {len(ids) - 1}")
    print(f"naive peer, check_swap for every colleague: {ms(naive)}")
    engine.dispose()


if __name__ == "__main__":
    main()
