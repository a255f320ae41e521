"""invitations to persons: invited people with signed links, expiry, reminders, reasons,
closing a consortium

Revision ID: 20261201_0013
Revises: 20261201_0012
Create Date: 2026-12-01 13:58:34.194569
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261201_0013'
down_revision: str | Sequence[str] | None = '20261201_0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = "status IN ('sent', 'no_contact', 'accepted', 'declined', 'withdrawn')"
NEW_STATES = "status IN ('sent', 'no_contact', 'accepted', 'declined', 'expired', 'withdrawn')"


def upgrade() -> None:
    op.create_table('invited_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('reminder_token_hash', sa.String(length=64), nullable=True),
    sa.Column('account_created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['organisation_contacts.id'], name=op.f('fk_invited_people_contact_id_organisation_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['consortium_invitations.id'], name=op.f('fk_invited_people_invitation_id_consortium_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invited_people_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invited_people')),
    sa.UniqueConstraint('invitation_id', 'email', name=op.f('uq_invited_people_invitation_id_email')),
    sa.UniqueConstraint('reminder_token_hash', name=op.f('uq_invited_people_reminder_token_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invited_people_token_hash'))
    )
    with op.batch_alter_table('invited_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invited_people_invitation_id'), ['invitation_id'], unique=False)

    with op.batch_alter_table('consortium_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_consortium_invitations_expires_at'), ['expires_at'], unique=False)
        batch_op.drop_constraint(op.f('ck_consortium_invitations_status_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_consortium_invitations_status_valid'), NEW_STATES)

    with op.batch_alter_table('match_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_match_requests_closed_by_id_users'), 'users', ['closed_by_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('match_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_match_requests_closed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_at')

    # An expired invitation was a decline in all but name.
    op.execute("UPDATE consortium_invitations SET status = 'declined' WHERE status = 'expired'")
    with op.batch_alter_table('consortium_invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consortium_invitations_status_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_consortium_invitations_status_valid'), OLD_STATES)
        batch_op.drop_index(batch_op.f('ix_consortium_invitations_expires_at'))
        batch_op.drop_column('reason')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('invited_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invited_people_invitation_id'))

    op.drop_table('invited_people')
