"""An index that knows its database: files named by build token and checked against the
row when loaded; a host without them (or with another database's) fetches them from the
database. Two databases share one instance folder here, as two deployments might."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

import models
from models.db import make_engine, make_session_factory
from services.consortia import expertise_index as matching_index
from services.consortia import index_store
from services.consortia import match_requests as consortia
from services.core import schema
from services.core.context import RequestContext
from services.core.errors import Conflict
from tests.conftest import _postgres_database
from tests.consortia.conftest import ORGS, seed_pool


@pytest.fixture
def other_db(tmp_path: Path):
    """A second migrated database (of the same kind as the test database)."""
    base = os.environ.get("TEST_DATABASE_URL")
    urls = (
        _postgres_database(base)
        if base and base.startswith("postgresql")
        else iter([f"sqlite:///{tmp_path / 'other.db'}"])
    )
    url = next(urls)
    schema.upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()
        for _ in urls:  # drops the PostgreSQL database
            pass


def _names(index) -> set[str]:
    return {c.name for c in index.candidates}


def test_two_databases_sharing_one_folder_never_read_each_others_index(
    db, pool, other_db, settings
):
    instance = settings.instance_path
    programme = models.Programme(code="B-PROG", name="Programme of database B")
    sgg = models.Sgg(programme=programme, name="SGG of B")
    coordinator = models.User(email="coord@b.example.org", name="Coord B", role="coordinator")
    other_db.add_all([programme, sgg, coordinator])
    # Old failed builds in B, so that B's new build gets A's version number (ids go on
    # across tests in A's database).
    other_db.add_all(
        models.ExpertiseIndexVersion(status="failed", reason="filler")
        for _ in range(pool["version"].id - 1)
    )
    other_db.commit()
    b = seed_pool(other_db, programme, sgg, instance, prefix="Beta ")
    names_a = set(db.scalars(select(models.Organisation.legal_name)))
    names_b = {"Beta " + name for name, *_ in ORGS}
    version_a, version_b = pool["version"], b["version"]
    assert version_a.id == version_b.id  # the same version number in both databases...
    assert version_a.directory != version_b.directory  # ...but files of their own
    assert version_a.token != version_b.token

    req, _ = consortia.request_match(other_db, RequestContext(coordinator), b["topic"].id, {})
    other_db.commit()
    done = consortia.run_match(other_db, RequestContext(None), req.id, instance)
    other_db.commit()
    assert done.status == "done", done.error
    suggested = {m.organisation.legal_name for m in done.members}
    assert suggested and suggested <= names_b  # never an organisation of database A

    assert _names(matching_index.load_index(version_a, instance)) == names_a
    matching_index.clear_cache()
    assert _names(matching_index.load_index(version_b, instance)) == names_b

    # B's folder holding A's files (a copied volume): refused, replaced by B's stored copy.
    root = index_store.index_root(instance)
    shutil.rmtree(root / version_b.directory)
    shutil.copytree(root / version_a.directory, root / version_b.directory)
    matching_index.clear_cache()
    assert _names(matching_index.load_index(version_b, instance)) == names_b
    # A host without the files (no shared volume) fetches them from its database.
    shutil.rmtree(root)
    matching_index.clear_cache()
    assert _names(matching_index.load_index(version_a, instance)) == names_a
    assert _names(matching_index.load_index(version_b, instance)) == names_b
    assert (root / version_b.directory / index_store.IDENTITY).exists()


def test_an_index_without_stored_files_is_never_served_and_is_rebuilt(db, pool, settings):
    version = pool["version"]
    version.token = ""  # built by a release that kept its files on one host only
    db.commit()
    matching_index.clear_cache()
    with pytest.raises(Conflict, match="not stored in the database"):
        matching_index.load_index(version, settings.instance_path)
    queued = matching_index.refresh_if_stale(db)
    assert queued is not None and queued.reason == "index files not stored"
    db.commit()
    built = matching_index.build_version(db, queued.id, settings.instance_path)
    db.commit()
    assert built.status == "ready" and built.token
    names = set(db.scalars(select(models.Organisation.legal_name)))
    assert _names(matching_index.load_index(built, settings.instance_path)) == names
    # Only the newest versions keep their files, here and in the database.
    assert db.get(models.ExpertiseIndexFiles, built.id) is not None
