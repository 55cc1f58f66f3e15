"""durable inbox, one outbox for everything sent, conversation flows, look-up limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('update_id')
    )
    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_chat_state', ['chat_id', 'state', 'update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_updates_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_updates_state'), ['state'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('replace_key', sa.String(length=96), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['report_events.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_chat_state', ['chat_id', 'state', 'id'], unique=False)
        batch_op.create_index('ix_outbox_due', ['state', 'priority', 'next_attempt_at'], unique=False)

    # Notifications not yet sent move to the outbox; a chat marked unreachable holds them until it unblocks.
    op.execute(
        "INSERT INTO outbox (chat_id, user_id, kind, priority, report_id, event_id, state, attempts, next_attempt_at, created_at, sent_at, last_error) "
        "SELECT chat_id, user_id, kind, 1, report_id, event_id, CASE state WHEN 'unreachable' THEN 'held' ELSE state END, "
        "attempts, next_attempt_at, created_at, sent_at, last_error FROM notifications"
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_state'))
        batch_op.drop_index(batch_op.f('ix_notifications_next_attempt_at'))
    op.drop_table('notifications')
    with op.batch_alter_table('processed_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_updates_processed_at'))
    op.drop_table('processed_updates')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow', sa.String(length=16), nullable=False, server_default='intake'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lookups_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lookups', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    raise NotImplementedError("the inbox and outbox cannot be folded back into the old tables")
