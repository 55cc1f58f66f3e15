"""One chat's turns one after another, across processes."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.services.conversations import read_chat


async def lock_chat_and_read(session: AsyncSession, sender_id: int, chat_id: int, private: bool) -> User | None:
    """Lock the chat for this transaction (SQLite has a single writer anyway) and read the sender and the chat's
    conversation on the way. In a private chat the sender's row is the lock; a group, or a sender with no row
    yet, takes an advisory lock on the chat.

    A statement that waits for a lock sees the rows it joins as they were when it began (PostgreSQL re-reads only
    the locked row): read together after a wait, the conversation would be the one before the other turn's. So the
    one statement skips a locked row; then the turn waits for the lock alone, and reads in a statement of its own."""
    if session.bind.dialect.name != "postgresql":
        return await read_chat(session, sender_id, chat_id, lock_sender=False)
    if private:
        known = await read_chat(session, sender_id, chat_id, lock_sender=True, skip_locked=True)
        if known is not None:
            return known
        await session.execute(select(User.id).where(User.id == sender_id).with_for_update())  # another turn's, or none
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat_id})
    return await read_chat(session, sender_id, chat_id, lock_sender=private)
