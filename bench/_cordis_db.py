"""Shared by the CORDIS benchmarks: throwaway databases and the real data's location."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services import schema

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
