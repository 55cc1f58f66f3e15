"""sender heartbeats: who holds an outbox claim, and whether that process is alive; which text a reply answers

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 17:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_senders',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('answers', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('answers')
        batch_op.drop_column('claimed_by')
    op.drop_table('outbox_senders')
