"""report milestones: when a report was first verified and first answered, for statistics and exports

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 06:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
    # Reports worked before this revision: the first verify, and the first answer or resolution, in their history.
    for column, actions in (('verified_at', "('verify')"), ('answered_at', "('answer', 'resolve')")):
        op.execute(f"UPDATE reports SET {column} = (SELECT min(at) FROM report_events e "
                   f"WHERE e.report_id = reports.id AND e.action IN {actions})")


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('answered_at')
        batch_op.drop_column('verified_at')
