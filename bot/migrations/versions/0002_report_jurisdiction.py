"""report jurisdiction

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:43:56.670168
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('regency_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('district_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('village_code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('road_name', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('road_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('agency_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('agency_name', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('routing_confidence', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('routing_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_agency_code'), ['agency_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_regency_code'), ['regency_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_regency_code'))
        batch_op.drop_index(batch_op.f('ix_reports_agency_code'))
        batch_op.drop_column('routing_reason')
        batch_op.drop_column('routing_confidence')
        batch_op.drop_column('agency_name')
        batch_op.drop_column('agency_code')
        batch_op.drop_column('road_status')
        batch_op.drop_column('road_name')
        batch_op.drop_column('village_code')
        batch_op.drop_column('district_code')
        batch_op.drop_column('regency_code')
        batch_op.drop_column('province_code')

