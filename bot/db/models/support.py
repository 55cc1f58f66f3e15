"""Support ("dukung"): people who add their voice to someone else's report instead of filing the same again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class Support(Base):
    """One person's support of a report: counted once (``reports.supporters``), and heard from like its reporter in
    the chat they supported it from, until they stop following (their support still counts). No one is shown who
    supports a report."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("report_id", "user_id", name="uq_supports_report_user"),
                      Index("ix_supports_user_created", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    via: Mapped[str] = mapped_column(String(16))  # suggested (while filing), link (/dukung or a shared link), merged
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
