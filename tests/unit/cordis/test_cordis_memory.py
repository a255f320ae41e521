"""Reading is streaming: peak memory does not grow with the file."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

from services.organisations.cordis import ParticipationRow, read_participations
from tests.unit.cordis.slices import ORG_HEADER, org, to_csv

PEAK_BOUND = 1_000_000  # bytes of Python allocations, whatever the file size


def _write_gz(path: Path, rows: int) -> Path:
    """Write `rows` participations; every 100th has a quoted name spanning two lines."""
    plain = to_csv(ORG_HEADER, [org()]).split("\n", 1)[1]
    quoted = to_csv(ORG_HEADER, [org(name='A "quoted"; name\nover lines')]).split("\n", 1)[1]
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(";".join(ORG_HEADER) + "\n")
        for i in range(rows):
            out.write((quoted if i % 100 == 0 else plain).replace("912743326", f"{i:09d}", 1))
    return path


def _peak_while_reading(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = 0
        for row in read_participations(path):
            count += isinstance(row, ParticipationRow)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_is_flat(tmp_path: Path) -> None:
    small_count, small_peak = _peak_while_reading(_write_gz(tmp_path / "s.csv.gz", 2_000))
    big_count, big_peak = _peak_while_reading(_write_gz(tmp_path / "b.csv.gz", 100_000))
    assert (small_count, big_count) == (2_000, 100_000)
    assert big_peak < PEAK_BOUND
    assert big_peak < small_peak * 1.5 + 100_000
