"""Our import graph: no circle between our modules, and dependencies point one way
(webapp, workers -> services -> models, matching).

Every ``import``/``from`` statement counts, at module level or inside a function (also
under ``if TYPE_CHECKING``). An edge goes to the module an import names: ``from a.b import
c`` is an edge to ``a.b.c`` when that is a module of ours, else to ``a.b``. The packages
Python initialises on the way (``a`` for ``import a.b``) are not edges. Run this file with
Python to print the graph's circles.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("webapp", "workers", "services", "models", "matching")
# What each layer must not import (the rule of the house).
FORBIDDEN = {
    "models": {"webapp", "workers", "services", "matching"},
    "matching": {"webapp", "workers", "services", "models"},
    "services": {"webapp", "workers"},
    "workers": {"webapp"},
}


def module_files() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
            names = [n if n in modules else base for n in names]
        else:
            continue
        found.update(t for n in names if (t := _resolve(n, modules)) and t != module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def wrong_direction(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} imports {target}"
        for source, targets in graph.items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN.get(source.split(".")[0], set())
    )


def test_the_checker_sees_imports_inside_functions_and_relative_ones(tmp_path):
    modules = {"pkg": tmp_path / "__init__.py", "pkg.a": tmp_path / "a.py", "pkg.b": tmp_path}
    source = "from . import b\ndef f():\n    from pkg.b import thing\n    import pkg\n"
    (tmp_path / "a.py").write_text(source)
    assert imports_of("pkg.a", tmp_path / "a.py", modules) == {"pkg", "pkg.b"}
    assert cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}, "w": {"x"}}) == [frozenset({"x", "y", "z"})]


def test_no_import_circle_between_our_modules():
    found = [sorted(c) for c in cycles(import_graph())]
    assert not found, f"import circles: {found}"


def test_dependencies_point_one_way():
    assert wrong_direction(import_graph()) == []


if __name__ == "__main__":
    graph = import_graph()
    for component in cycles(graph):
        print("circle:", ", ".join(sorted(component)))
    for line in wrong_direction(graph):
        print("wrong direction:", line)
