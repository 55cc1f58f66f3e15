"""Forwarding to other systems (bot.forwarding): what is to be sent where, durably, and how the other system knows
each report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class Forward(Base):
    """One event of a report for one target, written in the transaction that makes the event; sent, in order per
    report and target, by the forwarding job, again until the target answers 2xx. ``key`` is its idempotency key:
    unique here, and sent with it, so that a retry after a lost answer is not taken twice there."""

    __tablename__ = "forwards"
    __table_args__ = (Index("ix_forwards_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(16))  # filed, status_changed, answered, closed
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(96), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column()  # what is sent, as it was when the event happened
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class ReportLink(Base):
    """A report as a target knows it: its id there (and a LAPOR! tracking ID, where the target gave one), and the
    status last read from it."""

    __tablename__ = "report_links"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    target: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # the target's kind when linked: open311 or webhook
    remote_id: Mapped[str | None] = mapped_column(String(64))
    lapor_id: Mapped[str | None] = mapped_column(String(32))
    remote_status: Mapped[str | None] = mapped_column(String(16))
    remote_note: Mapped[str | None] = mapped_column(Text)
    remote_updated_at: Mapped[datetime | None] = mapped_column()
    checked_at: Mapped[datetime | None] = mapped_column()
