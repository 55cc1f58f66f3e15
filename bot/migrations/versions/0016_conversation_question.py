"""conversation question: a command's own question asked while a flow is open (/status asking for a tracking ID
in the middle of a report), answered before the flow's

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 17:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('question')
