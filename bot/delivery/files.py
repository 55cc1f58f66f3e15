"""Files the bot made (bot.services.generated), kept in the database until sent: stored in the transaction that
queues their message, read back and uploaded when it is sent, by any process (a web process's fast path too)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import GeneratedFile


async def store(session: AsyncSession, order_id: int, position: int, file_name: str, caption: str | None,
                content: bytes) -> int:
    row = GeneratedFile(order_id=order_id, position=position, file_name=file_name, caption=caption, content=content)
    session.add(row)
    await session.flush()
    return row.id


async def load(reads: async_sessionmaker, ids: Sequence[int]) -> list[GeneratedFile]:
    """The files, in the order named (a file gone means its message can never be sent: it raises)."""
    async with reads() as session:
        rows = {row.id: row for row in await session.scalars(select(GeneratedFile).where(GeneratedFile.id.in_(ids)))}
    missing = [file_id for file_id in ids if file_id not in rows]
    if missing:
        raise LookupError(f"generated files {missing} are gone")
    return [rows[file_id] for file_id in ids]
