"""contacts: a person is a user with one or more chats on channels, told things in the one they last wrote from;
the chats the bot knows so far are Telegram's

Every chat id already stored (a user's private chat, a linked staff group, the chat of a conversation, a report
or an outbox row) becomes a Telegram contact whose id is that chat id, so no stored reference changes.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_KNOWN = "SELECT 1 FROM contacts WHERE contacts.id = {column}"


def upgrade() -> None:
    op.create_table(
        'contacts',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=True),
        sa.Column('private', sa.Boolean(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'address', name='uq_contacts_channel_address'),
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_user_id'), ['user_id'], unique=False)
    op.add_column('users', sa.Column('last_chat_id', sa.BigInteger(), nullable=True))
    op.execute("INSERT INTO contacts (id, channel, address, user_id, private, last_seen_at) "
               "SELECT id, 'telegram', CAST(id AS VARCHAR(64)), id, true, created_at FROM users")
    for table, column in (("staff_groups", "chat_id"), ("conversations", "chat_id"), ("reports", "chat_id"),
                          ("outbox", "chat_id")):
        # Telegram's private chats have the user's (positive) id, groups negative ones.
        op.execute(f"INSERT INTO contacts (id, channel, address, user_id, private, last_seen_at) "
                   f"SELECT DISTINCT {column}, 'telegram', CAST({column} AS VARCHAR(64)), "
                   f"(SELECT users.id FROM users WHERE users.id = {table}.{column}), {column} > 0, CURRENT_TIMESTAMP "
                   f"FROM {table} WHERE {column} IS NOT NULL AND NOT EXISTS ({_KNOWN.format(column=f'{table}.{column}')})")


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_user_id'))
    op.drop_table('contacts')
    # Not a batch: SQLite's would copy the users table, which every other table refers to (SQLite 3.35+ drops a
    # column in place).
    op.drop_column('users', 'last_chat_id')
