"""programmes.pledge_sums_token: the funding pages' sums are kept until a pledge changes them

Revision ID: 20261202_0021
Revises: 20261202_0020
Create Date: 2026-12-02 06:00:00

A random value per programme, replaced by every change that reaches the programme's sums
of submitted and confirmed pledges (services.pledges.sums_cache); each process keeps the
sums of the funding pages under it. Existing programmes get a value of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0021"
down_revision: str | Sequence[str] | None = "20261202_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NOT NULL with a default is added in place on SQLite too (programmes is referenced by
    # many tables: no copy of it).
    op.add_column(
        "programmes",
        sa.Column("pledge_sums_token", sa.String(32), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    programmes = sa.table("programmes", sa.column("id"), sa.column("pledge_sums_token"))
    for (programme_id,) in connection.execute(sa.select(programmes.c.id)):
        connection.execute(
            programmes.update()
            .where(programmes.c.id == programme_id)
            .values(pledge_sums_token=uuid.uuid4().hex)
        )


def downgrade() -> None:
    # In place on both (SQLite 3.35+): a batch copy of programmes would break its references.
    op.execute("ALTER TABLE programmes DROP COLUMN pledge_sums_token")
