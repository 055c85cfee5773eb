"""What the server benchmarks share: a free port, a real ``wfm serve`` started and waited for,
and a process's CPU time and memory from Linux ``/proc``.

Imported by ``bench/api.py``, ``bench/jobs.py`` and ``bench/rta.py`` before they drop this
folder from ``sys.path`` (it holds ``bench/api.py``, named like the ``api`` package).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

START_SECONDS = 300.0  # a loaded machine may take long to import and migrate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db_url: str, config: Path, *, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """``wfm serve`` on ``db_url`` with the site file ``config`` on a free port, once its
    ``/healthz`` answers: the process and its base URL. Raises if it does not come up."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "wfm_cli", "serve", "--db", db_url,
                               "--port", str(port), "--config", str(config)], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + START_SECONDS
    while time.monotonic() < end and server.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    server.wait()
    raise SystemExit(f"wfm serve on {db_url} did not answer /healthz within "
                     f"{START_SECONDS:.0f} s (exit code {server.returncode})")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
