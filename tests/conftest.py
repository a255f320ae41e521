"""Fixtures: a migrated database (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
an app per test with CSRF and rate limits on, and users in every role."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import models
from models.db import make_engine, make_session_factory
from services.core import schema
from services.core.config import Settings
from services.core.context import RequestContext
from tests.support import service_unavailable, with_compiled_templates
from webapp import create_app
from workers.runtime import Runtime, build_runtime

PASSWORD = "correct horse battery"


ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
# Folders whose tests never touch the database under test (file readers, static checks, the
# README's commands on their own embedded database): CI's SQLite pass leaves them to its
# PostgreSQL pass (-m "not backend_independent"); a plain `make test` runs them.
BACKEND_INDEPENDENT = ("tests/unit/", "tests/system/", "tests/security/test_static_checks.py")
# Slow tests whose subject is the same on either database (the layout of every page): CI
# runs them once, in its shorter SQLite pass (its PostgreSQL pass: -m "not sqlite_pass").
SQLITE_PASS = ("tests/browser/test_layout_sweep.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    production_only = pytest.mark.skip(
        reason="needs the production database: runs when TEST_DATABASE_URL names a "
        "PostgreSQL server, as in CI's second pass"
    )
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        if where.startswith(BACKEND_INDEPENDENT):
            item.add_marker(pytest.mark.backend_independent)
        if where.startswith(SQLITE_PASS):
            item.add_marker(pytest.mark.sqlite_pass)
        if not ON_POSTGRES and item.get_closest_marker("postgres_only"):
            item.add_marker(production_only)


def _postgres_database(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    url = make_url(base_url)
    name = f"pm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        service_unavailable(f"PostgreSQL at {url.render_as_string(hide_password=True)}: {exc}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        yield from _postgres_database(base)
    else:
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    schema.upgrade(database_url)
    return database_url


@pytest.fixture
def settings(migrated: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=migrated,
        secret_key="test-secret-" + uuid.uuid4().hex,
        redis_url=None,
        embedded=False,
        instance_path=tmp_path,
        public_url="http://testserver",
        ratelimit_prefix=f"pmtest-{uuid.uuid4().hex[:8]}",
    )


def _truncate(engine: Any) -> None:
    """Empty the tables a test wrote to, children first.

    DELETE of the few tables in use, not TRUNCATE ... CASCADE of all of them: on PostgreSQL a
    TRUNCATE rewrites every referencing table's files and cost ~1-2 s per test, DELETE of a
    handful of rows costs milliseconds. Ids are therefore not restarted between tests.
    """
    tables = list(reversed(models.Base.metadata.sorted_tables))
    used_query = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Fail loudly instead of waiting forever on a session a test left open.
            conn.execute(text("SET LOCAL lock_timeout = '60s'"))
        used = set(conn.scalars(text(used_query)))
        for table in tables:
            if table.name in used:
                conn.execute(table.delete())


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """The embedded runtime of the test app (no broker: tasks run in-process)."""
    built = build_runtime(settings)
    yield built
    built.close()


@pytest.fixture
def emptied_after(runtime: Runtime) -> Iterator[None]:
    """After the test: wait for in-process tasks, then empty the tables it wrote."""
    yield
    runtime.dispatcher.wait_idle()
    _truncate(runtime.engine)


@pytest.fixture
def app(runtime: Runtime, emptied_after: None) -> Any:
    return with_compiled_templates(create_app(runtime=runtime, TESTING=True))


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def db(emptied_after: None, settings: Settings) -> Iterator[Session]:
    """A session on the test database; tests commit what they set up.

    On SQLite it begins transactions lazily (not IMMEDIATE), so a test's reads never hold
    the write lock the app under test needs. A read transaction sees a snapshot: call
    ``db.rollback()`` (or ``commit()``) before reading what the app wrote since. Service
    tests need no Flask app: building one (740 URL rules compiled; the API is documented
    only when its document is asked for) costs 0.13-0.4 s, so ``db`` asks only for the
    runtime; tests of the web ask for ``app``.
    """
    engine = make_engine(settings.database_url, immediate=False)
    session = make_session_factory(engine)()
    yield session
    session.rollback()
    session.close()
    engine.dispose()


@pytest.fixture
def make_user(db: Session) -> Any:
    from services.accounts import memberships
    from services.accounts import users as accounts

    def _make(
        role: str = "viewer",
        email: str | None = None,
        sgg_id: int | None = None,
        org_id: int | None = None,
        org_role: str = "partner_rep",
        password: str = PASSWORD,
    ) -> models.User:
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        user = accounts.create_user(
            db,
            RequestContext(None),
            email=email,
            name=email.split("@")[0],
            role=role,
            password=password,
        )
        if sgg_id is not None:
            memberships.add_to_sgg(db, RequestContext(None), user, sgg_id)
        if org_id is not None:
            memberships.add_to_organisation(db, RequestContext(None), user, org_id, org_role)
        db.commit()
        return user

    return _make


@pytest.fixture
def world(db: Session) -> dict[str, Any]:
    """A small programme: two SGGs, two partner organisations, an applicant."""
    programme = models.Programme(code="T-PROG", name="Test programme")
    area = models.ScientificArea(name="Infectious diseases", slug="infectious-diseases")
    area2 = models.ScientificArea(name="Cancer", slug="cancer")
    sgg_a = models.Sgg(programme=programme, area=area, name="SGG A")
    sgg_b = models.Sgg(programme=programme, area=area2, name="SGG B")
    pharma = models.Organisation(
        legal_name="Pharma One AG",
        country="CH",
        sector="industry",
        is_efpia_member=True,
        pic="900000001",
    )
    pharma2 = models.Organisation(
        legal_name="Pharma Two SA",
        country="FR",
        sector="industry",
        is_efpia_member=True,
        pic="900000002",
    )
    uni = models.Organisation(
        legal_name="University of Testing", country="DE", sector="academia", pic="900000003"
    )
    db.add_all([programme, area, area2, sgg_a, sgg_b, pharma, pharma2, uni])
    db.commit()
    return {
        "programme": programme,
        "sgg_a": sgg_a,
        "sgg_b": sgg_b,
        "area": area,
        "pharma": pharma,
        "pharma2": pharma2,
        "uni": uni,
    }
