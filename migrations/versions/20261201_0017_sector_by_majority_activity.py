"""participations keep their CORDIS activity type; organisations know a hand-set sector

Revision ID: 20261201_0017
Revises: 20261201_0016
Create Date: 2026-12-01 21:30:00

An organisation's sector becomes the most frequent activity type of its participation
rows (recomputed at the end of every CORDIS import), so each row keeps its own type:
NULL for rows imported before (they get one at the next import of their file). An
organisation whose sector someone already changed by hand (an ``organisation.update``
audit entry that changed "sector") is marked, so no import overwrites that choice.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0017"
down_revision: str | Sequence[str] | None = "20261201_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participations") as batch:
        batch.add_column(sa.Column("activity_type", sa.String(length=3), nullable=True))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column("sector_by_hand", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("organisations") as batch:
        batch.alter_column("sector_by_hand", server_default=None)
    if op.get_bind().dialect.name == "postgresql":
        edited = "(details -> 'changes' -> 'sector') IS NOT NULL"
    else:
        edited = "json_extract(details, '$.changes.sector') IS NOT NULL"
    op.execute(
        "UPDATE organisations SET sector_by_hand = true WHERE id IN ("
        "SELECT object_id FROM audit_log WHERE action = 'organisation.update' "
        f"AND object_type = 'organisations' AND {edited})"
    )


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("sector_by_hand")
    with op.batch_alter_table("participations") as batch:
        batch.drop_column("activity_type")
