"""The import graph between our own modules, read from the source: no circle, and the layers point one way.

Every `import` counts, at module top or inside a function, because both run. `from pkg import name` is an
edge to `pkg.name` when that is a module, else to `pkg`; a package's `__init__` importing its submodules
is an edge like any other, so a submodule that imports its package back closes a circle. Importing
`a.b.c` from outside `a` is an edge to `a` and `a.b` too, since their `__init__` runs first. A module
loaded by name at run time (`importlib.import_module`: the CLI's verbs, the env registry) is no edge.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("envs", "autolibra", "optimizer")
# package -> the packages of ours it must not import
FORBIDDEN = {"envs": {"autolibra", "optimizer"}, "autolibra": {"optimizer"}}


@functools.cache
def module_files() -> dict[str, Path]:
    """Every module of ours by dotted name; a package is named by its `__init__.py`."""
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    return files


def imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """(dotted name, line) of everything `module` imports, with relative imports made absolute."""
    is_package = path.name == "__init__.py"
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([base] if base else []))
            names += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return names


@functools.cache
def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module of ours -> line of the first import}."""
    files = module_files()
    graph: dict[str, dict[str, int]] = {module: {} for module in files}
    for module, path in files.items():
        for name, line in imported_names(module, path):
            target = _own_module(name, files)
            if target is None or target == module:
                continue
            graph[module].setdefault(target, line)
            # Importing `a.b.c` runs `a` and `a.b` first; the importer's own packages are already running.
            for package in _packages_of(target) - _packages_of(module) - {module}:
                graph[module].setdefault(package, line)
    return graph


def _packages_of(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def _own_module(name: str, files: dict[str, Path]) -> str | None:
    """The longest prefix of `name` that is a module of ours (`pkg.name` when a module, else `pkg`)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in files:
            return candidate
    return None


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import circle as a path that ends where it starts, or None (depth-first search)."""
    done: set[str] = set()
    for start in sorted(graph):
        path: list[str] = []
        cycle = _walk(start, graph, path, done)
        if cycle:
            return cycle
    return None


def _walk(node: str, graph: dict[str, dict[str, int]], path: list[str], done: set[str]) -> list[str] | None:
    if node in path:
        return path[path.index(node):] + [node]
    if node in done:
        return None
    path.append(node)
    for target in sorted(graph[node]):
        cycle = _walk(target, graph, path, done)
        if cycle:
            return cycle
    path.pop()
    done.add(node)
    return None


def all_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One circle per tangle: cut the edge that closes each circle found, then look again."""
    graph = {module: dict(targets) for module, targets in graph.items()}
    cycles = []
    while (cycle := find_cycle(graph)) is not None:
        cycles.append(cycle)
        del graph[cycle[-2]][cycle[-1]]
    return cycles


def describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    files = module_files()
    return "\n".join(f"  {a} ({files[a].relative_to(ROOT)}:{graph[a][b]}) -> {b}" for a, b in zip(cycle, cycle[1:]))


def test_the_graph_sees_imports_at_top_and_inside_functions():
    graph = import_graph()
    assert "optimizer.reporting.stats" in graph["optimizer.reporting.summary"]
    assert "autolibra.errors" in graph["optimizer.cli"]
    assert "optimizer.selection.config" in graph["optimizer.selection"]  # a package importing its submodule
    assert "autolibra.lm" in graph["optimizer.reporting.summary"]  # via autolibra.lm.calllog: its package runs
    assert "optimizer.reporting" not in graph["optimizer.reporting.summary"]  # its own package is running


def test_find_cycle_reports_the_circle_path():
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"b": 1}}) is None


def test_no_import_circle_among_our_modules():
    graph = import_graph()
    cycles = all_cycles(graph)
    assert cycles == [], "import circles:\n" + "\n\n".join(describe(cycle, graph) for cycle in cycles)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downward(package: str):
    graph = import_graph()
    wrong = [f"{module} -> {target}" for module, targets in sorted(graph.items())
             if module.split(".")[0] == package
             for target in sorted(targets) if target.split(".")[0] in FORBIDDEN[package]]
    assert wrong == [], f"{package} imports a layer above it:\n  " + "\n  ".join(wrong)


def test_cli_version_loads_neither_dspy_nor_matplotlib():
    """`ladder --version` (and `--help`) must stay fast: the verbs' heavy dependencies load with the verb."""
    script = ("import sys, optimizer.cli; optimizer.cli.main(['--version']); "
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'dspy', 'matplotlib', 'litellm'}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "[]"
