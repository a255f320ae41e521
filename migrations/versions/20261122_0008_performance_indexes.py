"""performance_indexes

Revision ID: 20261122_0008
Revises: 20261122_0007
Create Date: 2026-11-22 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '20261122_0008'
down_revision: str | Sequence[str] | None = "20261122_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Same text as models.topics.TOPIC_SEARCH_TEXT (a revision does not import models).
TOPIC_SEARCH_TEXT = (
    "((((((((((((COALESCE(title, ''::character varying)::text || ' '::text) "
    "|| COALESCE(identifier, ''::character varying)::text) || ' '::text) "
    "|| COALESCE(challenge, ''::text)) || ' '::text) || COALESCE(scope, ''::text)) "
    "|| ' '::text) || COALESCE(expected_outcomes, ''::text)) || ' '::text) "
    "|| COALESCE(expected_impact, ''::text)) || ' '::text) || COALESCE(keywords, ''::text))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Topic search (services.topic_list): ILIKE '%word%' on the concatenated texts.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_topics_search_trgm ON topics "
            f"USING gin ({TOPIC_SEARCH_TEXT} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_topics_search_trgm")
