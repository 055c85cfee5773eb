"""One claimed solve job, in its own process: ``python -m api.solve_child JOB TOKEN PARENT``.

Started by ``api.solve_pool`` with the database URL in ``WFM_DB_URL``. It reads the job, opens
a store with the site configuration the job was submitted under, solves, and stores the roster
and the job's ``done`` in one transaction (or the job's ``failed`` with the reason). Its parent
holds the claim and heartbeats it; when the parent dies this process leaves too (checked every
second), so a killed worker leaves no solve running whose job was handed to another.
"""

from __future__ import annotations

import os
import sys
import threading
import time

WATCH_SECONDS = 1.0


def watch_parent(parent_pid: int) -> None:
    """Exit at once (status 3) when the parent process is gone."""
    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(3)
            time.sleep(WATCH_SECONDS)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def run_claimed(url: str, job_id: str, token: str) -> str:
    """Solve the job ``job_id`` held under ``token`` on the database at ``url``; returns its
    final status (``lost`` when the claim is no longer ours). Also what a Ray task runs."""
    from api.db import make_engine
    from api.solve import job_config, run_job
    from api.store import Store
    from api.store.jobs import Claimed
    from wfm.config import SiteConfig

    engine = make_engine(url)
    try:
        bare = Store(engine, SiteConfig())
        job = bare.jobs.get(job_id=job_id)
        if job.status != "running" or job.claimed_by != token:
            return "lost"  # recovered or given back meanwhile: nothing to do
        try:
            config = job_config(job.payload) or SiteConfig()
        except Exception as error:  # noqa: BLE001 - a job records any failure
            bare.jobs.fail(job_id=job_id, token=token, error=f"the job's configuration: {error}")
            return "failed"
        return run_job(Store(engine, config), Claimed(job_id, token, job.payload, job.attempts))
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    job_id, token, parent = argv
    watch_parent(int(parent))
    run_claimed(os.environ["WFM_DB_URL"], job_id, token)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
