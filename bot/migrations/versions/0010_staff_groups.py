"""staff groups: a group chat linked to an agency or hub, where its staff work reports together

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 00:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_groups',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('agency_code', sa.String(length=64), nullable=False),
    sa.Column('linked_by', sa.BigInteger(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id')
    )
    with op.batch_alter_table('staff_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_groups_agency_code'), ['agency_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_groups_agency_code'))
    op.drop_table('staff_groups')
