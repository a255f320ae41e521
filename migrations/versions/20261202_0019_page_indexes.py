"""an index of the pledges by state and age: the office's queue of submitted pledges

Revision ID: 20261202_0019
Revises: 20261201_0017
Create Date: 2026-12-02 01:00:00

The programme office's dashboard lists the submitted pledges oldest first, with their
number (about 4,000 on the full dataset): the first eight come from this index in order,
instead of sorting every submitted pledge joined to its topic and organisation.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261202_0019"
down_revision: str | Sequence[str] | None = "20261201_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_pledges_status_updated_at", "pledges", ["status", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_pledges_status_updated_at", table_name="pledges")
