"""What waits, read from the database: the inbox and outbox queues, overdue reports, broadcast copies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from bot.db import Transactions
from bot.db.models import Broadcast, InboxUpdate, OutboxMessage, Report, utcnow
from bot.delivery import outbox
from bot.domain.deadlines import ESCALATING
from bot.services.statistics import OPEN_STATUSES


@dataclass(frozen=True)
class Queue:
    depth: int
    oldest_seconds: float  # 0 when empty


@dataclass(frozen=True)
class Gauges:
    inbox: Queue
    outbox: Queue
    overdue_reports: int
    broadcast_copies: dict[str, int] = field(default_factory=dict)  # of broadcasts not finished, by state


async def read_queues(transactions: Transactions) -> tuple[Queue, Queue]:
    now = utcnow()
    async with transactions.sessions() as session:
        inbox = (await session.execute(select(func.count(), func.min(InboxUpdate.received_at))
                                       .where(InboxUpdate.state == "pending"))).one()
        waiting = (await session.execute(select(func.count(), func.min(OutboxMessage.created_at))
                                         .where(OutboxMessage.state == outbox.PENDING))).one()
    return _queue(*inbox, now), _queue(*waiting, now)


async def read_gauges(transactions: Transactions) -> Gauges:
    inbox, waiting = await read_queues(transactions)
    now = utcnow()
    async with transactions.sessions() as session:
        overdue = await session.scalar(select(func.count()).select_from(Report).where(
            Report.status.in_(OPEN_STATUSES), Report.due_kind.in_([kind.value for kind in ESCALATING]), Report.due_at < now))
        copies = await session.execute(
            select(OutboxMessage.state, func.count()).join(Broadcast, Broadcast.id == OutboxMessage.broadcast_id)
            .where(Broadcast.progress_final.is_(False)).group_by(OutboxMessage.state))
        return Gauges(inbox, waiting, overdue or 0, dict(copies.all()))


def _queue(depth: int, oldest: datetime | None, now: datetime) -> Queue:
    return Queue(depth, max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
