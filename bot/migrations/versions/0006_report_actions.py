"""staff actions: a report's version (one action wins), its resolution class and current deadline, and
which action wrote an event

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('resolution_class', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('due_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_due_at'), ['due_at'], unique=False)
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.String(length=16), nullable=True))
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_attachments_event', 'report_events', ['event_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attachments_event', type_='foreignkey')
        batch_op.drop_column('event_id')
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.drop_column('action')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_due_at'))
        batch_op.drop_column('due_at')
        batch_op.drop_column('due_kind')
        batch_op.drop_column('resolution_class')
        batch_op.drop_column('version')
