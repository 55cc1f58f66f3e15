"""files made for a chat (exports, charts): ordered, built by a job, stored until sent; the export and chart
messages still waiting in the outbox, which delivery drew at sending, become orders (their JSON is the recipe)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

RECIPES = ('export', 'charts')  # the outbox payload types that delivery used to build itself


def upgrade() -> None:
    orders = op.create_table(
        'file_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=True),
        sa.Column('recipe', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_file_orders_state', 'file_orders', ['state', 'id'], unique=False)
    op.create_table(
        'generated_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('file_name', sa.String(length=128), nullable=False),
        sa.Column('caption', sa.Text(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['file_orders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_generated_files_order_id', 'generated_files', ['order_id'], unique=False)
    _waiting_exports_and_charts_become_orders(orders)


def _waiting_exports_and_charts_become_orders(orders: sa.Table) -> None:
    """Unsent export and chart messages are ordered instead (built and queued by the file job within seconds);
    their outbox rows go, since delivery can no longer draw them."""
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('chat_id', sa.BigInteger),
                      sa.column('user_id', sa.BigInteger), sa.column('payload', sa.JSON), sa.column('state', sa.String),
                      sa.column('created_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    waiting = connection.execute(sa.select(outbox).where(outbox.c.state.in_(('pending', 'held'))).order_by(outbox.c.id))
    moved = [row for row in waiting if (row.payload or {}).get('type') in RECIPES]
    if not moved:
        return
    op.bulk_insert(orders, [{'chat_id': row.chat_id, 'user_id': row.user_id, 'recipe': row.payload, 'state': 'pending',
                             'attempts': 0, 'created_at': row.created_at} for row in moved])
    connection.execute(sa.delete(outbox).where(outbox.c.id.in_([row.id for row in moved])))


def downgrade() -> None:
    op.drop_index('ix_generated_files_order_id', table_name='generated_files')
    op.drop_table('generated_files')
    op.drop_index('ix_file_orders_state', table_name='file_orders')
    op.drop_table('file_orders')
