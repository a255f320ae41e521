"""Migrations: empty -> head -> base on both databases, and no drift from the models."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import column, insert, inspect, table, text

import models
from models.db import make_engine
from services.core import schema
from tests.conftest import _postgres_database


def _fresh_url(tmp_path: Path):
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        return _postgres_database(base)
    return iter([f"sqlite:///{tmp_path / 'migrate.db'}"])


def _insert_of_the_day(conn, model, values: dict) -> None:
    """A row through the model's defaults, holding only the columns the table has at the
    revision the database is at (a later revision may have added some)."""
    present = {c["name"] for c in inspect(conn).get_columns(model.__tablename__)}
    row = dict(values)
    for col in model.__table__.columns:
        if col.name not in row and col.default is not None:
            arg = col.default.arg
            row[col.name] = arg(None) if callable(arg) else arg
    kept = {k: v for k, v in row.items() if k in present}
    columns = (column(k, model.__table__.c[k].type) for k in kept)
    conn.execute(insert(table(model.__tablename__, *columns)).values(kept))


def _drift(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_matches_models_and_downgrade_to_base(tmp_path: Path) -> None:
    urls = _fresh_url(tmp_path)
    url = next(urls)
    try:
        head = ScriptDirectory.from_config(schema.alembic_config(url)).get_current_head()
        n = len(list((Path(__file__).resolve().parents[2] / "migrations/versions").glob("*.py")))
        step = schema.upgrade(url)
        assert str(step) == f"Upgraded from (empty) to {head} ({n} migrations)."
        assert set(models.Base.metadata.tables) <= _tables(url)
        assert _drift(url) == []
        assert str(schema.upgrade(url)) == f"Database schema already at {head}: nothing to do."
        down = schema.downgrade(url, "base")
        assert str(down) == f"Downgraded from {head} to (empty) ({n} migrations)."
        assert _tables(url) <= {"alembic_version"}
        schema.upgrade(url)  # and back up again: downgrades really reverse the upgrades
        assert _drift(url) == []
    finally:
        for _ in urls:  # runs the generator's cleanup (drops the PostgreSQL database)
            pass


def test_revision_files_are_date_prefixed() -> None:
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert name[:8].isdigit() and name[8] == "_", name


def test_history_is_linear_with_one_head() -> None:
    script = ScriptDirectory.from_config(schema.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert all(
        len(rev.down_revision or ()) <= 1 or isinstance(rev.down_revision, str)
        for rev in script.walk_revisions()
    )


def test_a_sector_already_changed_by_hand_is_marked_on_upgrade(tmp_path: Path) -> None:
    urls = _fresh_url(tmp_path)
    url = next(urls)
    try:
        schema.upgrade(url, "20261201_0016")
        engine = make_engine(url)
        org = (
            "INSERT INTO organisations (id, legal_name, country, sector, is_sme, is_efpia_member,"
            " description, keywords, search_name, name_key, created_at, updated_at) VALUES"
            " (:id, 'Org', 'BE', 'research', false, false, '', '', '', '', :at, :at)"
        )
        entry = (
            "INSERT INTO audit_log (at, action, object_type, object_id, ip, details) VALUES"
            " (:at, 'organisation.update', 'organisations', :id, '', :details)"
        )
        at = datetime(2026, 12, 1, 12, 0)
        with engine.begin() as conn:
            for org_id, field in ((1, "sector"), (2, "city")):
                conn.execute(text(org), {"id": org_id, "at": at})
                details = json.dumps({"changes": {field: {"old": "x", "new": "y"}}})
                conn.execute(text(entry), {"id": org_id, "at": at, "details": details})
            # Rows that refer to an organisation: a migration that copied the table (SQLite
            # batch mode) failed on them, or dropped them.
            conn.execute(text("INSERT INTO cordis_projects (id, acronym, title, objective, "
                              "keywords, euroscivoc, status, call, topic, topic_title, "
                              "funding_scheme, framework_programme, funding_body, legal_basis, "
                              "updated_at) VALUES ('P1', '', '', '', '', '', '', '', '', '', "
                              "'', '', '', '', :at)"), {"at": at})  # fmt: skip
            conn.execute(text("INSERT INTO participations (project_id, organisation_id, role, "
                              "is_associated_partner, terminated) VALUES "
                              "('P1', 1, 'participant', false, false)"))  # fmt: skip
        schema.upgrade(url)
        with engine.connect() as conn:
            marked = conn.execute(text("SELECT id, sector_by_hand FROM organisations ORDER BY id"))
            assert [tuple(r) for r in marked] == [(1, True), (2, False)]
            kept = conn.execute(text("SELECT organisation_id, activity_type FROM participations"))
            assert [tuple(r) for r in kept] == [(1, None)]
        schema.downgrade(url, "20261201_0016")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM participations")).scalar() == 1
        engine.dispose()
    finally:
        for _ in urls:
            pass


def test_pledges_get_their_topics_programme_on_upgrade(tmp_path: Path) -> None:
    urls = _fresh_url(tmp_path)
    url = next(urls)
    try:
        schema.upgrade(url, "20261201_0017")
        engine = make_engine(url)
        # Tables the revision leaves alone are written through the models (their defaults);
        # pledges as they were at 20261201_0017, without programme_id.
        rows = [
            (models.Programme, {"id": 7, "code": "P7", "name": "P7"}),
            (models.ScientificArea, {"id": 1, "name": "A", "slug": "a"}),
            (models.Sgg, {"id": 1, "programme_id": 7, "area_id": 1, "name": "S"}),
            (models.Topic, {"id": 3, "programme_id": 7, "sgg_id": 1, "title": "T"}),
            (models.Organisation, {"id": 1, "legal_name": "O", "country": "BE", "sector": "other"}),
        ]
        with engine.begin() as conn:
            for model, values in rows:
                _insert_of_the_day(conn, model, values)
            conn.execute(text("INSERT INTO pledges (topic_id, organisation_id, kind, amount, "
                              "contributing_entity, note, status, created_at, updated_at) "
                              "VALUES (3, 1, 'fc', 5, '', '', 'confirmed', :at, :at)"),
                         {"at": datetime(2026, 12, 1, 12, 0)})  # fmt: skip
        schema.upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT programme_id FROM pledges")).scalar() == 7
            # 20261202_0021: an existing programme gets a token of its own (cached sums).
            token = conn.execute(text("SELECT pledge_sums_token FROM programmes")).scalar()
            assert token and len(token) == 32
        schema.downgrade(url, "20261201_0017")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pledges")).scalar() == 1
        engine.dispose()
    finally:
        for _ in urls:
            pass
