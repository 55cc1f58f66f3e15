"""broadcast progress: the admin's message that is edited live while a broadcast goes out

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 04:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('progress_message_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('progress_shown_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('progress_final', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('progress_final')
        batch_op.drop_column('progress_shown_at')
        batch_op.drop_column('progress_message_id')
        batch_op.drop_column('progress_chat_id')
