"""The settings object is the only reader of the environment, and the README's table is
the one it generates."""

from __future__ import annotations

import re
from pathlib import Path

from services.core import settings_doc
from services.core.config import variables

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("models", "services", "matching", "webapp", "workers")
READS = re.compile(r"\bos\.environ\b|\bos\.getenv\b|\bgetenv\(|\bfrom os import .*environ")


def test_nothing_reads_the_environment_outside_the_settings() -> None:
    files = [p for d in PRODUCT for p in (ROOT / d).rglob("*.py")] + [ROOT / "gunicorn.conf.py"]
    readers = [
        str(p.relative_to(ROOT))
        for p in files
        if READS.search(p.read_text()) and p != ROOT / "services/core/config.py"
    ]
    assert readers == []


def test_readme_table_is_generated_from_the_settings() -> None:
    assert settings_doc.readme_table() == settings_doc.table(), (
        "README.md's settings table is stale: paste `python -m services.core.settings_doc`"
    )


def test_every_variable_has_a_meaning_and_a_unique_name() -> None:
    found = variables()
    assert len(found) >= 45
    assert all(var.doc and name == name.upper() for name, (_f, var, _h) in found.items())
