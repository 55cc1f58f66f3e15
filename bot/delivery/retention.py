"""What the outbox forgets once no retry needs it (the retention job's, bot.jobs.retention)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import bulk_update
from bot.db.models import OutboxMessage, utcnow
from bot.delivery.outbox import FAILED, SENT, WITHDRAWN


@dataclass(frozen=True)
class Forgotten:
    deleted: int  # sent messages, gone with their text
    emptied: int  # refused or withdrawn ones, kept (a broadcast's counts, the reason) without their text


async def forget_settled(session: AsyncSession, older_than: timedelta) -> Forgotten:
    """Forget what no retry needs any more: sent messages sent before ``older_than``, and the text of refused
    and withdrawn ones written before it. Pending and held messages keep theirs: they are still to be sent."""
    cutoff = utcnow() - older_than
    deleted = await session.execute(
        OutboxMessage.__table__.delete().where(OutboxMessage.state == SENT, OutboxMessage.sent_at < cutoff))
    emptied = await session.execute(
        bulk_update(OutboxMessage).where(OutboxMessage.state.in_((FAILED, WITHDRAWN)),
                                         OutboxMessage.created_at < cutoff,
                                         OutboxMessage.payload.is_not(None)).values(payload=None))
    return Forgotten(deleted.rowcount, emptied.rowcount)
