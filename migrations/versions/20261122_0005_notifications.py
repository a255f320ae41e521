"""notifications: delivery preferences, deadline reminders, task runs, outbox leases and digests

Revision ID: 20261122_0005
Revises: 20261122_0004
Create Date: 2026-11-22 00:40:57.807318
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261122_0005'
down_revision: str | Sequence[str] | None = "20261122_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('task_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=120), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('hostname', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f('ck_task_runs_status_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_runs'))
    )
    with op.batch_alter_table('task_runs', schema=None) as batch_op:
        batch_op.create_index('ix_task_runs_status_started', ['status', 'started_at'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=60), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.CheckConstraint("mode IN ('immediate', 'digest', 'off')", name=op.f('ck_notification_preferences_mode_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'event', name=op.f('uq_notification_preferences_user_id_event'))
    )
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preferences_user_id'), ['user_id'], unique=False)

    op.create_table('deadline_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('stage1', 'stage2')", name=op.f('ck_deadline_reminders_stage_valid')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_deadline_reminders_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deadline_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminders')),
    sa.UniqueConstraint('user_id', 'call_id', 'stage', 'days', name=op.f('uq_deadline_reminders_user_id_call_id_stage_days'))
    )
    with op.batch_alter_table('deadline_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_reminders_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_reminders_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=10), server_default='immediate', nullable=False))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('digest_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_digest_id'), ['digest_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_inbox', ['recipient_id', 'channel', 'read_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_messages_dedupe_key'), ['dedupe_key'])
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_digest_id_outbox_messages'), 'outbox_messages', ['digest_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_status_valid'),
            "status IN ('pending', 'sending', 'sent', 'failed', 'digested')",
        )
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_mode_valid'), "mode IN ('immediate', 'digest')"
        )



def downgrade() -> None:
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE status = 'digested'")
    op.execute("DELETE FROM outbox_messages WHERE mode = 'digest' AND status = 'pending'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_mode_valid'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_status_valid'),
            "status IN ('pending', 'sending', 'sent', 'failed')",
        )
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_digest_id_outbox_messages'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_outbox_messages_dedupe_key'), type_='unique')
        batch_op.drop_index('ix_outbox_messages_inbox')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_digest_id'))
        batch_op.drop_column('digest_id')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('lease_token')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('mode')

    with op.batch_alter_table('deadline_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reminders_user_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_reminders_call_id'))

    op.drop_table('deadline_reminders')
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preferences_user_id'))

    op.drop_table('notification_preferences')
    with op.batch_alter_table('task_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_task_runs_status_started')

    op.drop_table('task_runs')
