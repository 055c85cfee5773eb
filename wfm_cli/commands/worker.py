"""``wfm worker``: run queued roster solves outside the web server, here or on another host.

It opens the same database as ``wfm serve`` (``--db`` / ``WFM_DB_URL``), recovers the jobs a
restart cut off, and runs ``--concurrency`` solves at once, each in its own process
(``api.solve_pool``), or with ``--ray`` as Ray tasks (``api.solve_ray``; a local instance, or the
cluster of ``--address`` / ``RAY_ADDRESS``). ``--once`` drains the queue and exits. SIGTERM or
Ctrl-C ends the running solves and gives their jobs back to the queue, for this or another
worker to run.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer

from wfm_cli.commands.common import FormatOption, OutputFormat, cli_errors, emit, progress
from wfm_cli.commands.serve import db_source, load_settings, open_database, shown_url

DbOption = Annotated[str | None, typer.Option(
    "--db", "--db-url", help="SQLAlchemy URL, as wfm serve's --db (default: $WFM_DB_URL or "
                             "sqlite:///./wfm.db).")]


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(db: DbOption = None,
               concurrency: Annotated[int | None, typer.Option(
                   "--concurrency", min=1, max=256,
                   help="Solves run at once (default: CPUs - 1, at least 1).")] = None,
               once: Annotated[bool, typer.Option(
                   "--once", help="Run until no job is queued or running, then exit.")] = False,
               ray: Annotated[bool, typer.Option(
                   "--ray", help="Run each solve as a Ray task (needs wfm[distributed]).")
               ] = False,
               address: Annotated[str | None, typer.Option(
                   "--address", help="Ray cluster (default: $RAY_ADDRESS, else a local "
                                     "instance); with --ray.")] = None,
               output_format: FormatOption = OutputFormat.text) -> None:
        """Run queued roster solves of the API against its database (see api/README.md)."""
        with cli_errors(output_format):
            from api.solve_pool import SolvePool, default_slots
            from api.store import Store
            from wfm.config import SiteConfig
            from wfm.errors import InvalidInput

            if address is not None and not ray:
                raise InvalidInput("--address: only with --ray")
            settings = load_settings(db_url=db)
            engine = open_database(settings.db_url, db_source(db))
            # each job carries the site configuration it was submitted under; this one only
            # gives the queue's settings ([api] solve_attempts)
            store = Store(engine, SiteConfig())
            launcher = None
            if ray:
                from api.solve_ray import ray_launcher

                launcher = ray_launcher(address)
            pool = SolvePool(store, concurrency or default_slots(), url=settings.db_url,
                             launcher=launcher)
            recovered = pool.recover()
            before = store.jobs.counts()
            progress(f"wfm worker: {shown_url(settings.db_url)}, {pool.slots} solve(s) at once"
                     + (" as Ray tasks" if ray else "")
                     + (f"; recovered {len(recovered)} job(s) cut off by a restart"
                        if recovered else ""))

            def stop(signum: int, _frame: FrameType | None) -> None:
                progress(f"wfm worker: {signal.Signals(signum).name}: giving the running "
                         "jobs back to the queue")
                pool.stopping.set()
                pool.wake.set()

            previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
            try:
                pool.run(drain=once)
            finally:
                for s, handler in previous.items():
                    signal.signal(s, handler)
                after = store.jobs.counts()
                engine.dispose()
            summary = {"recovered": [{"job_id": j, "status": s} for j, s in recovered],
                       "done": after.get("done", 0) - before.get("done", 0),
                       "failed": after.get("failed", 0) - before.get("failed", 0),
                       "queued": after.get("queued", 0), "running": after.get("running", 0)}
            emit(summary, output_format,
                 f"wfm worker: {summary['done']} done, {summary['failed']} failed; "
                 f"{summary['queued']} queued, {summary['running']} running")
