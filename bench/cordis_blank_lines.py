"""A download padded with blank lines: 25 million blank lines around 35 rows, as .gz and as
.zip, imported into a throwaway SQLite database. Prints wall time and peak RSS per format.

Usage: PYTHONPATH=. python bench/cordis_blank_lines.py [BLANK_LINES]
Target (issue 14): under 15 s each, with flat memory. Each import runs in its own process,
so its peak RSS is its own.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS = 35
PAD_CHUNK = b"\n" * (1 << 20)


def _rows() -> tuple[bytes, bytes]:
    from tests.unit.cordis.slices import ORG_HEADER, PROJECT_HEADER, org, project, to_csv

    projects = to_csv(PROJECT_HEADER, [project(projectID=str(101000000 + i)) for i in range(5)])
    orgs = to_csv(
        ORG_HEADER,
        [
            org(projectID=str(101000000 + i % 5), organisationID=f"{999100000 + i:09d}")
            for i in range(ROWS)
        ],
    )
    return projects.encode(), orgs.encode()


def _padded_chunks(data: bytes, blank: int) -> Iterator[bytes]:
    """Yield the organisation file: header, then rows spread through `blank` blank lines."""
    head, *rows = data.rstrip(b"\n").split(b"\n")
    per_gap = blank // (len(rows) + 1)
    yield head + b"\n"
    for row in [*rows, None]:
        left = per_gap
        while left > 0:
            n = min(left, len(PAD_CHUNK))
            yield PAD_CHUNK[:n]
            left -= n
        if row is not None:
            yield row + b"\n"


def write_files(folder: Path, blank: int) -> dict[str, tuple[Path, Path]]:
    projects, orgs = _rows()
    p = folder / "project.csv"
    p.write_bytes(projects)
    gz = folder / "organization.csv.gz"
    with gzip.open(gz, "wb", compresslevel=6) as out:
        for chunk in _padded_chunks(orgs, blank):
            out.write(chunk)
    zp = folder / "cordis-padded.zip"
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.csv", projects)
        with archive.open("organization.csv", "w") as member:
            for chunk in _padded_chunks(orgs, blank):
                member.write(chunk)
    return {"gz": (p, gz), "zip": (zp, zp)}


def child(projects: str, organisations: str) -> None:
    from models.db import make_engine, make_session_factory
    from services.core import schema
    from services.core.context import RequestContext
    from services.organisations.cordis_import import create_run, run_import

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        schema.upgrade(url)
        engine = make_engine(url)
        session = make_session_factory(engine)()
        start = time.perf_counter()
        run = create_run(session, RequestContext(None), projects, organisations)
        run_import(session, run.id)
        session.commit()
        wall = time.perf_counter() - start
        counts = dict(run.counts)
        session.close()
        engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "rss_mb": rss, "counts": counts}))


def main() -> None:
    blank = int(sys.argv[1]) if len(sys.argv) > 1 else 25_000_000
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), blank)
        for label, (p, o) in files.items():
            size = o.stat().st_size
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(p), str(o)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            r = json.loads(out.stdout.strip().splitlines()[-1])
            c = r["counts"]
            print(
                f"{label:4} {blank:,d} blank lines + {ROWS} rows ({size / 1e3:.0f} kB "
                f"compressed): {r['wall']:5.1f} s, peak RSS {r['rss_mb']:4.0f} MB, "
                f"{c.get('participations_created', 0)} participations, "
                f"{c.get('rows_skipped', 0)} skipped"
            )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
