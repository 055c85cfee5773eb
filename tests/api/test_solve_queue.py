"""The durable solve queue (``api.store.jobs``) and its pool (``api.solve_pool``): exclusive
claims under concurrency, queue positions, the bound on solves at once, recovery of jobs a
restart cut off, and ``wfm worker`` running jobs in other processes (killed, stopped, drained).

No test depends on the machine's speed: the pool's rounds are driven by hand where timing
would matter, and waits on real processes poll with generous deadlines.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text, update

from api.config import Settings
from api.db import make_engine, migrate
from api.main import create_app
from api.models import SolveJob
from api.solve_pool import SolvePool
from api.store import SYSTEM, Store
from api.store.jobs import Claimed, claim_token
from tests.api.factories import (
    Site,
    agents_csv,
    make_site,
    requirement_csv,
    set_now,
    site_config,
)

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("WFM_TEST_POSTGRES_URL")
DEADLINE_SECONDS = 180  # waits on real processes: generous for a loaded CI machine


def queue_store(url: str) -> Store:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    return Store(engine, site_config())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES, reason="set WFM_TEST_POSTGRES_URL to run on PostgreSQL"))])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'queue.db'}" if request.param == "sqlite" else POSTGRES or ""


# ---- claiming --------------------------------------------------------------------------------
def test_claim_is_exclusive_under_concurrency(db_url: str) -> None:
    """Eight claimers, each with its own engine (its own connections, as separate processes
    would have), race for 40 jobs: every job is claimed exactly once."""
    store = queue_store(db_url)
    ids = [store.create_job(actor=SYSTEM).id for _ in range(40)]
    claimed: list[list[str]] = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def claimer(k: int) -> None:
        own = Store(make_engine(db_url), site_config())
        barrier.wait()
        while (job := own.jobs.claim(token=f"test:{k}:{k}")) is not None:
            claimed[k].append(job.job_id)
        own.unit.engine.dispose()

    threads = [threading.Thread(target=claimer, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [job_id for mine in claimed for job_id in mine]
    assert sorted(every) == sorted(ids)  # each once: no job lost, none taken twice
    for k, mine in enumerate(claimed):
        for job_id in mine:
            job = store.get_job(job_id=job_id)
            assert (job.status, job.claimed_by, job.attempts) == ("running", f"test:{k}:{k}", 1)
    store.unit.engine.dispose()


def test_claims_take_jobs_in_queue_order_and_positions_follow(site: Site) -> None:
    jobs = [site.store.create_job(actor=SYSTEM).id for _ in range(3)]

    def position(job_id: str) -> int | None:
        answer = site.client.get(f"/api/v1/jobs/{job_id}", headers=site.planner).json()
        return answer["position"]

    assert [position(j) for j in jobs] == [1, 2, 3]
    first = site.store.jobs.claim(token=claim_token())
    assert first is not None and first.job_id == jobs[0]
    answer = site.client.get(f"/api/v1/jobs/{jobs[0]}", headers=site.planner).json()
    assert (answer["status"], answer["position"], answer["attempts"]) == ("running", None, 1)
    assert [position(j) for j in jobs[1:]] == [1, 2]


def test_a_lost_claim_stores_nothing(site: Site) -> None:
    """A worker whose job was recovered meanwhile can neither heartbeat nor finish it."""
    job_id = site.store.create_job(actor=SYSTEM).id
    claimed = site.store.jobs.claim(token="gone:1:a")  # a worker on another host
    assert claimed is not None
    assert site.store.jobs.recover(stale=timedelta(seconds=30), max_attempts=2) == []
    set_now(site, site.store.clock().replace(tzinfo=UTC) + timedelta(seconds=31))
    assert site.store.jobs.recover(stale=timedelta(seconds=30), max_attempts=2) == [
        (job_id, "queued")]  # no heartbeat for longer than ``stale``
    assert not site.store.jobs.heartbeat(job_id=job_id, token="gone:1:a")
    assert not site.store.jobs.fail(job_id=job_id, token="gone:1:a", error="late")
    assert site.store.get_job(job_id=job_id).status == "queued"


# ---- the bound on solves at once ---------------------------------------------------------
class HeldRun:
    """A solve that runs until told otherwise (no process, no clock)."""

    def __init__(self) -> None:
        self.code: int | None = None
        self.stopped = False

    def poll(self) -> int | None:
        return self.code

    def stop(self) -> None:
        self.stopped = True


class CountingPool(SolvePool):
    def __init__(self, store: Store, slots: int) -> None:
        super().__init__(store, slots)
        self.runs: dict[str, HeldRun] = {}

    def _launch(self, claimed: Claimed) -> HeldRun:  # type: ignore[override]
        self.runs[claimed.job_id] = HeldRun()
        return self.runs[claimed.job_id]


def test_max_concurrent_solves_bounds_the_running_jobs(site: Site) -> None:
    slots = 2
    pool = CountingPool(site.store, slots)
    jobs = [site.store.create_job(actor=SYSTEM).id for _ in range(slots + 2)]
    pool.step()
    pool.step()  # a second round claims nothing more while the slots are full
    statuses = [site.client.get(f"/api/v1/jobs/{j}", headers=site.planner).json()
                for j in jobs]
    assert [(s["status"], s["position"]) for s in statuses] == [
        ("running", None), ("running", None), ("queued", 1), ("queued", 2)]
    assert sorted(pool.runs) == sorted(jobs[:2])
    site.store.jobs.fail(job_id=jobs[0], token=pool.held[jobs[0]].claimed.token, error="x")
    pool.runs[jobs[0]].code = 0  # the first solve ends: its slot takes the next job
    pool.step()
    assert [site.store.get_job(job_id=j).status for j in jobs] == [
        "failed", "running", "running", "queued"]
    assert site.client.get(f"/api/v1/jobs/{jobs[3]}", headers=site.planner).json()[
        "position"] == 1
    pool.stopping.set()
    pool._give_back_all()  # a clean stop: the running jobs go back, their attempt not counted
    assert [site.store.get_job(job_id=j).status for j in jobs] == [
        "failed", "queued", "queued", "queued"]
    assert site.store.get_job(job_id=jobs[1]).attempts == 0
    assert all(pool.runs[j].stopped for j in jobs[1:3])


def test_a_solve_process_that_dies_fails_its_job(site: Site) -> None:
    pool = CountingPool(site.store, 1)
    job_id = site.store.create_job(actor=SYSTEM).id
    pool.step()
    pool.runs[job_id].code = -9
    pool.step()
    job = site.store.get_job(job_id=job_id)
    assert (job.status, job.error) == (
        "failed", "the solve process ended with exit code -9 before it finished")


def test_the_server_s_default_leaves_a_core_free() -> None:
    from api.solve_pool import default_slots

    assert default_slots() == max(1, (os.cpu_count() or 1) - 1)


# ---- recovery at start-up ----------------------------------------------------------------
def set_running(engine: Engine, job_id: str, *, token: str, beat: datetime,
                attempts: int) -> None:
    """What a worker cut off mid-solve leaves in the table."""
    with engine.begin() as connection:
        connection.execute(update(SolveJob).where(SolveJob.id == job_id).values(
            status="running", claimed_by=token, heartbeat_at=beat, started_at=beat,
            attempts=attempts))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_start_up_requeues_or_fails_jobs_a_restart_cut_off(tmp_path: Path) -> None:
    # the server runs no solves itself here, so the re-queued jobs stay queued to be seen
    site = make_site(tmp_path, config=site_config(api={"max_concurrent_solves": 0}))
    store, engine = site.store, site.store.unit.engine
    now = store.clock()
    stale, retried, fresh, dead = (store.create_job(actor=SYSTEM).id for _ in range(4))
    set_running(engine, stale, token="elsewhere:41:a", beat=now - timedelta(minutes=5),
                attempts=1)
    set_running(engine, retried, token="elsewhere:42:b", beat=now - timedelta(minutes=5),
                attempts=2)
    set_running(engine, fresh, token="elsewhere:43:c", beat=now - timedelta(seconds=3),
                attempts=1)
    set_running(engine, dead, token=f"{socket.gethostname()}:{dead_pid()}:d",
                beat=now - timedelta(seconds=3), attempts=1)
    create_app(Settings(db_url=f"sqlite:///{tmp_path / 'wfm.db'}"), store=store)  # start-up
    jobs = {j: store.get_job(job_id=j) for j in (stale, retried, fresh, dead)}
    assert (jobs[stale].status, jobs[stale].claimed_by, jobs[stale].attempts) == (
        "queued", None, 1)
    assert jobs[retried].status == "failed"  # [api] solve_attempts = 2 starts, both cut off
    assert jobs[retried].error == (
        f"cut off by a restart at {(now - timedelta(minutes=5)).isoformat(sep=' ')} UTC "
        "(its worker stopped heartbeating) after 2 attempt(s); submit it again")
    assert jobs[fresh].status == "running"  # another host's worker that still heartbeats
    assert jobs[dead].status == "queued"  # this host's claimer process is gone: at once
    answer = site.client.get(f"/api/v1/jobs/{stale}", headers=site.planner).json()
    assert (answer["status"], answer["position"]) == ("queued", 1)


def test_the_job_page_polls_only_unfinished_jobs(site: Site) -> None:
    from tests.web.conftest import sign_in

    queued = site.store.create_job(actor=SYSTEM).id
    failed = site.store.create_job(actor=SYSTEM).id
    site.store.finish_job(job_id=failed, status="failed", error="cut off")
    browser = TestClient(site.client.app, base_url="https://testserver")
    sign_in(browser, site.planner["Authorization"].removeprefix("Bearer "))
    browser.cookies.set("wfm_lang", "en")
    page = browser.get(f"/planner/jobs/{queued}", headers={"hx-request": "true"}).text
    assert 'hx-trigger="every 2s"' in page
    assert "Position 1 in the queue" in page  # the failed job is not ahead of it
    page = browser.get(f"/planner/jobs/{failed}", headers={"hx-request": "true"}).text
    assert "hx-get=\"/planner/jobs/" not in page and 'id="job-position"' not in page


# ---- wfm worker on real processes ------------------------------------------------------
def queued_solve(tmp_path: Path, *, time_limit_seconds: float = 2) -> tuple[Site, str]:
    """A site whose server runs no solves ([api] max_concurrent_solves = 0), with one solve
    of the tiny test site queued."""
    site = make_site(tmp_path, load=False, config=site_config(api={"max_concurrent_solves": 0}))
    response = site.client.post("/api/v1/rosters/solve", headers=site.planner, json={
        "requirement_csv": requirement_csv(site.start), "agents_csv": agents_csv(),
        "time_limit_seconds": time_limit_seconds})
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    answer = site.client.get(f"/api/v1/jobs/{job_id}", headers=site.planner).json()
    assert (answer["status"], answer["position"]) == ("queued", 1)
    return site, job_id


@pytest.fixture
def roomy_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Solve processes started from here (the server's and a worker's) get the ``roomy_cap``
    fixture's far wall-clock cap (``roomy_cap/sitecustomize.py``): their rosters then depend on
    the inputs only, so two of them can be compared on a busy machine."""
    path = os.pathsep.join(p for p in (str(ROOT / "tests" / "api" / "roomy_cap"), str(ROOT),
                                       os.environ.get("PYTHONPATH", "")) if p)
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("WFM_TEST_ROOMY_CAP", "1")


