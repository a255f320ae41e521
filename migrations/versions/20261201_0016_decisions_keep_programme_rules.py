"""decisions keep the programme rules they used: review thresholds, consortium rules

Revision ID: 20261201_0016
Revises: 20261201_0015
Create Date: 2026-12-01 17:40:00

Existing submitted reviews and match requests get the programme's values of today, so a
later change of the settings leaves them as they were judged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_0016"
down_revision: str | Sequence[str] | None = "20261201_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("topic_reviews") as batch:
        batch.add_column(sa.Column("threshold_each", sa.Numeric(3, 1), nullable=True))
        batch.add_column(sa.Column("threshold_total", sa.Numeric(3, 1), nullable=True))
    with op.batch_alter_table("match_requests") as batch:
        batch.add_column(sa.Column("min_consortium_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("min_countries", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE topic_reviews SET "
        "threshold_each = (SELECT p.threshold_each FROM programmes p JOIN topics t "
        "ON t.programme_id = p.id WHERE t.id = topic_reviews.topic_id), "
        "threshold_total = (SELECT p.threshold_total FROM programmes p JOIN topics t "
        "ON t.programme_id = p.id WHERE t.id = topic_reviews.topic_id) "
        "WHERE submitted_at IS NOT NULL"
    )
    op.execute(
        "UPDATE match_requests SET "
        "min_consortium_size = (SELECT p.min_consortium_size FROM programmes p JOIN topics t "
        "ON t.programme_id = p.id WHERE t.id = match_requests.topic_id), "
        "min_countries = (SELECT p.min_countries FROM programmes p JOIN topics t "
        "ON t.programme_id = p.id WHERE t.id = match_requests.topic_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("match_requests") as batch:
        batch.drop_column("min_countries")
        batch.drop_column("min_consortium_size")
    with op.batch_alter_table("topic_reviews") as batch:
        batch.drop_column("threshold_total")
        batch.drop_column("threshold_each")
