"""The package's import graph has no cycle among the imports that run at import time.

Every module of lifeos_desk is parsed with ``ast`` (nothing is imported), its
relative imports resolved, and a cycle fails the test with its modules named.

Only imports that run while a module is being imported count: those in the
module body and in class bodies, in ``if``/``try``/``with`` blocks too, but
not inside functions and not under ``if TYPE_CHECKING:``. Why:
- A cycle of such imports is the one that breaks start-up: whichever module
  is imported first sees the other half-initialised, and ``from x import
  name`` fails or not depending on which entry point ran.
- An import inside a function runs after every module has loaded; it is how
  a heavy import is deferred (cli.main imports app only to open the window).
  A cycle through one that crosses layers is import-linter's to catch, and
  it does, since its layers contract (pyproject.toml) counts function-level
  imports too: the old start-up cycle, app importing cli at the top and cli
  importing app inside main(), was exactly that ("lifeos_desk.app is not
  allowed to import lifeos_desk.cli").
- Inside one layer, a registry that imports its entries inside functions
  while they import a helper from it (ui.areas and the area packages) is
  not a start-up hazard, so it is not failed here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import lifeos_desk

Graph = dict[str, set[str]]


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> source file, for every .py file under the package folder ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_time_statements(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements of a body that run when the module is imported."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from import_time_statements(node.body)
            yield from import_time_statements(node.orelse)
        elif isinstance(node, ast.ClassDef):
            yield from import_time_statements(node.body)
        else:  # try, with, for, while, match: every nested block may run
            for field in ("body", "orelse", "finalbody"):
                yield from import_time_statements(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from import_time_statements(handler.body)
            for case in getattr(node, "cases", []):
                yield from import_time_statements(case.body)


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names (its relative dots resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    package = parts if is_package else parts[:-1]
    anchor = package[:len(package) - (node.level - 1)]
    return ".".join([*anchor, node.module] if node.module else anchor)


def targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The package's modules whose code this statement runs (or whose finished body it needs).

    ``from pkg import sub`` needs the submodule; it needs ``pkg`` itself when a
    name comes from its ``__init__`` or when ``pkg`` is not an ancestor of the
    importer (an ancestor is always imported first, and loading a submodule
    while its ``__init__`` runs is fine).
    """
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = _base(module, is_package, node)
    found = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known}
    names_from_init = len(found) < len(node.names)
    ancestor = module.startswith(base + ".") or module == base
    if base in known and base != module and (names_from_init or not ancestor):
        found.add(base)
    return found


def import_graph(root: Path, package: str) -> Graph:
    """module -> the package's modules it imports at import time."""
    files = module_files(root, package)
    known = set(files)
    graph: Graph = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[module] = set()
        for node in import_time_statements(tree.body):
            graph[module] |= targets(module, is_package, node, known)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (a → … → a) for each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, set(group)) for group in groups]


def _cycle_in(graph: Graph, group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    nxt_frontier.append(nxt)
        frontier = nxt_frontier
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover - a group always has one


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


PACKAGE_ROOT = Path(lifeos_desk.__file__).parent


def test_the_package_has_no_import_time_cycle() -> None:
    graph = import_graph(PACKAGE_ROOT, "lifeos_desk")
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_graph_sees_the_known_edges() -> None:
    """A graph that missed imports would find no cycle: check a few edges the code has."""
    graph = import_graph(PACKAGE_ROOT, "lifeos_desk")
    assert len(graph) > 100
    assert "lifeos_desk.session" in graph["lifeos_desk.app"]  # from .session import ...
    assert "lifeos_desk.core.selfcmd" in graph["lifeos_desk.ui.backups.runner"]  # from ...core.selfcmd
    assert "lifeos_desk.commands" in graph["lifeos_desk.commands.selfcheck"]  # from . import CommandError
    assert "lifeos_desk.app" not in graph["lifeos_desk.cli"]  # imported inside main(): not at import time


def test_a_cycle_is_found_and_named(tmp_path: Path) -> None:
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "from .b import thing\n",
        "b.py": "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .d import x\ntry:\n    from pkg.sub import c\nexcept ImportError:\n"
                "    pass\n",
        "sub/__init__.py": "",
        "sub/c.py": "import pkg.a\n",
        "d.py": "from . import b\n",
    })
    graph = import_graph(tmp_path / "pkg", "pkg")
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]  # d -> b is no cycle: b needs d only for types


@pytest.mark.parametrize("source", [
    "def late():\n    from . import a\n",
    "if TYPE_CHECKING:\n    from . import a\n",
])
def test_deferred_imports_make_no_cycle(tmp_path: Path, source: str) -> None:
    _write(tmp_path / "pkg", {"__init__.py": "", "a.py": "from . import b\n", "b.py": source})
    assert cycles(import_graph(tmp_path / "pkg", "pkg")) == []


def test_package_init_importing_its_submodules_is_no_cycle(tmp_path: Path) -> None:
    """``__init__`` re-exporting a submodule that imports a sibling is normal; a name from ``__init__`` is a cycle."""
    _write(tmp_path / "pkg", {"__init__.py": "from .a import A\n", "a.py": "from .b import B\nA = 1\n",
                              "b.py": "B = 2\n"})
    assert cycles(import_graph(tmp_path / "pkg", "pkg")) == []
    (tmp_path / "pkg" / "b.py").write_text("from . import A\nB = 2\n", encoding="utf-8")
    assert cycles(import_graph(tmp_path / "pkg", "pkg")) == [["pkg", "pkg.a", "pkg.b", "pkg"]]
