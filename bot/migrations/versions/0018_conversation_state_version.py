"""conversation state version: every conversation's state is typed (bot.domain.conversation_state), tagged by its
flow and versioned; the rows stored so far hold version 1 of their flow's state

Version 1 of each state is the JSON its flow stored before, key for key, so the rows stay as they are (a process
of the previous release reads them, and what this release writes, while a release rolls out) except the one
shape that was no state of its flow: a /langganan question held an empty intake draft, now nothing.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 08:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

conversations = sa.table('conversations', sa.column('flow', sa.String), sa.column('draft', sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_version', sa.SmallInteger(), server_default='1', nullable=False))
    op.execute(conversations.update().where(conversations.c.flow == 'sub_area').values(draft={}))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('state_version')