def worker(tmp_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "wfm_cli", "worker", "--db",
            f"sqlite:///{tmp_path / 'wfm.db'}", *args]


def wait_until(check: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def roster_rows(site: Site) -> list[dict[str, str]]:
    return site.client.get("/api/v1/rosters/current", headers=site.planner).json()["rows"]


@pytest.mark.slow
def test_worker_once_drains_the_queue_with_the_in_server_roster(
        tmp_path: Path, roomy_processes: None) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    in_server = make_site(tmp_path / "a", load=False)
    response = in_server.client.post("/api/v1/rosters/solve", headers=in_server.planner, json={
        "requirement_csv": requirement_csv(in_server.start), "agents_csv": agents_csv(),
        "time_limit_seconds": 2})
    from tests.api.test_rosters import wait_for_job

    assert wait_for_job(in_server, response.json()["job_id"])["status"] == "done"
    site, job_id = queued_solve(tmp_path / "b")
    run = subprocess.run(worker(tmp_path / "b", "--once", "--format", "json"), cwd=ROOT,
                         capture_output=True, text=True, timeout=DEADLINE_SECONDS)
    assert run.returncode == 0, run.stderr
    assert '"done": 1' in run.stdout
    job = site.client.get(f"/api/v1/jobs/{job_id}", headers=site.planner).json()
    assert (job["status"], job["version"], job["error"], job["attempts"]) == ("done", 1, None, 1)
    assert roster_rows(site) == roster_rows(in_server)  # same request, same roster


def child_of(pid: int) -> int:
    """The one child process of ``pid`` (the solve it started)."""
    children: list[str] = []

    def found() -> bool:
        children[:] = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return bool(children)

    wait_until(found, "the worker's solve process")
    return int(children[0])


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_worker_killed_mid_solve_leaves_its_job_recoverable(tmp_path: Path) -> None:
    site, job_id = queued_solve(tmp_path)
    process = subprocess.Popen(worker(tmp_path, "--concurrency", "1"), cwd=ROOT,
                               stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: site.store.get_job(job_id=job_id).status == "running", "the claim")
        solve = child_of(process.pid)
        # hold the database's write lock so the solve cannot finish before the kill
        lock = sqlite3.connect(tmp_path / "wfm.db", timeout=60, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        assert lock.execute("SELECT status FROM solve_jobs WHERE id = ?",
                            (job_id,)).fetchone() == ("running",)
        process.send_signal(signal.SIGKILL)
        process.wait(DEADLINE_SECONDS)
        wait_until(lambda: gone(solve), "the orphaned solve process to leave")
        lock.execute("ROLLBACK")
        lock.close()
    finally:
        if process.poll() is None:
            process.kill()
    # what a restarted server or worker does first: the claimer's process is gone
    on_real_clock = Store(site.store.unit.engine, site_config())
    assert on_real_clock.jobs.recover(stale=timedelta(hours=1), max_attempts=2) == [
        (job_id, "queued")]
    run = subprocess.run(worker(tmp_path, "--once"), cwd=ROOT, capture_output=True, text=True,
                         timeout=DEADLINE_SECONDS)
    assert run.returncode == 0, run.stderr
    job = site.store.get_job(job_id=job_id)
    assert (job.status, job.version, job.attempts) == ("done", 1, 2)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_worker_stopped_by_sigterm_gives_its_job_back(tmp_path: Path) -> None:
    site, job_id = queued_solve(tmp_path)
    process = subprocess.Popen(worker(tmp_path, "--concurrency", "1"), cwd=ROOT,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: site.store.get_job(job_id=job_id).status == "running", "the claim")
        solve = child_of(process.pid)
        lock = sqlite3.connect(tmp_path / "wfm.db", timeout=60, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # the solve cannot finish before the signal
        process.send_signal(signal.SIGTERM)
        wait_until(lambda: gone(solve), "the solve process to end")
        lock.execute("ROLLBACK")
        lock.close()
        _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "SIGTERM: giving the running jobs back to the queue" in stderr
    job = site.store.get_job(job_id=job_id)
    assert (job.status, job.claimed_by, job.attempts) == ("queued", None, 0)


NO_RAY = importlib.util.find_spec("ray") is None
WITHOUT_RAY = "Ray is not installed (pip install 'wfm[distributed]'); the process workers run"


def without_ray_address() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}


@pytest.mark.slow
@pytest.mark.skipif(NO_RAY, reason=WITHOUT_RAY)
def test_worker_on_a_local_ray_instance_drains_the_queue(tmp_path: Path) -> None:
    site, job_id = queued_solve(tmp_path)
    run = subprocess.run(worker(tmp_path, "--once", "--ray", "--concurrency", "1"), cwd=ROOT,
                         env=without_ray_address(), capture_output=True, text=True,
                         timeout=DEADLINE_SECONDS)
    assert run.returncode == 0, run.stderr
    assert "as Ray tasks" in run.stderr
    job = site.store.get_job(job_id=job_id)
    assert (job.status, job.version, job.error) == ("done", 1, None)


@pytest.mark.skipif(NO_RAY, reason=WITHOUT_RAY)
def test_a_ray_cluster_that_cannot_be_reached_is_named(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = subprocess.run(worker(tmp_path, "--once", "--ray", "--address", f"127.0.0.1:{port}"),
                         cwd=ROOT, env=without_ray_address(), capture_output=True, text=True,
                         timeout=DEADLINE_SECONDS)
    assert run.returncode == 2
    assert f"--address: cannot reach the Ray cluster at 127.0.0.1:{port}" in run.stderr


# ---- bad input ---------------------------------------------------------------------------
def test_worker_bad_input_names_the_flag(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from wfm_cli.main import app

    runner = CliRunner()
    cases = {
        ("--db", "mysql://x"): "error: --db: must be a sqlite:// or postgresql:// URL, got "
                               "'mysql://x'",
        ("--db", f"sqlite:///{tmp_path}/no/such/dir/wfm.db"):
            f"error: --db: cannot open database file {tmp_path}/no/such/dir/wfm.db "
            "(directory does not exist)",
        ("--address", "127.0.0.1:1"): "error: --address: only with --ray",
    }
    for args, message in cases.items():
        result = runner.invoke(app, ["worker", "--once", *args])
        assert (result.exit_code, message) == (2, message) and message in result.output, (
            result.output)


def test_api_keys_are_checked_by_name(tmp_path: Path) -> None:
    from wfm.config import load_config
    from wfm.errors import InvalidInput

    for body, message in (("max_concurrent_solves = -1", "api.max_concurrent_solves: Input "
                           "should be greater than or equal to 0"),
                          ("solve_attempts = 0", "api.solve_attempts: Input should be greater "
                           "than or equal to 1"),
                          ("max_concurent_solves = 2", "api.max_concurent_solves: unknown key")):
        path = tmp_path / "site.toml"
        path.write_text(f"[api]\n{body}\n")
        with pytest.raises(InvalidInput) as error:
            load_config(path)
        assert str(error.value) == f"{path}: {message}"


def test_an_idle_server_pool_sleeps_and_wakes_for_the_next_job(site: Site) -> None:
    pool = CountingPool(site.store, 1)
    pool.linger_seconds, pool.poll_seconds = 0.0, 0.01
    pool.notify()  # nothing queued: the dispatcher leaves once it has found nothing
    first = pool.thread
    assert first is not None
    first.join(DEADLINE_SECONDS)
    assert not first.is_alive() and pool.thread is None
    job_id = site.store.create_job(actor=SYSTEM).id
    pool.notify()  # a new job wakes it
    wait_until(lambda: job_id in pool.runs, "the woken dispatcher to claim the job")
    assert site.store.get_job(job_id=job_id).status == "running"
    pool.stop()
    assert site.store.get_job(job_id=job_id).status == "queued"  # given back at the stop


# ---- cancelling ----------------------------------------------------------------------------
def test_a_planner_cancels_a_queued_or_running_solve(site: Site) -> None:
    pool = CountingPool(site.store, 1)
    pool.heartbeat_seconds = 0.0  # every round heartbeats
    running, queued = (site.store.create_job(actor=SYSTEM).id for _ in range(2))
    pool.step()
    assert [site.store.get_job(job_id=j).status for j in (running, queued)] == [
        "running", "queued"]
    for job_id in (queued, running):
        answer = site.client.post(f"/api/v1/jobs/{job_id}/cancel", headers=site.planner)
        assert (answer.status_code, answer.json()["status"]) == (200, "cancelled")
    pool.step()  # the worker's heartbeat finds its claim gone: the solve ends, nothing stored
    assert pool.runs[running].stopped and running not in pool.held
    assert not site.store.jobs.heartbeat(job_id=running, token="any")
    again = site.client.post(f"/api/v1/jobs/{running}/cancel", headers=site.planner)
    assert (again.status_code, again.json()["detail"]) == (
        409, f"job '{running}' is cancelled: only a queued or running job can be cancelled")
    unknown = site.client.post("/api/v1/jobs/nope/cancel", headers=site.planner)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "job 'nope' not found")
    agent = site.client.post(f"/api/v1/jobs/{queued}/cancel", headers=site.agents["A1"])
    assert (agent.status_code, agent.json()["detail"]) == (403, "planner role required")
    audit = site.client.get("/api/v1/audit", headers=site.planner).json()["items"]
    assert sorted(e["details"]["job_id"] for e in audit if e["action"] == "solve.cancel") == (
        sorted([queued, running]))


def test_the_job_page_cancels_a_solve(site: Site) -> None:
    from tests.web.conftest import csrf_of, sign_in

    job_id = site.store.create_job(actor=SYSTEM).id
    browser = TestClient(site.client.app, base_url="https://testserver")
    sign_in(browser, site.planner["Authorization"].removeprefix("Bearer "))
    browser.cookies.set("wfm_lang", "en")
    page = browser.get(f"/planner/jobs/{job_id}").text
    assert 'id="cancel-job"' in page
    answer = browser.post(f"/planner/jobs/{job_id}/cancel", data={"csrf": csrf_of(page)})
    assert answer.status_code == 200  # followed to the job's page
    assert "The solve was cancelled; nothing was stored." in answer.text
    assert "hx-get=\"/planner/jobs/" not in answer.text and 'id="cancel-job"' not in answer.text
    assert site.store.get_job(job_id=job_id).status == "cancelled"
