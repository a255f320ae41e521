"""indexes of the topic form: industry partners, the duplicate-title filter

Revision ID: 20261202_0020
Revises: 20261202_0018
Create Date: 2026-12-02 01:00:00

The topic form lists them by name (EFPIA members and approved partners: tens among the
~29,000 organisations of the CORDIS registry); without the index every topic form scanned
the whole table. The duplicate-title warning of every topic form and save filters the
programme's topics by the title's length without spaces: an expression index, not a scan
of every topic's texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261202_0020"
down_revision: str | Sequence[str] | None = "20261202_0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_organisations_industry_partners",
        "organisations",
        ["legal_name"],
        postgresql_where=sa.text("is_efpia_member IS true OR partner_type IS NOT NULL"),
        sqlite_where=sa.text("is_efpia_member IS 1 OR partner_type IS NOT NULL"),
    )
    op.create_index(
        "ix_topics_programme_title_length",
        "topics",
        ["programme_id", sa.text("length(replace(title, ' ', ''))")],
    )


def downgrade() -> None:
    op.drop_index("ix_topics_programme_title_length", table_name="topics")
    op.drop_index("ix_organisations_industry_partners", table_name="organisations")
