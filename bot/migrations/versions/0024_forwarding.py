"""forwarding to other systems: the durable queue (forwards) and how each target knows a report (report_links).
Additive.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'forwards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=32), nullable=False),
        sa.Column('event', sa.String(length=16), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=96), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['report_events.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_forwards_due', 'forwards', ['state', 'next_attempt_at'], unique=False)
    op.create_index('ix_forwards_report_id', 'forwards', ['report_id'], unique=False)
    op.create_table(
        'report_links',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('remote_id', sa.String(length=64), nullable=True),
        sa.Column('lapor_id', sa.String(length=32), nullable=True),
        sa.Column('remote_status', sa.String(length=16), nullable=True),
        sa.Column('remote_note', sa.Text(), nullable=True),
        sa.Column('remote_updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('report_id', 'target'),
    )


def downgrade() -> None:
    op.drop_table('report_links')
    op.drop_index('ix_forwards_report_id', table_name='forwards')
    op.drop_index('ix_forwards_due', table_name='forwards')
    op.drop_table('forwards')
