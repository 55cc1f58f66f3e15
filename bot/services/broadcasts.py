"""Announcements to subscribers: the audience, starting, queuing in batches, pausing, cancelling, progress.

Recipients are queued a batch at a time, in user id order, and only while few of the broadcast's copies
wait in the outbox: the outbox paces them (bulk, after every interactive reply), a pause or a cancel takes
effect within one batch, and an opt-out finds its copy still withdrawable. The cursor moves in the
transaction that queues the batch, so a stop at any point neither repeats nor skips a recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import bulk_update
from bot.db.aiosqlite_one_trip import off_the_loop
from bot.db.models import Broadcast, OutboxMessage, Report, Subscription, User, utcnow
from bot.delivery import outbox
from bot.delivery.messages import Outgoing
from bot.domain.announcements import EndReason, Progress, State

BATCH = 500
# A copy held by a pause: not ``pending``, so the sender neither sends it nor holds its chat's other messages back.
PAUSED_COPY = "paused"
PROGRESS_EVERY = timedelta(seconds=3)  # how often the admin's progress message is edited


@dataclass(frozen=True)
class Audience:
    """Who gets an announcement: active subscribers, narrowed by any of these."""

    scope_code: str | None = None  # a province or regency: subscribers whose area lies in it; None: everyone
    language: str | None = None
    topic: str | None = None
    category: str | None = None  # only subscribers who reported in this category

    @classmethod
    def of(cls, broadcast: Broadcast) -> "Audience":
        return cls(broadcast.scope_code, broadcast.language, broadcast.topic, broadcast.category)


Render = Callable[[str], Outgoing]  # the announcement in a recipient's language


def recipients(audience: Audience, default_locale: str):
    """The user ids of the audience (their language, the chat they are reached in), a SELECT to narrow further
    (cursor, limit) or to count."""
    statement = (
        select(Subscription.user_id, func.coalesce(User.locale, default_locale).label("locale"),
               func.coalesce(User.last_chat_id, User.id).label("chat_id"))
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.ended_at.is_(None), User.reachable.is_(True))
    )
    if audience.scope_code:  # a subscriber for "all of Indonesia" hears national announcements only
        statement = statement.where((Subscription.regency_code == audience.scope_code)
                                    | Subscription.regency_code.like(audience.scope_code + ".%"))
    if audience.language:
        statement = statement.where(func.coalesce(User.locale, default_locale) == audience.language)
    if audience.topic:  # topics are a JSON list of fixed codes: their quoted text is unambiguous
        statement = statement.where(cast(Subscription.topics, String).like(f'%"{audience.topic}"%'))
    if audience.category:
        statement = statement.where(exists().where(Report.reporter_id == Subscription.user_id,
                                                   Report.category == audience.category))
    return statement


async def count(session: AsyncSession, audience: Audience, default_locale: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(recipients(audience, default_locale).subquery())))


async def start(session: AsyncSession, admin_id: int, audience: Audience, text: str, default_locale: str,
                media: tuple[str, str] | None = None) -> Broadcast:
    """A broadcast that starts sending at once (the admin confirmed the preview)."""
    broadcast = Broadcast(
        created_by=admin_id, scope_code=audience.scope_code, language=audience.language, topic=audience.topic,
        category=audience.category, text=text, media_kind=media[0] if media else None,
        media_file_id=media[1] if media else None, state=State.SENDING.value, cursor=0, queued=0,
        recipients=await count(session, audience, default_locale),
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def queue_next(session: AsyncSession, broadcast: Broadcast, render: Render, default_locale: str,
                     batch: int = BATCH) -> int:
    """Queue the next recipients after the cursor; returns how many. The last batch sets the state QUEUED."""
    statement = recipients(Audience.of(broadcast), default_locale)
    statement = statement.where(Subscription.user_id > broadcast.cursor).order_by(Subscription.user_id).limit(batch)
    rows = (await session.execute(statement)).all()
    await outbox.enqueue_broadcast(session, broadcast.id, [(row.user_id, row.chat_id, render(row.locale)) for row in rows])
    if rows:
        broadcast.cursor, broadcast.queued = rows[-1].user_id, broadcast.queued + len(rows)
    if len(rows) < batch:
        broadcast.state, broadcast.finished_at = State.QUEUED.value, utcnow()
    return len(rows)


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def waiting_copies(session: AsyncSession, broadcast_id: int) -> int:
    statement = select(func.count()).where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.state == outbox.PENDING)
    return int(await session.scalar(statement))


async def sending(session: AsyncSession) -> list[Broadcast]:
    return list(await session.scalars(select(Broadcast).where(Broadcast.state == State.SENDING.value).order_by(Broadcast.id)))


async def pause(session: AsyncSession, broadcast: Broadcast) -> bool:
    """No more recipients are queued, and the copies waiting in the outbox are held (a copy already claimed by
    the sender still goes): also once every recipient is queued, as long as copies wait."""
    if broadcast.state not in (State.SENDING.value, State.QUEUED.value) or broadcast.progress_final:
        return False
    broadcast.state = State.PAUSED.value
    with off_the_loop():  # all of a broadcast's copies: on SQLite, a write too long for the event loop
        await session.execute(_unclaimed_copies(broadcast.id, outbox.PENDING).values(state=PAUSED_COPY))
    return True


async def resume(session: AsyncSession, broadcast: Broadcast) -> bool:
    """The held copies go out again, except to those who opted out or blocked the bot meanwhile."""
    if broadcast.state != State.PAUSED.value:
        return False
    broadcast.state = (State.SENDING if broadcast.finished_at is None else State.QUEUED).value
    ended = select(Subscription.end_reason).where(Subscription.user_id == OutboxMessage.user_id,
                                                  Subscription.ended_at.is_not(None))
    held = _unclaimed_copies(broadcast.id, PAUSED_COPY)
    with off_the_loop():
        await session.execute(held.where(ended.exists()).values(state=outbox.WITHDRAWN,
                                                                last_error=ended.scalar_subquery()))
        await session.execute(held.values(state=outbox.PENDING, next_attempt_at=utcnow()))
    return True


async def cancel(session: AsyncSession, broadcast: Broadcast) -> bool:
    """No more recipients are queued, and the copies not yet on their way (held ones too) are taken back."""
    if broadcast.state == State.CANCELLED.value or broadcast.progress_final:
        return False
    broadcast.state, broadcast.finished_at = State.CANCELLED.value, utcnow()
    with off_the_loop():
        await session.execute(_unclaimed_copies(broadcast.id, PAUSED_COPY).values(state=outbox.PENDING))
        await outbox.withdraw_broadcasts(session, State.CANCELLED.value, broadcast_id=broadcast.id)
    return True


def _unclaimed_copies(broadcast_id: int, state: str):
    """An UPDATE of a broadcast's copies in ``state`` that no sender holds (as ``outbox.withdraw_broadcasts``)."""
    return bulk_update(OutboxMessage).where(
        OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.state == state,
        OutboxMessage.claimed_until.is_(None) | (OutboxMessage.claimed_until < utcnow()))


