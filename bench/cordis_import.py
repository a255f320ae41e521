"""Full CORDIS import into PostgreSQL and SQLite: wall time, peak RSS, rows/s, re-import.

Usage: PYTHONPATH=. python bench/cordis_import.py [postgresql|sqlite ...]
Each import runs in its own process (so peak RSS is that import's), into a database
created for the run and dropped afterwards. PostgreSQL: BENCH_PG_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) names the server.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.core import schema
from services.core.context import RequestContext

CANDIDATES = [
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cordis-he",
    Path("/work/shared/data/cordis-he"),
]
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def data_dir() -> Path:
    for path in CANDIDATES:
        if (path / "project.csv.gz").exists():
            return path
    raise SystemExit(f"no CORDIS data in {CANDIDATES[0]}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh migrated PostgreSQL database, dropped afterwards."""
    name = f"bench_orgs_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)
    try:
        schema.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_database(folder: Path) -> Iterator[str]:
    path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite:///{path}"
    try:
        schema.upgrade(url)
        yield url
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the
    parent across fork and exec, so a child of a big parent would report the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, projects: str, organisations: str) -> None:
    """Import the files into ``url`` once; print figures as JSON."""
    from models.db import make_engine, make_session_factory
    from services.organisations.cordis_import import create_run, run_import

    engine = make_engine(url)
    session = make_session_factory(engine)()
    start = time.perf_counter()
    run = create_run(session, RequestContext(None), projects, organisations)
    run_import(session, run.id)
    session.commit()
    wall = time.perf_counter() - start
    rss_mb = peak_rss_mb()
    counts = run.counts
    session.close()
    engine.dispose()
    print(json.dumps({"wall": wall, "rss_mb": rss_mb, "counts": counts}))


def _one(url: str, projects: Path | None = None, organisations: Path | None = None) -> dict:
    """One import in its own process (the shared Horizon Europe files by default)."""
    projects = projects or data_dir() / "project.csv.gz"
    organisations = organisations or data_dir() / "organization.csv.gz"
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(projects), str(organisations)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _print(label: str, result: dict) -> None:
    c = result["counts"]
    records = c["project_records"] + c["participation_records"]
    written = sum(v for k, v in c.items() if k.endswith(("_created", "_updated")))
    print(
        f"{label:28} {result['wall']:6.1f} s  peak RSS {result['rss_mb']:6.0f} MB  "
        f"{records / result['wall']:8,.0f} records/s  ({records:,d} records, "
        f"{written:,d} rows written, {c.get('rows_skipped', 0)} skipped)"
    )


def main() -> None:
    targets = sys.argv[1:] or ["postgresql", "sqlite"]
    print(f"python {sys.version.split()[0]}; data {data_dir()}")
    for target in targets:
        if target == "postgresql":
            with postgres_database() as url:
                _print("PostgreSQL: first import", _one(url))
                _print("PostgreSQL: re-import", _one(url))
        else:
            with tempfile.TemporaryDirectory() as tmp, sqlite_database(Path(tmp)) as url:
                _print("SQLite: first import", _one(url))
                _print("SQLite: re-import", _one(url))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
