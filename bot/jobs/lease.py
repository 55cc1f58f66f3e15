"""A lease per scheduled job: one process holds it and runs the job; when the holder dies its lease runs out and
another process takes it. One statement decides, so two processes asking at once cannot both win."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_for
from bot.db.models import JobLease


async def take(session: AsyncSession, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew the lease of ``name`` for ``ttl``; False while another holder's lease runs."""
    table = JobLease.__table__
    statement = insert_for(session.bind.dialect.name, table).values(name=name, holder=holder, expires_at=now + ttl)
    statement = statement.on_conflict_do_update(
        index_elements=["name"], set_={"holder": holder, "expires_at": now + ttl},
        where=(table.c.expires_at < now) | (table.c.holder == holder),
    )
    return (await session.execute(statement)).rowcount == 1
