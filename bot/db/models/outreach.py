"""Outreach tables: citizens' subscriptions to announcements, and the broadcasts sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class Subscription(Base):
    """A citizen's subscription to announcements: an area (a regency or city; None: all of Indonesia) and
    topics. Ending it keeps the row (when and why), so subscribing again is one tap."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True, autoincrement=False)
    regency_code: Mapped[str | None] = mapped_column(String(16), index=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    subscribed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    end_reason: Mapped[str | None] = mapped_column(String(16))


class Broadcast(Base):
    """An announcement to subscribers: who it is for, what it says, and how far queuing got. Recipients are
    queued in user id order, and ``cursor`` (the last one queued) moves in the transaction that queues them,
    so a restart neither repeats nor skips anyone."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    scope_code: Mapped[str | None] = mapped_column(String(16))  # a province or regency; None: everyone
    language: Mapped[str | None] = mapped_column(String(8))
    topic: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(32))  # only subscribers who reported in it
    text: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(256))
    sender: Mapped[str | None] = mapped_column(String(256))  # the office it comes from, as its copies name it
    state: Mapped[str] = mapped_column(String(12), default="sending", index=True)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # counted when sending started
    queued: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # The admin's message that shows progress live (edited every few seconds) until the last copy is settled.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(Integer)
    progress_shown_at: Mapped[datetime | None] = mapped_column()
    progress_final: Mapped[bool] = mapped_column(Boolean, default=False)
