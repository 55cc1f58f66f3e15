"""The inbox table: updates stored before Telegram is told they arrived, then handled once each.

States: ``pending`` (to handle, once ``next_attempt_at`` is due), ``done`` (a handler took it, in the
same transaction as its effects), ``ignored`` (no handler wanted it) and ``failed`` (it kept failing;
the sender was told). Handled rows lose their content at once and are deleted after Telegram's
redelivery window, so that a redelivered update is still recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db import bulk_update
from bot.db.models import InboxUpdate, utcnow

PENDING, DONE, IGNORED, FAILED = "pending", "done", "ignored", "failed"
# Telegram keeps an undelivered update for at most 24 hours: older ids cannot come back.
REDELIVERY_WINDOW = timedelta(days=2)


@dataclass(frozen=True)
class Stored:
    update_id: int
    chat_id: int | None
    payload: dict[str, Any]
    parsed: Any = field(default=None, compare=False)  # the Update the receiver already parsed, if any


def chat_of(payload: dict[str, Any]) -> int | None:
    """The chat whose updates must be handled in order (the user's, for a button without a message)."""
    for key in ("message", "edited_message", "channel_post", "edited_channel_post", "my_chat_member", "chat_member"):
        if isinstance(payload.get(key), dict):
            return (payload[key].get("chat") or {}).get("id")
    query = payload.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message") or {}
        return (message.get("chat") or {}).get("id") or (query.get("from") or {}).get("id")
    return None


def _insert(session: AsyncSession):
    return (pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(InboxUpdate)


async def store(session: AsyncSession, payloads: list[dict[str, Any]], parsed: list[Any] | None = None) -> list[Stored]:
    """Store updates; returns the ones that are new (a redelivered update is stored once)."""
    new = []
    for payload, parsed_update in zip(payloads, parsed or [None] * len(payloads)):
        row = Stored(int(payload["update_id"]), chat_of(payload), payload, parsed_update)
        now = utcnow()
        statement = _insert(session).values(
            update_id=row.update_id, chat_id=row.chat_id, payload=payload, state=PENDING, attempts=0,
            next_attempt_at=now, received_at=now,
        )
        result = await session.execute(statement.on_conflict_do_nothing(index_elements=["update_id"]))
        if result.rowcount == 1:
            new.append(row)
    return new


async def pending(session: AsyncSession, limit: int) -> list[tuple[Stored, bool]]:
    """The oldest pending updates, each with whether it is due."""
    statement = (
        select(InboxUpdate.update_id, InboxUpdate.chat_id, InboxUpdate.payload, InboxUpdate.next_attempt_at)
        .where(InboxUpdate.state == PENDING).order_by(InboxUpdate.update_id).limit(limit)
    )
    now = utcnow()
    return [(Stored(uid, chat, payload), due <= now) for uid, chat, payload, due in await session.execute(statement)]


CLAIMED, HANDLED_ALREADY, EARLIER_PENDING = "claimed", "handled already", "an earlier update is pending"


async def claim(session: AsyncSession, update_id: int, chat_id: int | None = None) -> str:
    """Mark an update handled, in the transaction of its effects, unless it already was or (with ``chat_id``)
    an earlier update of its chat is still pending, which goes first. One statement in the usual case."""
    statement = bulk_update(InboxUpdate).where(InboxUpdate.update_id == update_id, InboxUpdate.state == PENDING)
    if chat_id is not None:
        earlier = aliased(InboxUpdate)
        statement = statement.where(~exists().where(
            earlier.chat_id == chat_id, earlier.state == PENDING, earlier.update_id < update_id))
    if (await session.execute(statement.values(state=DONE, handled_at=utcnow(), payload={}))).rowcount == 1:
        return CLAIMED
    state = await session.scalar(select(InboxUpdate.state).where(InboxUpdate.update_id == update_id))
    return EARLIER_PENDING if state == PENDING else HANDLED_ALREADY


async def mark_ignored(session: AsyncSession, update_id: int) -> None:
    await session.execute(
        bulk_update(InboxUpdate).where(InboxUpdate.update_id == update_id, InboxUpdate.state == PENDING)
        .values(state=IGNORED, handled_at=utcnow(), payload={})
    )


async def record_failure(session: AsyncSession, update_id: int, error: str, retry_in: timedelta | None) -> None:
    """A handler failed: try again later, or give up (``retry_in`` None) keeping the update for inspection."""
    values: dict[str, Any] = {"last_error": error[:2000], "attempts": InboxUpdate.attempts + 1}
    if retry_in is None:
        values.update(state=FAILED, handled_at=utcnow())
    else:
        values["next_attempt_at"] = utcnow() + retry_in
    await session.execute(bulk_update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(**values))


async def attempts_of(session: AsyncSession, update_id: int) -> int:
    return int(await session.scalar(select(InboxUpdate.attempts).where(InboxUpdate.update_id == update_id)) or 0)


async def prune(session: AsyncSession) -> int:
    statement = delete(InboxUpdate).where(InboxUpdate.state != PENDING, InboxUpdate.received_at < utcnow() - REDELIVERY_WINDOW)
    return (await session.execute(statement)).rowcount