async def progress(session: AsyncSession, broadcast: Broadcast) -> Progress:
    statement = (select(OutboxMessage.state, OutboxMessage.last_error, func.count())
                 .where(OutboxMessage.broadcast_id == broadcast.id).group_by(OutboxMessage.state, OutboxMessage.last_error))
    counts: dict[str, int] = {}
    for state, reason, number in await session.execute(statement):
        key = reason if state == outbox.WITHDRAWN else state
        counts[key] = counts.get(key, 0) + number
    still_queuing = broadcast.finished_at is None  # set once every recipient is queued, or at a stop
    return Progress(
        broadcast.recipients, counts.get(outbox.SENT, 0), counts.get(outbox.FAILED, 0),
        counts.get(EndReason.BLOCKED.value, 0) + counts.get(outbox.HELD, 0), counts.get(EndReason.OPTED_OUT.value, 0),
        counts.get(outbox.PENDING, 0) + counts.get(PAUSED_COPY, 0),
        max(broadcast.recipients - broadcast.queued, 0) if still_queuing else 0,
    )


async def progress_due(session: AsyncSession, now: datetime) -> list[Broadcast]:
    """Broadcasts whose progress message is due for an edit (it is never edited after its final one)."""
    statement = select(Broadcast).where(
        Broadcast.progress_message_id.is_not(None), Broadcast.progress_final.is_(False),
        Broadcast.progress_shown_at.is_(None) | (Broadcast.progress_shown_at <= now - PROGRESS_EVERY),
    )
    return list(await session.scalars(statement.order_by(Broadcast.id)))


def settled(broadcast: Broadcast, shown: Progress) -> bool:
    """Nothing more will change: every recipient queued (or the broadcast cancelled) and every copy settled."""
    return broadcast.state in (State.QUEUED.value, State.CANCELLED.value) and shown.waiting == 0
