"""report alerts: when the deadline sweep must next look at a report (so a backlog of escalated reports can
never hide the ones that are due), the auto-close clock of an answer, and the rating's comment

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 00:10:00
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ESCALATING = ('verification', 'first_answer', 'resolution')


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_alert_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('auto_close_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rating_comment', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_next_alert_at'), ['next_alert_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_auto_close_at'), ['auto_close_at'], unique=False)
    # Every running clock is looked at once by the next sweeps, which work out its real next alert.
    reports = sa.table('reports', sa.column('next_alert_at', sa.DateTime(timezone=True)), sa.column('due_kind', sa.String))
    op.execute(reports.update().where(reports.c.due_kind.in_(ESCALATING))
               .values(next_alert_at=datetime(2000, 1, 1, tzinfo=UTC)))


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_auto_close_at'))
        batch_op.drop_index(batch_op.f('ix_reports_next_alert_at'))
        batch_op.drop_column('rating_comment')
        batch_op.drop_column('auto_close_at')
        batch_op.drop_column('next_alert_at')
