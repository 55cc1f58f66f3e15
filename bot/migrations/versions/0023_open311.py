"""the Open311 API: keys (api_keys, stored hashed) and what a system told about the reports it filed
(api_reports). Additive.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 00:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('prefix'),
    )
    op.create_table(
        'api_reports',
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('media_url', sa.Text(), nullable=True),
        sa.Column('first_name', sa.String(length=128), nullable=True),
        sa.Column('last_name', sa.String(length=128), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('phone', sa.String(length=32), nullable=True),
        sa.Column('device_id', sa.String(length=128), nullable=True),
        sa.Column('account_id', sa.String(length=128), nullable=True),
        sa.Column('idempotency_key', sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id']),
        sa.PrimaryKeyConstraint('report_id'),
        sa.UniqueConstraint('token'),
        sa.UniqueConstraint('api_key_id', 'idempotency_key', name='uq_api_reports_idempotency'),
    )
    op.create_index('ix_api_reports_api_key_id', 'api_reports', ['api_key_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_api_reports_api_key_id', table_name='api_reports')
    op.drop_table('api_reports')
    op.drop_table('api_keys')
