"""Optional: ``wfm worker --ray`` runs each claimed solve job as a Ray task.

Ray is imported only here and only when asked for (``pip install 'wfm[distributed]'``). The
worker stays the claimer: it heartbeats the jobs and gives them back on SIGTERM (cancelling
their tasks) exactly as with local processes; the task itself is ``api.solve_child
.run_claimed``, which opens the database by URL, solves and stores. A task is never retried
by Ray (``max_retries=0``): a job cut off is recovered through the queue, counted in its
attempts. When the worker dies, Ray ends the tasks it owns.

A local Ray instance is started when neither ``--address`` nor ``RAY_ADDRESS`` names a
cluster; a named cluster that cannot be reached is an error naming the address (checked with
a 5 s TCP connection first, so it never hangs). On a real cluster every node needs wfm
installed (the tasks import ``api``) and must reach the database.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from api.solve_pool import SOURCE_ROOT, Run
from api.store.jobs import Claimed
from wfm.errors import InvalidInput

CONNECT_TIMEOUT_SECONDS = 5.0


class RayRun:
    """One job's Ray task."""

    def __init__(self, ray: Any, remote: Any, url: str, claimed: Claimed) -> None:
        self.ray = ray
        self.ref = remote.remote(url, claimed.job_id, claimed.token)

    def poll(self) -> int | None:
        ready, _ = self.ray.wait([self.ref], timeout=0)
        if not ready:
            return None
        try:
            self.ray.get(self.ref)
        except Exception:  # noqa: BLE001 - the task died (its job is failed by the pool)
            return 1
        return 0

    def stop(self) -> None:
        self.ray.cancel(self.ref, force=True)


def check_reachable(address: str) -> None:
    """Refuse an address whose host does not answer within a few seconds."""
    if address in ("auto", "local"):
        return
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise InvalidInput(f"--address: expected HOST:PORT or ray://HOST:PORT, got {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_SECONDS).close()
    except OSError as error:
        raise InvalidInput(f"--address: cannot reach the Ray cluster at {address} "
                           f"({error.strerror or error})") from None


def ray_launcher(address: str | None) -> Callable[[str, Claimed], Run]:
    """Connect to Ray (a local instance without an address) and return the pool's launcher."""
    try:
        import ray
    except ImportError:
        raise InvalidInput("--ray needs Ray: pip install 'wfm[distributed]'") from None
    from api.solve_child import run_claimed

    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        check_reachable(address)
    path = os.pathsep.join(p for p in (str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    ray.init(address=address, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path}}, ignore_reinit_error=True)
    remote = ray.remote(num_cpus=1, max_retries=0)(run_claimed)

    def launch(url: str, claimed: Claimed) -> Run:
        return RayRun(ray, remote, url, claimed)

    return launch
