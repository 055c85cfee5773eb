"""``wfm.parallel.run_tasks``: the same results in process and on Ray, a failing task reported
while the others finish, and an unreachable cluster a clear error."""

from __future__ import annotations

import socket

import pytest

from wfm.errors import InvalidInput
from wfm.parallel import ClusterUnreachable, TaskResult, ray_available, run_tasks


def square_unless_three(x: int) -> int:
    if x == 3:
        raise InvalidInput(f"three is refused, got {x}")
    return x * x


def scaled(x: int, shared: dict[str, int]) -> int:
    return x * shared["factor"]


def test_run_tasks_keeps_order_values_and_each_error(engine: int) -> None:
    seen: list[TaskResult] = []
    results = run_tasks(square_unless_three, range(6), workers=engine, on_done=seen.append)
    assert [r.index for r in results] == list(range(6))
    assert [r.value for r in results] == [0, 1, 4, None, 16, 25]
    assert [r.ok for r in results] == [True, True, True, False, True, True]
    failed = results[3]
    assert failed.error == "three is refused, got 3" and failed.error_type == "InvalidInput"
    assert sorted(r.index for r in seen) == list(range(6))  # progress once per task
    assert {r.engine for r in results} == {"in-process" if engine == 1 else "ray"}


def test_run_tasks_passes_the_shared_object_to_every_task(engine: int) -> None:
    results = run_tasks(scaled, [1, 2, 3], workers=engine, shared={"factor": 10})
    assert [r.value for r in results] == [10, 20, 30]


def test_run_tasks_refuses_zero_workers() -> None:
    with pytest.raises(InvalidInput, match="workers must be >= 1, got 0"):
        run_tasks(square_unless_three, [1], workers=0)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


@pytest.mark.skipif(not ray_available(), reason="Ray is not installed: no cluster to reach")
def test_an_unreachable_cluster_is_an_error_naming_the_address() -> None:
    address = f"127.0.0.1:{_closed_port()}"
    with pytest.raises(ClusterUnreachable, match=f"cannot reach the Ray cluster at {address}"):
        run_tasks(square_unless_three, [1], address=address, connect_timeout=5)


@pytest.mark.skipif(not ray_available(), reason="Ray is not installed: no cluster to reach")
def test_a_malformed_cluster_address_is_bad_input() -> None:
    with pytest.raises(InvalidInput, match="address must be host:port"):
        run_tasks(square_unless_three, [1], address="headnode")
