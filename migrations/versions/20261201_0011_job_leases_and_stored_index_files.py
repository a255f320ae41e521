"""job leases, cancelled jobs and index files stored in the database

Revision ID: 20261201_0011
Revises: 20261201_0010
Create Date: 2026-12-01 13:59:24.142374
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261201_0011'
down_revision: str | Sequence[str] | None = '20261201_0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (states before, states after): each job can now be cancelled.
STATES = {
    'match_requests': ("'queued', 'running', 'done', 'failed'", ", 'cancelled'"),
    'expertise_indexes': ("'queued', 'building', 'ready', 'failed', 'unchanged'", ", 'cancelled'"),
    'import_runs': ("'queued', 'running', 'done', 'failed'", ", 'cancelled'"),
}


def upgrade() -> None:
    op.create_table('expertise_index_files',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['expertise_indexes.id'], name=op.f('fk_expertise_index_files_version_id_expertise_indexes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', name=op.f('pk_expertise_index_files'))
    )
    with op.batch_alter_table('expertise_indexes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=32), server_default='', nullable=False))
    for table, (before, added) in STATES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
            batch_op.add_column(sa.Column('lease_owner', sa.String(length=200), server_default='', nullable=False))
            batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('rung_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('cancel_requested_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.drop_constraint(op.f(f'ck_{table}_status_valid'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_status_valid'), f"status IN ({before}{added})")


def downgrade() -> None:
    for table, (before, _added) in STATES.items():
        op.execute(f"UPDATE {table} SET status = 'failed' WHERE status = 'cancelled'")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_status_valid'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_status_valid'), f"status IN ({before})")
            batch_op.drop_column('cancel_requested_at')
            batch_op.drop_column('rung_at')
            batch_op.drop_column('lease_expires_at')
            batch_op.drop_column('lease_owner')
            batch_op.drop_column('attempts')
    with op.batch_alter_table('expertise_indexes', schema=None) as batch_op:
        batch_op.drop_column('token')
    op.drop_table('expertise_index_files')
