"""The ``wfm`` console script of pyproject.toml names a function that exists.

The tests call ``wfm_cli.main.app`` directly and never the installed script, so a script line
left pointing at a moved module would pass them all and fail only after ``pip install``.
"""

from __future__ import annotations

import importlib
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_wfm_script_names_the_command_layers_main() -> None:
    module_name, _, function = PROJECT["project"]["scripts"]["wfm"].partition(":")
    assert module_name.split(".")[0] == "wfm_cli"
    assert callable(getattr(importlib.import_module(module_name), function))


def test_the_command_layer_is_packaged() -> None:
    """setuptools' ``include`` patterns (fnmatch, as ``find_packages`` applies them) take in
    every package directory of the command layer."""
    include = PROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [".".join(path.parent.relative_to(ROOT).parts)
                for path in (ROOT / "wfm_cli").rglob("__init__.py")]
    assert {"wfm_cli", "wfm_cli.commands"} <= set(packages)
    assert all(any(fnmatchcase(name, pattern) for pattern in include) for name in packages)
