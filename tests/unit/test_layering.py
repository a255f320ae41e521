"""House rules read from the source: views and tasks hold no queries (they call services),
and no module of the product grows past 450 lines (migrations are history, never edited)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERY_FREE = ("webapp", "workers")
RUNNING = {"execute", "scalars", "scalar", "query"}  # session methods that run a statement
MAX_LINES = 450


def _is_session(node: ast.expr) -> bool:
    """``session``/``db``-like names and ``db()`` calls: what ``.get(Model, id)`` is read on."""
    if isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Name) and node.id in {"session", "db", "s"}


def queries_in(source: str) -> list[tuple[int, str]]:
    """(line, what) of every statement built or run in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            found.append((node.lineno, "select("))
        elif isinstance(func, ast.Attribute):
            if func.attr == "select" or func.attr in RUNNING:
                found.append((node.lineno, f".{func.attr}("))
            elif func.attr == "get" and _is_session(func.value):
                found.append((node.lineno, ".get(Model, id)"))
    return found


def test_the_check_sees_each_kind_of_query():
    source = """
rows = db().scalars(select(User))
one = session.scalar(stmt)
db().execute(stmt)
user = db().get(User, 1)
other = session.get(User, 2)
sa.select(User)
fine = request.args.get("page")
"""
    assert sorted(queries_in(source)) == [
        (2, ".scalars("),
        (2, "select("),
        (3, ".scalar("),
        (4, ".execute("),
        (5, ".get(Model, id)"),
        (6, ".get(Model, id)"),
        (7, ".select("),
    ]


def test_views_and_tasks_hold_no_queries():
    """A view parses input, calls one service, renders; a task calls one service."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for package in QUERY_FREE
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, what in queries_in(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "move these queries into a service function:\n" + "\n".join(offenders)


def test_no_module_is_over_450_lines():
    migrations = ROOT / "migrations" / "versions"
    folders = [p for p in ROOT.iterdir() if p.is_dir() and p.name[0] not in "._"]
    too_long = []
    for path in sorted(p for folder in folders for p in folder.rglob("*.py")):
        if path.is_relative_to(migrations) or "instance" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not too_long, f"split these modules (at most {MAX_LINES} lines):\n" + "\n".join(too_long)
