"""Time and peak memory to read the real CORDIS files fully; prints figures.

Usage: PYTHONPATH=. python bench/cordis_read.py [DATA_DIR]
(default DATA_DIR: ../shared/data/cordis-he next to the repository, or /work/shared/...).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from services.organisations.cordis import RowError, read_participations, read_projects

CANDIDATES = [
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cordis-he",
    Path("/work/shared/data/cordis-he"),
]


def _count(rows: Iterable[object]) -> Counter[str]:
    return Counter("errors" if isinstance(row, RowError) else "rows" for row in rows)


def measure(label: str, path: Path, read: Callable[[Path], Iterable[object]]) -> None:
    """Read `path` twice: once for wall time, once under tracemalloc for peak memory."""
    start = time.perf_counter()
    counts = _count(read(path))
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    _count(read(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    total = counts["rows"] + counts["errors"]
    print(
        f"{label:15} {path.stat().st_size / 1e6:6.1f} MB gz  {total:7,d} records "
        f"({counts['rows']:,d} rows, {counts['errors']:,d} errors)  "
        f"{elapsed:5.2f} s  {total / elapsed:8,.0f} rec/s  peak {peak / 1e6:5.2f} MB"
    )


def main() -> None:
    """Print figures for project.csv.gz and organization.csv.gz."""
    data = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else next((p for p in CANDIDATES if p.is_dir()), CANDIDATES[0])
    )
    if not (data / "project.csv.gz").exists():
        sys.exit(f"no CORDIS data in {data}")
    print(f"python {sys.version.split()[0]}; data {data}")
    measure("projects", data / "project.csv.gz", read_projects)
    measure("participations", data / "organization.csv.gz", read_participations)


if __name__ == "__main__":
    main()
