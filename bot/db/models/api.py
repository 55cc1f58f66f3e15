"""Other systems' access through the Open311 API (bot.web.open311): their keys, and what they told us about the
reports they filed. A key is stored as a hash only: the secret is shown once, when it is made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class ApiKey(Base):
    """A key: ``prefix`` names it in lists and logs (and finds its row); ``secret_hash`` is the SHA-256 of the
    whole key, which is 32 random bytes and so needs no slow hash."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))  # whose it is, as the operator wrote it
    scope: Mapped[str] = mapped_column(String(8))  # "read", or "write" (read and write)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class ApiReport(Base):
    """A report filed through the API: the key that filed it, the token it was given, and the reporter's contact
    (none when anonymous), which only staff of the report's agency ever see."""

    __tablename__ = "api_reports"
    __table_args__ = (UniqueConstraint("api_key_id", "idempotency_key", name="uq_api_reports_idempotency"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    media_url: Mapped[str | None] = mapped_column(Text)
    first_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    device_id: Mapped[str | None] = mapped_column(String(128))
    account_id: Mapped[str | None] = mapped_column(String(128))
    # The caller's Idempotency-Key: the same filing posted again (a retry after a lost answer) gets the first answer.
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
