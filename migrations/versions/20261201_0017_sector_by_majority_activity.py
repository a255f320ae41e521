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
    # Plain ALTER TABLE ... ADD COLUMN on both databases, no batch copy: on SQLite a copy
    # of organisations must drop the old table, which every participation, contact and
    # pledge refers to (on the full registry: minutes, then a foreign-key refusal). The
    # server default stays for the same reason (dropping it needs the copy).
    op.add_column("participations", sa.Column("activity_type", sa.String(length=3), nullable=True))
    op.add_column(
        "organisations",
        sa.Column("sector_by_hand", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
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
    op.drop_column("organisations", "sector_by_hand")  # native on SQLite >= 3.35
    op.drop_column("participations", "activity_type")
