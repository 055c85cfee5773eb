"""A bounded pool of solve workers: claims queued jobs and runs each in its own process.

The same pool runs inside the web server (``[api] max_concurrent_solves`` slots, started by
a solve submitted to it or at start-up when jobs are queued, asleep again after a minute with
nothing to run) and in ``wfm worker`` (``--concurrency`` slots, on this host or another one
against the same database, polling until stopped).

Design: one light dispatcher thread claims a job per free slot (``api.store.jobs``: an atomic
conditional UPDATE) and starts ``python -m api.solve_child`` for it. The child opens the
database itself, solves and stores the roster with the job's ``done`` in one transaction. The
dispatcher heartbeats each job it holds every ``heartbeat_seconds`` while its child lives, so a
solve's CPU and memory are never the server's: the server stays responsive and gets the
memory back when the child exits. The child leaves when its parent dies (it checks every
second), so a killed worker leaves no solve behind, and the job it held is recovered:

- at start-up and every few seconds, ``Jobs.recover`` queues again (or fails, after
  ``[api] solve_attempts`` starts) every running job whose claimer stopped heartbeating for
  ``stale_seconds`` or whose process on this host is gone;
- a clean stop (the server's shutdown, ``wfm worker`` on SIGTERM) ends its children and gives
  their jobs back to the queue at their old position.

An in-memory SQLite database cannot be opened by another process: there (tests only) a job runs
in a thread of this process instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from api.store import Store
from api.store.jobs import Claimed, claim_token

LOG = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0  # a held job's heartbeat period
STALE_SECONDS = 30.0  # no heartbeat for this long: the claimer is gone (six missed beats)
POLL_SECONDS = 2.0  # how often an idle pool looks for jobs submitted elsewhere
STOP_GRACE_SECONDS = 10.0  # a child's time to end on SIGTERM before it is killed
SERVER_LINGER_SECONDS = 60.0  # the server's dispatcher sleeps after this long with no job
SOURCE_ROOT = Path(__file__).resolve().parent.parent  # the child imports this same code


def default_slots() -> int:
    """``max(1, CPUs - 1)``: a roster solve keeps about one core busy (its search is one
    thread; the bound searches beside it are short), so one core is left for the web server."""
    return max(1, (os.cpu_count() or 1) - 1)


def server_slots(store: Store) -> int:
    """The web server's ``[api] max_concurrent_solves`` (absent: ``default_slots``)."""
    configured = store.config.api.max_concurrent_solves
    return default_slots() if configured is None else configured


class Run(Protocol):
    """A job being solved: a child process, or a thread for an in-memory database."""

    def poll(self) -> int | None: ...

    def stop(self) -> None: ...


class ChildRun:
    """``python -m api.solve_child`` for one claimed job."""

    def __init__(self, url: str, claimed: Claimed) -> None:
        path = os.environ.get("PYTHONPATH", "")
        env = {**os.environ, "WFM_DB_URL": url,  # not on the command line: it may hold a password
               "PYTHONPATH": os.pathsep.join(p for p in (str(SOURCE_ROOT), path) if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.solve_child", claimed.job_id, claimed.token,
             str(os.getpid())], env=env, stdin=subprocess.DEVNULL,
            start_new_session=True)  # a terminal's Ctrl-C reaches the worker, which ends it

    def poll(self) -> int | None:
        return self.process.poll()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ThreadRun:
    """The job solved in a thread of this process (in-memory databases only)."""

    def __init__(self, store: Store, claimed: Claimed) -> None:
        from api.solve import run_job

        self.code: int | None = None

        def work() -> None:
            run_job(store, claimed)
            self.code = 0

        self.thread = threading.Thread(target=work, name=f"solve-{claimed.job_id}", daemon=True)
        self.thread.start()

    def poll(self) -> int | None:
        return self.code

    def stop(self) -> None:  # a thread cannot be stopped; its job is given back regardless
        pass


def in_memory(url: str) -> bool:
    return url.startswith("sqlite") and (":memory:" in url or url in ("sqlite://", "sqlite:///"))


@dataclass
class Held:
    claimed: Claimed
    run: Run
    beat_at: float = field(default_factory=time.monotonic)


