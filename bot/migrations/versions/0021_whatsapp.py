"""a second channel: files kept to pass between channels (media_files, media_copies); inbox rows keyed by the
channel's own message id (message_key); what the channel said of a sent message (outbox receipt columns); a
WhatsApp window found closed (contacts.window_closed_at); a contact its person asked the bot to forget
(contacts.forgotten_at). Additive: older processes keep working beside it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_OUTBOX_COLUMNS = (('channel_message_id', sa.String(length=160)), ('receipt', sa.String(length=12)),
                   ('receipt_at', sa.DateTime(timezone=True)), ('receipt_error', sa.Text()))


def upgrade() -> None:
    op.create_table(
        'media_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('mime_type', sa.String(length=128), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source'),
    )
    op.create_table(
        'media_copies',
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('reference', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('media_id', 'channel'),
    )
    # Plain ADD COLUMN (in place on SQLite too): a batch would copy these busy tables.
    op.add_column('inbox_updates', sa.Column('message_key', sa.String(length=160), nullable=True))
    for name, kind in _OUTBOX_COLUMNS:
        op.add_column('outbox', sa.Column(name, kind, nullable=True))
    op.create_index('ix_outbox_channel_message_id', 'outbox', ['channel_message_id'], unique=False)
    op.add_column('contacts', sa.Column('window_closed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('contacts', sa.Column('forgotten_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('contacts', 'forgotten_at')
    op.drop_column('contacts', 'window_closed_at')
    op.drop_index('ix_outbox_channel_message_id', table_name='outbox')
    for name, _ in reversed(_OUTBOX_COLUMNS):
        op.drop_column('outbox', name)
    op.drop_column('inbox_updates', 'message_key')
    op.drop_table('media_copies')
    op.drop_table('media_files')
