"""Users, the per-chat intake conversation, and once-only handling of updates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, ProcessedUpdate, User, utcnow
from bot.domain.draft import Draft
from bot.domain.steps import Step


def _insert(session: AsyncSession, table):
    return (pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(table)


async def claim_update(session: AsyncSession, update_id: int) -> bool:
    """True the first time an update id is seen. Runs in the transaction of the update's effects,
    so an update whose handling failed is not marked as handled."""
    statement = _insert(session, ProcessedUpdate).values(update_id=update_id, processed_at=utcnow())
    result = await session.execute(statement.on_conflict_do_nothing(index_elements=["update_id"]))
    return result.rowcount == 1


# Telegram keeps an undelivered update for at most 24 hours: older ids cannot come back.
REDELIVERY_WINDOW = timedelta(days=2)


async def prune_processed_updates(session: AsyncSession) -> int:
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < utcnow() - REDELIVERY_WINDOW))
    return result.rowcount


async def remember_user(session: AsyncSession, user_id: int, first_name: str, username: str | None) -> User:
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, first_name=first_name, username=username, reachable=True)
        session.add(user)
    else:
        user.first_name, user.username, user.reachable = first_name, username, True
    return user


async def load_conversation(session: AsyncSession, chat_id: int) -> Conversation | None:
    """The chat's open draft, locked for this transaction on PostgreSQL so that two bot processes
    cannot interleave one chat's updates."""
    statement = select(Conversation).where(Conversation.chat_id == chat_id).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def start_conversation(session: AsyncSession, chat_id: int, user_id: int) -> Conversation:
    await end_conversation(session, chat_id)
    conversation = Conversation(chat_id=chat_id, user_id=user_id, step=Step.TYPE.value, draft=Draft().to_json())
    session.add(conversation)
    return conversation


def draft_of(conversation: Conversation) -> Draft:
    """The stored draft, typed; a draft saved by an earlier release loads too (missing keys: defaults)."""
    return Draft.from_json(conversation.draft)


def save_draft(conversation: Conversation, draft: Draft, step: Step) -> None:
    """A new JSON value, never the stored one changed in place (SQLAlchemy would not see the change)."""
    conversation.draft = draft.to_json()
    conversation.step = step.value


async def end_conversation(session: AsyncSession, chat_id: int) -> None:
    await session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))
