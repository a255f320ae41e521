"""Fixtures for the CORDIS reader tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.cordis.slices import write_bytes


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[..., Path]:
    """Write text (UTF-8, optional BOM) to tmp_path as csv, csv.gz or zip."""
    counter = iter(range(10_000))

    def write(text: str, compress: str = "", member: str = "", bom: bool = False) -> Path:
        data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
        return write_bytes(tmp_path / f"f{next(counter)}.csv", data, compress, member)

    return write
