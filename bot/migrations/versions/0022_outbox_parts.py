"""each message a channel made of an outbox row (outbox_parts), so that a delivery receipt for any of them finds
its row: WhatsApp sends a long list as two messages, and a failure of the first must count. Additive.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_parts',
        sa.Column('channel_message_id', sa.String(length=160), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=False),
        sa.Column('last', sa.Boolean(), nullable=False),
        sa.Column('superseded', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('channel_message_id'),
    )
    op.create_index('ix_outbox_parts_outbox_id', 'outbox_parts', ['outbox_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_parts_outbox_id', table_name='outbox_parts')
    op.drop_table('outbox_parts')