class SolvePool:
    """Claim queued jobs into ``slots`` child processes, heartbeat them, recover lost ones.

    Parameters
    ----------
    store
        The database (its ``jobs``); its configuration is not used for solving (each job
        carries the configuration it was submitted under).
    slots
        Jobs run at once.
    url
        The database URL the children open (default: the store's engine's).
    launcher
        Starts a claimed job (default: ``ChildRun``, or ``ThreadRun`` in memory).
    linger_seconds
        A dispatcher started by ``notify`` leaves after this long with nothing to run (the
        next ``notify`` starts it again); None: it runs until ``stop``.
    """

    def __init__(self, store: Store, slots: int, *, url: str | None = None,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 stale_seconds: float = STALE_SECONDS,
                 poll_seconds: float = POLL_SECONDS,
                 launcher: Callable[[str, Claimed], Run] | None = None,
                 linger_seconds: float | None = None) -> None:
        self.store = store
        self.linger_seconds = linger_seconds
        self.launcher = launcher
        self.slots = slots
        self.url = url or store.unit.engine.url.render_as_string(hide_password=False)
        self.heartbeat_seconds = heartbeat_seconds
        self.stale = timedelta(seconds=stale_seconds)
        self.poll_seconds = poll_seconds
        self.held: dict[str, Held] = {}
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.recovered_at = 0.0

    # ---- control -------------------------------------------------------------------------
    def recover(self) -> list[tuple[str, str]]:
        """Queue again (or fail) the jobs whose worker is gone (see ``Jobs.recover``)."""
        self.recovered_at = time.monotonic()
        return self.store.jobs.recover(stale=self.stale,
                                       max_attempts=self.store.config.api.solve_attempts)

    def notify(self) -> None:
        """A job was queued: start the dispatcher if needed and wake it."""
        if self.slots <= 0:
            return
        with self.lock:  # the same lock under which an idle dispatcher decides to leave
            self.wake.set()
            if self.thread is None or not self.thread.is_alive():
                self.stopping.clear()
                self.thread = threading.Thread(target=self.run, name="solve-pool", daemon=True)
                self.thread.start()

    def stop(self) -> None:
        """End every child and give its job back to the queue; stop the dispatcher."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(STOP_GRACE_SECONDS + 5)

    # ---- the dispatcher ------------------------------------------------------------------
    def run(self, *, drain: bool = False) -> None:
        """Dispatch until ``stop`` (or, with ``drain``, until nothing is queued or running)."""
        idle_since: float | None = None
        try:
            while not self.stopping.is_set():
                try:
                    self.step()
                except Exception:  # the database busy or away for a moment: try again
                    LOG.exception("solve pool: a round failed; retrying")
                if drain and not self.held:
                    return
                if self.held or self.linger_seconds is None:
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > self.linger_seconds:
                    with self.lock:
                        if not self.wake.is_set():  # else a job was just queued: go on
                            self.thread = None
                            return
                self.wake.wait(self.poll_seconds if not self.held else
                               min(self.poll_seconds, 0.5))
                self.wake.clear()
        finally:
            self._give_back_all()

    def step(self) -> None:
        """One round: reap finished children, heartbeat, recover, fill free slots."""
        self._reap()
        self._heartbeat()
        if time.monotonic() - self.recovered_at > self.stale.total_seconds() / 3:
            self.recover()
        while len(self.held) < self.slots and not self.stopping.is_set():
            claimed = self.store.jobs.claim(token=claim_token())
            if claimed is None:
                break
            self.held[claimed.job_id] = Held(claimed, self._launch(claimed))

    def _launch(self, claimed: Claimed) -> Run:
        if self.launcher is not None:  # e.g. a Ray task (api.solve_ray)
            return self.launcher(self.url, claimed)
        if in_memory(self.url):
            return ThreadRun(self.store, claimed)
        return ChildRun(self.url, claimed)

    def _reap(self) -> None:
        for job_id, held in list(self.held.items()):
            code = held.run.poll()
            if code is None or self.stopping.is_set():  # stopping: given back, not failed
                continue
            del self.held[job_id]
            if code != 0:  # it died without recording an outcome (killed, out of memory)
                self.store.jobs.fail(job_id=job_id, token=held.claimed.token,
                                     error=f"the solve process ended with exit code {code} "
                                           "before it finished")

    def _heartbeat(self) -> None:
        now = time.monotonic()
        for job_id, held in list(self.held.items()):
            if now - held.beat_at < self.heartbeat_seconds:
                continue
            held.beat_at = now
            if not self.store.jobs.heartbeat(job_id=job_id, token=held.claimed.token):
                held.run.stop()  # recovered elsewhere: this solve would store nothing
                del self.held[job_id]

    def _give_back_all(self) -> None:
        for job_id, held in list(self.held.items()):
            held.run.stop()
            with contextlib.suppress(Exception):  # the database may be gone at shutdown
                self.store.jobs.give_back(job_id=job_id, token=held.claimed.token)
            del self.held[job_id]


# ---- the web server's pool, one per store ------------------------------------------------
_SERVER_POOLS: weakref.WeakKeyDictionary[Store, SolvePool] = weakref.WeakKeyDictionary()
_POOLS_LOCK = threading.Lock()


def pool_for(store: Store) -> SolvePool:
    """The web server's pool on ``store`` (made on first use)."""
    with _POOLS_LOCK:
        pool = _SERVER_POOLS.get(store)
        if pool is None:
            pool = _SERVER_POOLS[store] = SolvePool(store, server_slots(store),
                                                    linger_seconds=SERVER_LINGER_SECONDS)
        return pool


def notify(store: Store) -> None:
    """A job was queued on ``store``: let the server's pool run it when a slot is free."""
    pool_for(store).notify()


def start_up(store: Store) -> list[tuple[str, str]]:
    """At the server's start: recover the jobs a restart cut off, and start the pool when
    jobs are waiting. Returns what was recovered."""
    pool = pool_for(store)
    recovered = pool.recover()
    if store.jobs.counts().get("queued", 0):
        pool.notify()
    return recovered
