"""pledges carry their topic's programme; indexes for the funding pages

Revision ID: 20261202_0018
Revises: 20261201_0017
Create Date: 2026-12-02 00:45:00

The funding pages sum a programme's pledges on every request; reaching the programme
through topics joined every pledge to its topic. ``pledges.programme_id`` is filled from
the topic and held equal to it by a foreign key on (topic_id, programme_id) to a unique
index on topics (id, programme_id). Also: (programme_id, status) for those sums and
(status, updated_at, id) for the decision queue; on PostgreSQL (programme_id, status)
covers what the sums read, and the members (``is_efpia_member``) have a partial index.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0018"
down_revision: str | Sequence[str] | None = "20261201_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: a migration keeps the columns of its day.
SUM_COLUMNS = [
    "kind",
    "from_envelope",
    "organisation_id",
    "topic_id",
    "amount",
    "eu_match",
    "third_country_costs",
]
FILL = (
    "UPDATE pledges SET programme_id = "
    "(SELECT topics.programme_id FROM topics WHERE topics.id = pledges.topic_id)"
)


def upgrade() -> None:
    op.create_index("uq_topics_id_programme_id", "topics", ["id", "programme_id"], unique=True)
    op.add_column("pledges", sa.Column("programme_id", sa.Integer(), nullable=True))
    op.execute(FILL)
    # On SQLite the NOT NULL and the foreign keys need a copy of pledges (no table refers
    # to pledges, so the copy is safe); PostgreSQL alters in place.
    with op.batch_alter_table("pledges") as batch:
        batch.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_pledges_programme_id_programmes", "programmes", ["programme_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_pledges_topic_programme",
            "topics",
            ["topic_id", "programme_id"],
            ["id", "programme_id"],
        )
    op.create_index(
        "ix_pledges_programme_id_status",
        "pledges",
        ["programme_id", "status"],
        postgresql_include=SUM_COLUMNS,
    )
    op.create_index("ix_pledges_status_updated_at", "pledges", ["status", "updated_at", "id"])
    op.create_index(
        "ix_organisations_efpia_members",
        "organisations",
        ["id"],
        postgresql_where=sa.text("is_efpia_member"),
        sqlite_where=sa.text("is_efpia_member"),
    )


def downgrade() -> None:
    op.drop_index("ix_organisations_efpia_members", table_name="organisations")
    op.drop_index("ix_pledges_status_updated_at", table_name="pledges")
    op.drop_index("ix_pledges_programme_id_status", table_name="pledges")
    with op.batch_alter_table("pledges") as batch:
        batch.drop_constraint("fk_pledges_topic_programme", type_="foreignkey")
        batch.drop_constraint("fk_pledges_programme_id_programmes", type_="foreignkey")
        batch.drop_column("programme_id")
    op.drop_index("uq_topics_id_programme_id", table_name="topics")
