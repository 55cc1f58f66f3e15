"""Claiming the outbox's messages for sending, and settling them: a sender takes the due heads of chats, or a
chat's run from its head on, under a lease in its name (see bot.delivery.senders); each is then marked sent,
failed, postponed or given back. Writing messages is bot.delivery.outbox's."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, any_, bindparam, exists, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from bot.db import bulk_update
from bot.db.models import OutboxMessage, utcnow
from bot.delivery.outbox import FAILED, PENDING, SENT, Claim, Lease, dead_senders, unclaimed


def _locked(statement, session: AsyncSession, skip: bool = False):
    """On PostgreSQL, claimers lock the rows they look at: another claimer waits for them (and then sees them
    claimed) or, for heads, skips them. SQLite has a single writer anyway."""
    if session.bind.dialect.name != "postgresql":
        return statement
    return statement.with_for_update(skip_locked=skip)


def _claimable(now: datetime, holder: str):
    return and_(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now, unclaimed(now, holder))


def _claimed_now(row: OutboxMessage, now: datetime, dead: set[str]) -> bool:
    return row.claimed_until is not None and row.claimed_until >= now and row.claimed_by not in dead


async def claim_heads(session: AsyncSession, lease: Lease, limit: int) -> list[OutboxMessage]:
    """Claim the due head of up to ``limit`` chats, most urgent first."""
    now = utcnow()
    earlier = aliased(OutboxMessage)
    has_earlier = exists().where(earlier.chat_id == OutboxMessage.chat_id, earlier.state == PENDING, earlier.id < OutboxMessage.id)
    statement = (
        select(OutboxMessage).where(_claimable(now, lease.holder), ~has_earlier)
        .order_by(OutboxMessage.priority, OutboxMessage.id).limit(limit)
    )
    rows = (await session.execute(_locked(statement, session, skip=True))).scalars()
    return await _take(session, list(rows), now, lease)


async def claim_chat_run(session: AsyncSession, chat_id: int, lease: Lease, limit: int = 10) -> list[OutboxMessage]:
    """Claim a chat's messages from its head on, as long as each is due and unclaimed."""
    now = utcnow()
    statement = (
        select(OutboxMessage).where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == PENDING)
        .order_by(OutboxMessage.id).limit(limit)
    )
    run = []
    rows = list((await session.execute(_locked(statement, session))).scalars())
    dead = set(await session.scalars(dead_senders(now, lease.holder))) if any(row.claimed_by for row in rows) else set()
    for row in rows:
        if _claimed_now(row, now, dead) or row.next_attempt_at > now:
            break
        run.append(row)
    return await _take(session, run, now, lease)


async def _take(session: AsyncSession, rows: list[OutboxMessage], now: datetime, lease: Lease) -> list[OutboxMessage]:
    for row in rows:
        row.claimed_until, row.claimed_by = now + lease.duration, lease.holder
    await session.flush()
    return rows


async def take_back(session: AsyncSession, holder: str) -> int:
    """A sender started again under its name: what it held when it died is free at once, not after the lease."""
    result = await session.execute(bulk_update(OutboxMessage).where(
        OutboxMessage.claimed_by == holder, OutboxMessage.state == PENDING).values(claimed_until=None, claimed_by=None))
    return result.rowcount


async def release(session: AsyncSession, claims: list[Claim]) -> None:
    """Give back claims that were not tried (an earlier message of their chat must be retried first)."""
    if claims:
        ids = [claim.id for claim in claims]
        await session.execute(bulk_update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(claimed_until=None))


async def mark_all_sent(connection: AsyncConnection, claims: list[Claim]) -> None:
    """Record the claims as sent (on ``Transactions.one_statement``'s connection)."""
    parameters = {"ids": [claim.id for claim in claims], "now": utcnow()}
    await connection.execute(_mark_sent(connection.dialect.name), parameters)


@functools.cache
def _mark_sent(dialect: str):
    """One statement object for every mark (about one an update): SQLAlchemy works out its cache key once, not
    anew for each statement built. On PostgreSQL the ids go as one array, so that the SQL is the same however
    many they are: prepared once per connection, with no list of parameters rendered into it at each mark (an
    expanding IN makes a statement of each length, and the server prepares each anew)."""
    ids = (OutboxMessage.id == any_(bindparam("ids", type_=postgresql.ARRAY(Integer))) if dialect == "postgresql"
           else OutboxMessage.id.in_(bindparam("ids", expanding=True)))
    return (bulk_update(OutboxMessage).where(ids)
            .values(state=SENT, sent_at=bindparam("now"), claimed_until=None, answers=None,
                    attempts=OutboxMessage.attempts + 1))  # the fingerprint serves unsent ones only


async def mark_failed(session: AsyncSession, claim: Claim, reason: str) -> None:
    await _settle(session, claim, state=FAILED, last_error=reason[:2000], attempts=claim.attempts + 1)


async def postpone(session: AsyncSession, claim: Claim, seconds: float, reason: str, count_attempt: bool) -> None:
    await _settle(
        session, claim, next_attempt_at=utcnow() + timedelta(seconds=seconds), last_error=reason[:2000],
        attempts=claim.attempts + int(count_attempt),
    )


async def _settle(session: AsyncSession, claim: Claim, **values) -> None:
    await session.execute(bulk_update(OutboxMessage).where(OutboxMessage.id == claim.id).values(claimed_until=None, **values))
