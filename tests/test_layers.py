"""The import graph of the project's own modules: dependencies point one way, and no circles.

DESIGN.md, "Layout": ``wfm`` (the domain) is the bottom floor, ``solvers`` stands on it, ``api``
on both, and the command layer (``wfm_cli``: the CLI and the demo) on all three. The graph is
read from the source with ``ast``, so it holds every ``import`` and ``from ... import``: those at
the top of a module, inside functions (the lazy imports that keep ``wfm --help`` fast) and under
``if TYPE_CHECKING:`` alike. An import the interpreter only runs later still makes one module
depend on another.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = "wfm_cli"
# what each package may import (itself included); anything else is an arrow pointing back up
MAY_IMPORT = {
    "wfm": {"wfm"},
    "solvers": {"solvers", "wfm"},
    "api": {"api", "solvers", "wfm"},
    COMMANDS: {COMMANDS, "api", "solvers", "wfm"},
}
KNOWN_CIRCLES: set[frozenset[str]] = set()


def module_files() -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package is its ``__init__``)."""
    modules = {}
    for package in MAY_IMPORT:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported(module: str, path: Path, modules: set[str]) -> set[str]:
    """The project modules ``module`` imports (relative imports resolved).

    A name maps to the longest project module it names: ``from wfm.kpi import compute`` imports
    ``wfm.kpi.compute``, ``from wfm.kpi import KPIS`` imports ``wfm.kpi`` (the package's
    ``__init__``), ``import solvers.roster.solve`` imports ``solvers.roster.solve``. Parent
    packages that Python initialises on the way are not counted, so a package ``__init__`` that
    imports its own submodules makes a circle only when a submodule imports the package back.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names += [f"{base}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        parts = name.split(".")
        prefixes = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
        target = next((prefix for prefix in prefixes if prefix in modules), None)
        if target is not None and target != module:
            found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    files = module_files()
    return {module: imported(module, path, set(files)) for module, path in files.items()}


def top(module: str) -> str:
    return module.partition(".")[0]


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            step = next(successors, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_dependencies_point_one_way() -> None:
    """The domain imports neither the solvers, the service nor the commands; the solvers not the
    service nor the commands; the service not the commands."""
    graph = import_graph()
    back_up = sorted(f"{module} imports {target}" for module, targets in graph.items()
                     for target in targets if top(target) not in MAY_IMPORT[top(module)])
    assert not back_up, "imports pointing back up the layers:\n" + "\n".join(back_up)


def test_no_two_modules_import_each_other() -> None:
    found = [component for component in circles(import_graph())
             if frozenset(component) not in KNOWN_CIRCLES]
    assert not found, "import circles:\n" + "\n".join(
        " <-> ".join(sorted(component)) for component in found)


def test_the_graph_sees_every_kind_of_import() -> None:
    """The check is live: a lazy import inside a function and an import under TYPE_CHECKING
    are edges, and a package ``__init__`` importing its submodules is not a circle."""
    graph = import_graph()
    assert "solvers.roster" in graph["wfm_cli.commands.roster"]  # inside the command body
    assert "api.config" in graph["wfm_cli.commands.serve"]  # under TYPE_CHECKING as well
    assert "wfm.table_spec" in graph["wfm.csv_reader"]  # TYPE_CHECKING only
    assert "wfm.kpi.compute" in graph["wfm.kpi"]
    assert not any("wfm.kpi" in component for component in circles(graph))


def test_circles_finds_a_circle_and_resolves_relative_imports(tmp_path: Path) -> None:
    """The two helpers on hand-made input (the project itself has no circle and no relative
    import left to show them working)."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert circles({"a": {"b"}, "b": set()}) == []
    (tmp_path / "m.py").write_text("def f():\n    from .. import x\n    from .y import z\n")
    modules = {"pkg", "pkg.x", "pkg.sub", "pkg.sub.m", "pkg.sub.y"}
    assert imported("pkg.sub.m", tmp_path / "m.py", modules) == {"pkg.x", "pkg.sub.y"}
