"""Staff: the roles people hold, the invitations to them, the group chats linked to an agency, and the audit
trail of who did what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, utcnow


class StaffRole(Base):
    """A role held by a Telegram user; revoked roles stay, with who revoked them and when."""

    __tablename__ = "staff_roles"
    __table_args__ = (Index("ix_staff_roles_agency", "agency_code", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key to users: the first admin is made from the command line before they ever wrote to the bot.
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(String(64))  # NULL for the national admin
    granted_by: Mapped[int | None] = mapped_column(BigInteger)  # NULL: the command line
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[int | None] = mapped_column(BigInteger)


class Invitation(Base):
    """A one-time invitation to a role, redeemed through the deep link ``/start <token>``."""

    __tablename__ = "invitations"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(BigInteger)  # NULL: the command line
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[int | None] = mapped_column(BigInteger)


class AuditEntry(Base):
    """The audit trail: who (NULL = the command line) did what to whom, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str | None] = mapped_column(String(96), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StaffGroup(Base):
    """A group chat an admin linked to an agency or hub: its staff work reports there, and it hears what they
    hear. Unlinking deletes the row (the audit trail keeps both)."""

    __tablename__ = "staff_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    agency_code: Mapped[str] = mapped_column(String(64), index=True)
    linked_by: Mapped[int] = mapped_column(BigInteger)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
