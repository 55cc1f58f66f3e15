"""Where a person (or a group) is reached: a chat on one channel. A person is a user with one or more contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class Contact(Base):
    """A chat on a channel: a person's private chat (``user_id`` set) or a group (``user_id`` None).

    Its ``id`` is the key the rest of the schema calls a chat (``Conversation.chat_id``, ``Report.chat_id``: the
    chat a report was filed from, where its reporter hears about it, ``OutboxMessage.chat_id``, ...). A Telegram
    chat's id is Telegram's own chat id, as every row written before contacts existed has it; other channels' chats
    get ids from ``bot.services.contacts.OWN_IDS_FROM`` up, a range Telegram never uses."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_contacts_channel_address"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))  # the channel's own id of the chat (a phone number, ...)
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    private: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # WhatsApp said its 24-hour window was closed (error 131047) although the bot thought it open: free-form
    # messages wait for the person's next message, templates go out meanwhile.
    window_closed_at: Mapped[datetime | None] = mapped_column()
    # The person asked the bot to forget this contact (/lupakan): nothing more is sent here once the confirmation had
    # time to go out, and the retention job then replaces the address (a phone number) with a tombstone.
    forgotten_at: Mapped[datetime | None] = mapped_column()
