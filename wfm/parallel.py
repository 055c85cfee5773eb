"""Run independent tasks (a site's plan, a what-if scenario) in parallel: on Ray when it is
installed, in this process otherwise, with the same results.

``run_tasks(fn, items)`` calls ``fn(item)`` for every item and returns one ``TaskResult`` per
item, in the items' order, holding the value or the error: a task that raises never stops the
others. ``on_done`` is called in this process as each task finishes (progress per task).

Engine
------
- **Ray** (the optional extra ``wfm[distributed]``) when it is importable and ``workers != 1``:
  a local instance sized to the machine (``workers`` CPUs, default all of them) is started for
  the call and stopped after it; ``address`` (or the environment variable ``RAY_ADDRESS``)
  connects to a running cluster instead (``ray start --head`` / KubeRay). A process that has
  already called ``ray.init`` keeps its connection. Ray is imported only here, only when used.
- **In process** when Ray is absent or ``workers == 1``: the tasks run one after another.

A cluster that cannot be reached is an error naming the address within ``connect_timeout``
seconds, never a hang: the address is probed with a TCP connection first, then ``ray.init``
is given a bounded wait (Ray itself would retry for minutes).

``fn`` and the items must be picklable for Ray: a module-level function, plain data. With
``shared``, one object (a forecast table) is put in Ray's object store once and every call
gets it as a second argument, ``fn(item, shared)``, instead of a copy per item.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wfm.errors import InvalidInput, WfmError

DEFAULT_CONNECT_TIMEOUT_SECONDS = 20.0
ENGINE_RAY = "ray"
ENGINE_IN_PROCESS = "in-process"


class ClusterUnreachable(WfmError):
    """The Ray cluster at the given address did not answer in time."""


class EngineUnavailable(WfmError):
    """A local Ray instance could not be started."""


@dataclass(frozen=True)
class TaskResult:
    """One task's outcome: ``value`` when it succeeded, else ``error`` (``Type: message``).

    ``error_type`` is the exception's class name (``InvalidInput`` for bad input), ``detail``
    the traceback of an unexpected error, ``worker`` where it ran (Ray node id prefix and
    process id, or ``local``), ``seconds`` its run time there.
    """

    index: int
    value: Any = None
    error: str | None = None
    error_type: str | None = None
    detail: str = ""
    seconds: float = 0.0
    engine: str = ENGINE_IN_PROCESS
    worker: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def ray_available() -> bool:
    """Whether Ray can be imported (the ``wfm[distributed]`` extra)."""
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def _call(fn: Callable[..., Any], item: Any, index: int, shared: Any, has_shared: bool,
          engine: str) -> TaskResult:
    """Run one task and catch its error (runs in the worker under Ray)."""
    started = time.perf_counter()
    worker = _worker_name(engine)
    try:
        value = fn(item, shared) if has_shared else fn(item)
    except Exception as error:  # a failing task is reported, never stops the others
        expected = isinstance(error, WfmError | OSError)
        return TaskResult(index=index, error=str(error) or type(error).__name__,
                          error_type=type(error).__name__,
                          detail="" if expected else traceback.format_exc(),
                          seconds=time.perf_counter() - started, engine=engine, worker=worker)
    return TaskResult(index=index, value=value, seconds=time.perf_counter() - started,
                      engine=engine, worker=worker)


def _worker_name(engine: str) -> str:
    if engine != ENGINE_RAY:
        return "local"
    import ray

    node = ray.get_runtime_context().get_node_id() or ""
    return f"{node[:8]}/{os.getpid()}"


def run_tasks(fn: Callable[..., Any], items: Iterable[Any], *, workers: int | None = None,
              address: str | None = None, on_done: Callable[[TaskResult], None] | None = None,
              shared: Any = None, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS
              ) -> list[TaskResult]:
    """``fn(item)`` (or ``fn(item, shared)``) for every item; results in the items' order.

    Parameters
    ----------
    workers
        Tasks at once: 1 runs in process; None sizes a local Ray instance to the machine (on a
        cluster: as many as it schedules).
    address
        A running Ray cluster (``host:port`` of its head, ``ray://host:10001``, ``auto``);
        default the environment variable ``RAY_ADDRESS``, else a local instance.
    on_done
        Called in this process with each ``TaskResult`` as its task finishes.

    Raises
    ------
    ClusterUnreachable
        ``address`` did not answer within ``connect_timeout`` seconds.
    InvalidInput
        ``workers`` < 1, or an address given while Ray is not installed.
    """
    tasks = list(items)
    if workers is not None and workers < 1:
        raise InvalidInput(f"workers must be >= 1, got {workers}")
    address = address or os.environ.get("RAY_ADDRESS") or None
    use_ray = workers != 1 and ray_available()
    if address and not ray_available():
        raise InvalidInput(f"a Ray cluster address was given ({address}) but Ray is not "
                           "installed: pip install 'wfm[distributed]'")
    if not use_ray:
        return _run_in_process(fn, tasks, on_done, shared, shared is not None)
    return _run_on_ray(fn, tasks, workers=workers, address=address, on_done=on_done,
                       shared=shared, connect_timeout=connect_timeout)


def engine_for(workers: int | None = None) -> str:
    """The engine ``run_tasks`` would use with ``workers``: ``ray`` or ``in-process``."""
    return ENGINE_RAY if workers != 1 and ray_available() else ENGINE_IN_PROCESS


def _run_in_process(fn: Callable[..., Any], tasks: Sequence[Any],
                    on_done: Callable[[TaskResult], None] | None, shared: Any,
                    has_shared: bool) -> list[TaskResult]:
    results = []
    for index, item in enumerate(tasks):
        result = _call(fn, item, index, shared, has_shared, ENGINE_IN_PROCESS)
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results


def _run_on_ray(fn: Callable[..., Any], tasks: Sequence[Any], *, workers: int | None,
                address: str | None, on_done: Callable[[TaskResult], None] | None,
                shared: Any, connect_timeout: float) -> list[TaskResult]:
    import ray

    started_here = connect(address, workers=workers, timeout_seconds=connect_timeout)
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(_call)
        shared_ref = ray.put(shared) if shared is not None else None
        limit = workers or len(tasks) or 1
        pending: dict[Any, int] = {}
        results: list[TaskResult | None] = [None] * len(tasks)
        queue = list(enumerate(tasks))
        while queue or pending:
            while queue and len(pending) < limit:
                index, item = queue.pop(0)
                ref = remote.remote(fn, item, index, shared_ref, shared is not None, ENGINE_RAY)
                pending[ref] = index
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                index = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as error:  # the worker died (memory, a crash): report it
                    result = TaskResult(index=index, error=f"the Ray task failed: {error}",
                                        error_type=type(error).__name__, engine=ENGINE_RAY)
                results[index] = result
                if on_done is not None:
                    on_done(result)
        return [r for r in results if r is not None]
    finally:
        if started_here:
            ray.shutdown()


def connect(address: str | None, *, workers: int | None = None,
            timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_SECONDS) -> bool:
    """Connect this process to Ray: ``address``'s cluster, else a new local instance of
    ``workers`` CPUs (default all). Returns whether it started the connection (the caller then
    shuts it down); an existing connection is kept (after ``address`` is probed).

    Raises
    ------
    ClusterUnreachable
        ``address`` refused the connection or did not answer within ``timeout_seconds``.
    """
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report over the network
    # ray.init's notes (token authentication on by default ...) would mix with our output
    logging.getLogger("ray").setLevel(logging.ERROR)
    if address:
        probe_address(address, timeout_seconds)
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                               "logging_level": "ERROR", "configure_logging": False}
    if not address:
        for attempt in (1, 2):  # a raylet slow to register on a loaded machine: try again
            try:
                ray.init(num_cpus=workers or os.cpu_count() or 1, **options)
                return True
            except Exception as error:  # Ray raises a bare Exception on a start-up timeout
                ray.shutdown()
                if attempt == 2:
                    raise EngineUnavailable(
                        f"could not start a local Ray instance ({error}); --workers 1 runs "
                        "in this process instead") from None
        return True
    outcome: dict[str, BaseException | bool] = {}

    def init() -> None:
        try:
            ray.init(address=address, **options)
            outcome["ok"] = True
        except BaseException as error:  # reported to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=init, name="wfm-ray-connect", daemon=True)
    thread.start()
    thread.join(timeout_seconds)
    if "ok" in outcome:
        return True
    reason = outcome.get("error")
    raise ClusterUnreachable(
        f"cannot connect to the Ray cluster at {address}: "
        + (f"{reason}" if reason is not None else
           f"no answer from a Ray head within {timeout_seconds:g} s")
        + " (start it with `ray start --head`, or check --address / RAY_ADDRESS; a cluster "
        "with token authentication also needs RAY_AUTH_MODE=token here)")


def probe_address(address: str, timeout_seconds: float) -> None:
    """A TCP connection to ``host:port`` (``ray://`` addresses too) within the timeout;
    ``auto`` / ``local`` are left to Ray (they name a cluster on this machine)."""
    if address in ("auto", "local"):
        return
    text = address.removeprefix("ray://")
    host, _, port_text = text.rpartition(":")
    if not host or not port_text.isdigit():
        raise InvalidInput(f"Ray cluster address must be host:port (or ray://host:port, "
                           f"auto), got {address!r}")
    try:
        socket.create_connection((host, int(port_text)), timeout=timeout_seconds).close()
    except OSError as error:
        raise ClusterUnreachable(
            f"cannot reach the Ray cluster at {address}: {error.strerror or error} (start it "
            "with `ray start --head`, or check --address / RAY_ADDRESS)") from None


class TaskFailed(WfmError):
    """A task of a ``task_map`` run raised: its message names the task and the error."""


def task_map(*, workers: int | None = None, address: str | None = None
             ) -> Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]:
    """``map_tasks(fn, items) -> values`` on ``run_tasks`` for callers that need every value
    (the roster solver's team tasks, ``solvers.roster.team_tasks``): the first failed task
    raises ``TaskFailed`` naming it, since a roster without one team is no roster."""

    def map_tasks(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        results = run_tasks(fn, items, workers=workers, address=address)
        for result in results:
            if not result.ok:
                raise TaskFailed(f"task {result.index + 1} of {len(results)} failed on "
                                 f"{result.engine}: {result.error}\n{result.detail}".rstrip())
        return [result.value for result in results]

    return map_tasks
