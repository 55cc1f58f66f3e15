"""Users and the per-chat conversation (its flow, step and draft)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, User
from bot.delivery.outbox import release_chat
from bot.domain.draft import Draft
from bot.domain.steps import Step


async def remember_user(
    session: AsyncSession, user: User | None, user_id: int, first_name: str, username: str | None, *,
    private_chat: bool = True,
) -> User:
    """The sender of an update, given its row as ``read_chat`` read it (None: new). Writing to the bot in
    private means it is not blocked (any more)."""
    if user is None:
        user = User(id=user_id, first_name=first_name, username=username, reachable=True, lookups=0)
        session.add(user)
        await session.flush()  # before the rows that refer to it (the outbox has no ORM relationship to order by)
        return user
    user.first_name, user.username = first_name, username
    if private_chat and not user.reachable:
        await mark_reachable(session, user)
    return user


async def mark_reachable(session: AsyncSession, user: User) -> None:
    """The user unblocked the bot: what was held for them goes out, in order."""
    user.reachable = True
    await release_chat(session, user.id)


async def locale_of(session: AsyncSession, user_id: int) -> str | None:
    """The language a user chose (None: none, or not known yet)."""
    return await session.scalar(select(User.locale).where(User.id == user_id))


INTAKE, ANSWER, FOLLOW_UP, BROADCAST = "intake", "answer", "follow_up", "broadcast"
TYPED = "typed"  # a text sent outside any flow, kept while the citizen decides whether to report it


_LOADED = "conversations_loaded"  # in ``session.info``: chat id -> its conversation (None: it has none), as read here


async def read_chat(session: AsyncSession, user_id: int, chat_id: int, *, lock_sender: bool) -> User | None:
    """The sender (None when new) and the chat's open conversation, in one statement; the conversation is
    kept for ``load_conversation``. ``lock_sender`` locks the sender's row for this transaction (in a private
    chat, the lock that puts the chat's turns one after another across processes)."""
    statement = select(User, Conversation).outerjoin(Conversation, Conversation.chat_id == chat_id).where(User.id == user_id)
    if lock_sender:
        statement = statement.with_for_update(of=User)
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    user, conversation = row
    _remember(session, chat_id, conversation)
    return user


async def load_conversation(session: AsyncSession, chat_id: int, flow: str = INTAKE) -> Conversation | None:
    """The chat's open conversation of this flow (a draft report, by default), locked for this transaction.
    A turn asks for several flows in turn: what was read is kept (the session itself holds unchanged rows
    only weakly) until the conversation starts, ends or is deleted."""
    conversation = await open_conversation(session, chat_id)
    return conversation if conversation is not None and conversation.flow == flow else None


async def open_conversation(session: AsyncSession, chat_id: int) -> Conversation | None:
    """The chat's open conversation, whatever its flow, locked for this transaction."""
    loaded = session.info.setdefault(_LOADED, {})
    if chat_id in loaded and _still_current(session, loaded[chat_id]):
        return loaded[chat_id]
    conversation = await session.get(Conversation, chat_id, with_for_update=True)
    _remember(session, chat_id, conversation)
    return conversation


def _remember(session: AsyncSession, chat_id: int, conversation: Conversation | None) -> None:
    session.info.setdefault(_LOADED, {})[chat_id] = conversation


def _still_current(session: AsyncSession, conversation: Conversation | None) -> bool:
    return conversation is None or (conversation in session and conversation not in session.deleted)


async def other_flow_open(session: AsyncSession, chat_id: int, flow: str) -> bool:
    """Whether the chat has a conversation of another flow open (a draft, a pending choice), which one of
    ``flow`` must not replace. A kept text (``TYPED``) only waits to be offered: anything the citizen starts
    may replace it."""
    conversation = await session.get(Conversation, chat_id)
    return conversation is not None and conversation.flow not in (flow, TYPED)


async def start_conversation(session: AsyncSession, chat_id: int, user_id: int, flow: str = INTAKE) -> Conversation:
    """A new conversation replaces whatever the chat had open (one at a time per chat)."""
    await end_conversation(session, chat_id)
    conversation = Conversation(chat_id=chat_id, user_id=user_id, flow=flow, step=Step.TYPE.value, draft=Draft().to_json())
    session.add(conversation)
    await session.flush()
    _remember(session, chat_id, conversation)
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
    _remember(session, chat_id, None)
