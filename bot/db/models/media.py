"""Files people sent on one channel, kept so that people on another channel can receive them (a citizen's photo on
WhatsApp reaches the liaison on Telegram), and each channel's own reference to a copy it already has, so that a
file is uploaded to a channel once and reused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class MediaFile(Base):
    """A file by its ``source``: the reference it arrived with, prefixed by its channel (``whatsapp:<media id>``,
    ``telegram:<file_id>``). ``content`` is None until it was downloaded."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo, video, audio, voice, document
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaCopy(Base):
    """A channel's own reference to a file it was sent once (a Telegram ``file_id``, a WhatsApp media id)."""

    __tablename__ = "media_copies"

    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    reference: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxPart(Base):
    """One message a channel made of an outbox row (a long list goes to WhatsApp as two), by the channel's id for it,
    which its delivery receipts name. ``last``: the row's last part, whose receipts speak for the row (any part's
    failure does too). ``superseded``: the row was sent again since (as a template), so what is said of this part
    no longer counts."""

    __tablename__ = "outbox_parts"

    channel_message_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    last: Mapped[bool] = mapped_column(Boolean, default=True)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
