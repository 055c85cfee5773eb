"""The everyday commands import neither the solver nor the web service.

Each command runs to completion in a fresh interpreter (the import state of this test process
says nothing), on the bundled fixtures; the modules loaded by then are listed. OR-Tools, FastAPI
and SQLAlchemy (and the ``solvers`` and ``api`` packages that wrap them) cost most of a second
at start-up and belong to ``wfm roster``, ``wfm serve`` and ``wfm users`` only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
HEAVY = ("ortools", "fastapi", "sqlalchemy", "starlette", "uvicorn", "alembic", "solvers",
         "api")

RUN = """
import json, sys
from wfm_cli.main import app
code = 0
try:
    app(args=sys.argv[2:], prog_name="wfm")
except SystemExit as stop:
    code = stop.code or 0
loaded = sorted({name.split(".")[0] for name in sys.modules})
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": loaded}, out)
"""


def loaded_by(arguments: list[str], folder: Path) -> tuple[int, set[str]]:
    report = folder / "modules.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", RUN, str(report), *arguments], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=300)
    assert report.exists(), done.stderr
    figures = json.loads(report.read_text())
    return figures["code"], set(figures["modules"])


COMMANDS = {
    "help": ["--help"],
    "erlang": ["erlang", "--contacts", "100", "--aht-seconds", "300", "--agents", "30"],
    "forecast": ["forecast", "--history", str(FIXTURES / "history.csv"), "--start",
                 "2026-11-23", "--weeks", "1", "-o", "forecast.csv", "--config",
                 str(FIXTURES / "site.toml")],
    "staff": ["staff", "--forecast", "forecast.csv", "-o", "requirement.csv", "--config",
              str(FIXTURES / "site.toml")],
    "adherence": ["adherence", "--roster", str(FIXTURES / "roster_week.csv"), "--events",
                  str(FIXTURES / "events.csv"), "-o", "adherence.csv", "--config",
                  str(FIXTURES / "site.toml")],
    "check-roster": ["check-roster", "--roster", str(FIXTURES / "roster_week.csv"),
                     "--agents", str(FIXTURES / "agents.csv"), "--config",
                     str(FIXTURES / "site.toml")],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("imports")


@pytest.mark.parametrize("name", list(COMMANDS))  # forecast before staff: staff reads its output
def test_everyday_commands_load_no_solver_and_no_web_service(name: str, folder: Path) -> None:
    code, modules = loaded_by(COMMANDS[name], folder)
    assert code in (0, 1), f"wfm {name} exited with {code}"  # check-roster: 1 on violations
    assert not modules & set(HEAVY), f"wfm {name} imported {sorted(modules & set(HEAVY))}"


@pytest.mark.parametrize("name", ["help", "erlang"])
def test_help_and_erlang_load_no_table_machinery(name: str, folder: Path) -> None:
    """--help needs neither pandas nor pydantic; erlang needs numpy and the settings only."""
    code, modules = loaded_by(COMMANDS[name], folder)
    assert code == 0
    assert not modules & {"pandas", "pyarrow", "matplotlib", "scipy"}
    if name == "help":
        assert not modules & {"numpy", "pydantic", "holidays"}


def test_the_check_sees_a_heavy_import(folder: Path) -> None:
    """The subprocess report is live: a command that does load OR-Tools shows it."""
    code, modules = loaded_by(["users", "--help"], folder)
    assert code == 0
    _, solver = loaded_by(["roster", "--help"], folder)
    assert "wfm" in modules and "typer" in solver
    probe = folder / "probe.py"
    probe.write_text("import ortools.sat.python.cp_model\n")
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{folder}")
    report = folder / "modules.json"
    subprocess.run([sys.executable, "-c", "import probe\n" + RUN, str(report), "--help"],
                   cwd=folder, env=env, check=True, capture_output=True, timeout=300)
    assert "ortools" in json.loads(report.read_text())["modules"]
