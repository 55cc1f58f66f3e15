"""indexes for the staff inbox: reports by status oldest first, oldest first overall, and by province

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:10:00
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_reports_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_province_code'), ['province_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_province_code'))
        batch_op.drop_index('ix_reports_created')
        batch_op.drop_index('ix_reports_status_created')
