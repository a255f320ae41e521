"""organisations

Revision ID: 20261122_0002
Revises: 20261122_0001
Create Date: 2026-11-22 00:41:41.028077
"""

from __future__ import annotations

from collections.abc import Sequence

import re
import unicodedata

import sqlalchemy as sa
from alembic import op


revision: str = '20261122_0002'
down_revision: str | Sequence[str] | None = '20261122_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Same text as services' project text search (services.orgsearch.PROJECT_TSV).
PROJECT_TSV = (
    "to_tsvector('english'::regconfig, (((((COALESCE(title, ''::text) || ' '::text) "
    "|| COALESCE(keywords, ''::text)) || ' '::text) || COALESCE(euroscivoc, ''::text)) "
    "|| ' '::text) || COALESCE(objective, ''::text))"
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def _fold(text: str) -> str:
    # A frozen copy of models.names.normalise (revisions never import models).
    pairs = (("ß", "ss"), ("æ", "ae"), ("Æ", "ae"), ("œ", "oe"), ("Œ", "oe"), ("đ", "d"),
             ("Đ", "d"), ("ø", "o"), ("Ø", "o"), ("ł", "l"), ("Ł", "l"))
    for a, b in pairs:
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def _backfill_names() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, legal_name, short_name FROM organisations")).all()
    for org_id, legal, short in rows:
        name = _fold(" ".join(p for p in (legal, short) if p))
        key = " ".join(sorted(set(_fold(legal or "").split())))[:300]
        conn.execute(
            sa.text("UPDATE organisations SET search_name = :s, name_key = :k WHERE id = :i"),
            {"s": name, "k": key, "i": org_id},
        )


def upgrade() -> None:
    is_pg = op.get_bind().dialect.name == "postgresql"
    if is_pg:
        # pg_trgm is a trusted extension: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('cordis_projects',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('acronym', sa.String(length=100), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('euroscivoc', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('call', sa.String(length=120), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('topic_title', sa.Text(), nullable=False),
    sa.Column('funding_scheme', sa.String(length=120), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('total_cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('eu_contribution', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cordis_projects'))
    )
    with op.batch_alter_table('cordis_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cordis_projects_call'), ['call'], unique=False)
        batch_op.create_index(batch_op.f('ix_cordis_projects_topic'), ['topic'], unique=False)

    op.create_table('organisation_name_words',
    sa.Column('word', sa.String(length=80), nullable=False),
    sa.Column('reversed', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_organisation_name_words'))
    )
    with op.batch_alter_table('organisation_name_words', schema=None) as batch_op:
        batch_op.create_index('ix_organisation_name_words_reversed_pattern', ['reversed'], unique=False, postgresql_ops={'reversed': 'varchar_pattern_ops'})
        batch_op.create_index('ix_organisation_name_words_word_pattern', ['word'], unique=False, postgresql_ops={'word': 'varchar_pattern_ops'})

    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('projects_file', sa.String(length=500), nullable=False),
    sa.Column('organisations_file', sa.String(length=500), nullable=False),
    sa.Column('projects_name', sa.String(length=300), nullable=False),
    sa.Column('organisations_name', sa.String(length=300), nullable=False),
    sa.Column('phase', sa.String(length=30), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('issue_count', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_import_runs_status_valid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_runs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_runs_status'), ['status'], unique=False)

    op.create_table('participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('eu_contribution', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('total_cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('is_associated_partner', sa.Boolean(), nullable=False),
    sa.Column('terminated', sa.Boolean(), nullable=False),
    sa.CheckConstraint("role IN ('coordinator', 'participant', 'associatedPartner')", name=op.f('ck_participations_role_valid')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_participations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['cordis_projects.id'], name=op.f('fk_participations_project_id_cordis_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participations')),
    sa.UniqueConstraint('project_id', 'organisation_id', 'role', name=op.f('uq_participations_project_id_organisation_id_role'))
    )
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participations_project_id'), ['project_id'], unique=False)

    op.create_table('import_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=300), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], name=op.f('fk_import_issues_run_id_import_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_issues'))
    )
    with op.batch_alter_table('import_issues', schema=None) as batch_op:
        batch_op.create_index('ix_import_issues_run_line', ['run_id', 'id'], unique=False)

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('name_key', sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_organisations_country_name_key', ['country', 'name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_organisations_search_name_trgm', ['search_name'], unique=False, postgresql_using='gin', postgresql_ops={'search_name': 'gin_trgm_ops'})
        batch_op.create_foreign_key(batch_op.f('fk_organisations_merged_into_id_organisations'), 'organisations', ['merged_into_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('search_name', server_default=None)
        batch_op.alter_column('name_key', server_default=None)
    _backfill_names()
    if is_pg:
        op.execute(
            f"CREATE INDEX ix_cordis_projects_fts ON cordis_projects USING gin ({PROJECT_TSV})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cordis_projects_fts")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_merged_into_id_organisations'), type_='foreignkey')
        batch_op.drop_index('ix_organisations_search_name_trgm', postgresql_using='gin', postgresql_ops={'search_name': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_organisations_merged_into_id'))
        batch_op.drop_index('ix_organisations_country_name_key')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('name_key')
        batch_op.drop_column('search_name')

    with op.batch_alter_table('import_issues', schema=None) as batch_op:
        batch_op.drop_index('ix_import_issues_run_line')

    op.drop_table('import_issues')
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participations_project_id'))
        batch_op.drop_index(batch_op.f('ix_participations_organisation_id'))

    op.drop_table('participations')
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_runs_status'))

    op.drop_table('import_runs')
    with op.batch_alter_table('organisation_name_words', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_name_words_word_pattern')
        batch_op.drop_index('ix_organisation_name_words_reversed_pattern')

    op.drop_table('organisation_name_words')
    with op.batch_alter_table('cordis_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cordis_projects_topic'))
        batch_op.drop_index(batch_op.f('ix_cordis_projects_call'))

    op.drop_table('cordis_projects')
