"""The request verdicts and the staffing dispatcher are domain code: importing them loads no
web, database or solver package, and the rule checker does not import them back."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"ortools", "fastapi", "sqlalchemy", "starlette", "solvers", "api"}
MODULES = ("wfm.requests.status", "wfm.requests.swaps", "wfm.requests.time_off",
           "wfm.requests.time_off_impact", "wfm.requests.impact", "wfm.staffing.dispatch")


def test_verdicts_load_no_web_database_or_solver_package() -> None:
    code = (f"import importlib, json, sys\nfor m in {MODULES!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env, cwd=ROOT)
    assert not HEAVY & set(json.loads(out.stdout))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_rule_checker_does_not_import_the_verdicts() -> None:
    for path in sorted((ROOT / "wfm" / "rules").glob("*.py")):
        assert not {n for n in _imports(path) if n.startswith("wfm.requests")}, path.name
