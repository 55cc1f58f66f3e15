"""A person asks the bot to forget their contact (/lupakan): the chat they wrote from (a WhatsApp phone number, a
Telegram account) is detached from them, their announcements end, and the name the bot kept goes where it was their
only chat. Their reports stay with the agencies and are still worked, but no news of them reaches that chat any
more: the confirmation is the last message sent there. The retention job then replaces the contact's address with
a tombstone (``scrub``), so that a phone number is not kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Contact, Report, User, utcnow
from bot.domain.announcements import EndReason
from bot.services import subscriptions
from bot.services.statistics import OPEN_STATUSES

# Time for the confirmation to go out before nothing more is sent to the chat (bot.services.contacts.forgotten).
LAST_WORD = timedelta(minutes=10)
TOMBSTONE = "forgotten:"


async def open_reports_from(session: AsyncSession, user_id: int, chat_id: int) -> list[str]:
    """The tracking IDs of the person's open reports filed from this chat: what they will hear no more about."""
    statement = (select(Report.tracking_id).where(Report.reporter_id == user_id, Report.chat_id == chat_id,
                                                  Report.status.in_(OPEN_STATUSES)).order_by(Report.created_at))
    return list(await session.scalars(statement))


async def forget(session: AsyncSession, user: User, chat_id: int) -> None:
    """Detach the chat from its person (its address is scrubbed within the hour by the retention job)."""
    now = utcnow()
    await session.execute(update(Contact).where(Contact.id == chat_id).values(forgotten_at=now, user_id=None))
    others = list(await session.scalars(select(Contact.id).where(Contact.user_id == user.id, Contact.id != chat_id,
                                                                 Contact.forgotten_at.is_(None))))
    await subscriptions.end(session, user.id, EndReason.FORGOTTEN)
    user.last_chat_id = others[-1] if others else None
    if not others:  # their only chat: the name the bot kept goes too (reports keep no copy of it)
        user.first_name, user.username = "", None


async def forgotten(session: AsyncSession, chat_id: int) -> bool:
    """Whether the person asked the bot to forget this chat: news of their reports is no longer sent there."""
    return await session.scalar(select(Contact.forgotten_at.is_not(None)).where(Contact.id == chat_id)) or False


async def scrub(session: AsyncSession) -> int:
    """Replace the addresses of contacts forgotten (and silent) with tombstones; how many."""
    statement = (update(Contact).where(Contact.forgotten_at.is_not(None), Contact.forgotten_at < utcnow() - LAST_WORD,
                                       ~Contact.address.startswith(TOMBSTONE))
                 .values(address=TOMBSTONE + Contact.id.cast(Contact.address.type)))
    return (await session.execute(statement)).rowcount
