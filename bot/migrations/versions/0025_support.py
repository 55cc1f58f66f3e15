"""support ("dukung"): who supports which report (supports), the count, the grid cell and the report a duplicate
was merged into on reports, and the indexes that find a report's possible duplicates. Additive; the grid cell of every pinned report is filled in.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 05:00:00
"""
import sqlalchemy as sa
from alembic import op

from bot.domain.nearby import grid_cell

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.add_column('reports', sa.Column('grid_cell', sa.BigInteger(), nullable=True))
    op.add_column('reports', sa.Column('supporters', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('reports') as batch:
        batch.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_reports_merged_into', 'reports', ['merged_into_id'], ['id'])
    _fill_grid_cells()
    op.create_index('ix_reports_grid_category', 'reports', ['grid_cell', 'category'], unique=False)
    op.create_index('ix_reports_district_category', 'reports', ['district_code', 'category'], unique=False)
    op.create_table(
        'supports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('via', sa.String(length=16), nullable=False),
        sa.Column('following', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('report_id', 'user_id', name='uq_supports_report_user'),
    )
    op.create_index('ix_supports_user_created', 'supports', ['user_id', 'created_at'], unique=False)


def _fill_grid_cells() -> None:
    connection = op.get_bind()
    reports = sa.table('reports', sa.column('id', sa.Integer), sa.column('latitude', sa.Float),
                       sa.column('longitude', sa.Float), sa.column('grid_cell', sa.BigInteger))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(reports.c.id, reports.c.latitude, reports.c.longitude)
            .where(reports.c.id > last, reports.c.latitude.is_not(None), reports.c.longitude.is_not(None))
            .order_by(reports.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(reports.update().where(reports.c.id == sa.bindparam('row_id')).values(
            grid_cell=sa.bindparam('cell')), [{'row_id': row.id, 'cell': grid_cell(row.latitude, row.longitude)}
                                              for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index('ix_supports_user_created', table_name='supports')
    op.drop_table('supports')
    op.drop_index('ix_reports_district_category', table_name='reports')
    op.drop_index('ix_reports_grid_category', table_name='reports')
    with op.batch_alter_table('reports') as batch:
        batch.drop_constraint('fk_reports_merged_into', type_='foreignkey')
        batch.drop_column('merged_into_id')
        batch.drop_column('supporters')
        batch.drop_column('grid_cell')
