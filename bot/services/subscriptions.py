"""Citizens' subscriptions to announcements: opting in (an area and topics), changing them, opting out."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Report, Subscription, utcnow
from bot.delivery import outbox
from bot.domain.announcements import TOPICS, EndReason

AREAS_FROM_REPORTS = 3  # the regencies of a citizen's latest reports offered as their area


async def active(session: AsyncSession, user_id: int) -> Subscription | None:
    subscription = await session.get(Subscription, user_id)
    return subscription if subscription is not None and subscription.ended_at is None else None


async def subscribe(session: AsyncSession, user_id: int, regency_code: str | None) -> Subscription:
    """Opt in (again) for an area, with every topic; an active subscription only moves to the new area."""
    subscription = await session.get(Subscription, user_id)
    if subscription is None:
        subscription = Subscription(user_id=user_id, topics=list(TOPICS))
        session.add(subscription)
    elif subscription.ended_at is not None:
        subscription.topics, subscription.subscribed_at = list(TOPICS), utcnow()
        subscription.ended_at = subscription.end_reason = None
    subscription.regency_code = regency_code
    await session.flush()
    return subscription


def toggle_topic(subscription: Subscription, topic: str) -> None:
    """A topic on or off; a new list, never the stored one changed in place (SQLAlchemy would not see it)."""
    if topic not in TOPICS:
        raise ValueError(topic)
    chosen = set(subscription.topics)
    chosen ^= {topic}
    subscription.topics = [code for code in TOPICS if code in chosen]


async def end(session: AsyncSession, user_id: int, reason: EndReason) -> bool:
    """Opt out at once, announcements already queued for them included; False when there was nothing to end."""
    result = await session.execute(
        update(Subscription).where(Subscription.user_id == user_id, Subscription.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason.value).execution_options(synchronize_session="fetch")
    )
    await outbox.withdraw_broadcasts(session, reason.value, chat_id=user_id)
    return result.rowcount > 0


async def chat_blocked(session: AsyncSession, chat_id: int, reason: str) -> None:
    """The chat blocked the bot: what is unsent waits for an unblock, but its subscription ends (dropped from
    every list: unblocking does not subscribe again)."""
    await outbox.hold_chat(session, chat_id, reason)
    await blocked_found(session, chat_id, reason)


async def blocked_found(session: AsyncSession, chat_id: int, reason: str) -> None:
    """Delivery found the chat blocked the bot (its messages held already): its subscription ends."""
    await end(session, chat_id, EndReason.BLOCKED)


async def areas_reported_in(session: AsyncSession, user_id: int) -> list[str]:
    """The regencies of the citizen's latest reports, newest first: the areas they most likely care about."""
    latest = func.max(Report.created_at)
    statement = (
        select(Report.regency_code).where(Report.reporter_id == user_id, Report.regency_code.is_not(None))
        .group_by(Report.regency_code).order_by(latest.desc()).limit(AREAS_FROM_REPORTS)
    )
    return list(await session.scalars(statement))
