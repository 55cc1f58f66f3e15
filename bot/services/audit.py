"""The audit trail: one row per staff action, written in the transaction of the action itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, utcnow


def record(session: AsyncSession, actor: int | None, action: str, subject: str | None, **details: Any) -> AuditEntry:
    """``actor`` None is the command line. ``details`` must be JSON: codes and ids, never message content."""
    entry = AuditEntry(at=utcnow(), actor_user_id=actor, action=action, subject=subject, details=details)
    session.add(entry)
    return entry
