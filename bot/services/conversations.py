"""Users and the per-chat conversation (its flow, step and typed state)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation, User
from bot.delivery.outbox import release_chat
from bot.services.contacts import chat_of
from bot.domain.conversation_state import ConversationState, from_json, to_json
from bot.domain.draft import Draft
from bot.domain.flows import Flow
from bot.domain.steps import Step


async def remember_user(
    session: AsyncSession, user: User | None, user_id: int, first_name: str, username: str | None, *,
    private_chat: int | None = None,
) -> User:
    """The sender of an update, given its row as ``read_chat`` read it (None: new). Writing to the bot in
    private (``private_chat``: that chat) means it is not blocked (any more), and that they are told things there."""
    if user is None:
        user = User(id=user_id, **newcomer(user_id, first_name, username, private_chat))
        session.add(user)
        await session.flush()  # before the rows that refer to it (the outbox has no ORM relationship to order by)
        if private_chat is not None:  # a private chat's conversation is its person's: a new person has none
            keep_read(session, private_chat, None)
        return user
    if (user.first_name, user.username) != (first_name, username):  # unchanged, the row stays out of the flush
        user.first_name, user.username = first_name, username
    if private_chat is not None and chat_of(user) != private_chat:
        user.last_chat_id = private_chat
    if private_chat is not None and not user.reachable:
        await mark_reachable(session, user)
    return user


def newcomer(user_id: int, first_name: str, username: str | None, private_chat: int | None) -> dict[str, Any]:
    """The row of someone new to the bot, but its id (``remember_user``; ``open_chat`` adds it as it locks the
    chat)."""
    return {"first_name": first_name, "username": username, "reachable": True, "lookups": 0,
            "last_chat_id": private_chat if private_chat != user_id else None}


async def mark_reachable(session: AsyncSession, user: User) -> None:
    """The user unblocked the bot: what was held for them goes out, in order."""
    user.reachable = True
    await release_chat(session, chat_of(user))


async def locale_of(session: AsyncSession, user_id: int) -> str | None:
    """The language a user chose (None: none, or not known yet)."""
    return await session.scalar(select(User.locale).where(User.id == user_id))


State = TypeVar("State", bound=ConversationState)
_LOADED = "conversations_loaded"  # in ``session.info``: chat id -> its conversation (None: it has none), as read here


async def read_chat(session: AsyncSession, user_id: int, chat_id: int, *, lock_sender: bool,
                    skip_locked: bool = False) -> User | None:
    """The sender (None when new) and the chat's open conversation, in one statement; the conversation is
    kept for ``load_conversation``. ``lock_sender`` locks the sender's row for this transaction (in a private
    chat, the lock that puts the chat's turns one after another across processes); ``skip_locked``: a row another
    transaction holds is not waited for, and None is read (bot.services.chat_locks)."""
    statement = select(User, Conversation).outerjoin(Conversation, Conversation.chat_id == chat_id).where(User.id == user_id)
    if lock_sender:
        statement = statement.with_for_update(of=User, skip_locked=skip_locked)
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    user, conversation = row
    keep_read(session, chat_id, conversation)
    return user


async def load_conversation(session: AsyncSession, chat_id: int, flow: Flow = Flow.INTAKE) -> Conversation | None:
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
    keep_read(session, chat_id, conversation)
    return conversation


def keep_read(session: AsyncSession, chat_id: int, conversation: Conversation | None) -> None:
    """Keep the chat's conversation as a statement of this transaction read it, for ``load_conversation``."""
    session.info.setdefault(_LOADED, {})[chat_id] = conversation


def _known_to_have_none(session: AsyncSession, chat_id: int) -> bool:
    """Whether a statement of this transaction read that the chat has no conversation (read under the chat's lock:
    none can have come since)."""
    loaded = session.info.get(_LOADED, {})
    return chat_id in loaded and loaded[chat_id] is None


def _still_current(session: AsyncSession, conversation: Conversation | None) -> bool:
    return conversation is None or (conversation in session and conversation not in session.deleted)


async def other_flow_open(session: AsyncSession, chat_id: int, flow: Flow) -> bool:
    """Whether the chat has a conversation of another flow open (a draft, a pending choice), which one of
    ``flow`` must not replace. A kept text (``Flow.TYPED``) only waits to be offered: anything the citizen
    starts may replace it."""
    conversation = await session.get(Conversation, chat_id)
    return conversation is not None and conversation.flow not in (flow, Flow.TYPED)


async def start_conversation(session: AsyncSession, chat_id: int, user_id: int, state: ConversationState | None = None,
                             step: str = Step.TYPE.value) -> Conversation:
    """A new conversation of the state's flow (an empty draft report, by default) replaces whatever the chat
    had open (one at a time per chat): no DELETE where this transaction read that the chat has none."""
    if not _known_to_have_none(session, chat_id):
        await end_conversation(session, chat_id)
    stored = to_json(state if state is not None else Draft())
    conversation = Conversation(chat_id=chat_id, user_id=user_id, flow=stored.flow.value, step=step,
                                state_json=stored.data, state_version=stored.version)
    session.add(conversation)
    await session.flush()
    keep_read(session, chat_id, conversation)
    return conversation


def state_of(conversation: Conversation, kind: type[State]) -> State:
    """The conversation's state, typed; one stored by an earlier release loads too. ``kind`` is what the caller
    expects of the flow it loaded: anything else is a bug, raised as one."""
    state = from_json(conversation.flow, conversation.state_version, conversation.state_json)
    if not isinstance(state, kind):
        raise TypeError(f"conversation of flow {conversation.flow!r} holds {type(state).__name__}, not {kind.__name__}")
    return state


def save_state(conversation: Conversation, state: ConversationState, step: str | None = None) -> None:
    """Store the state (and the step, when given) as a new JSON value, never the stored one changed in place
    (SQLAlchemy would not see the change). A conversation keeps its flow: a state of another is a bug."""
    stored = to_json(state)
    if stored.flow != conversation.flow:
        raise ValueError(f"a {stored.flow} state for a conversation of flow {conversation.flow!r}")
    conversation.state_json, conversation.state_version = stored.data, stored.version
    if step is not None:
        conversation.step = step


def draft_of(conversation: Conversation) -> Draft:
    """The intake's draft report."""
    return state_of(conversation, Draft)


def save_draft(conversation: Conversation, draft: Draft, step: Step) -> None:
    save_state(conversation, draft, step.value)


async def end_conversation(session: AsyncSession, chat_id: int) -> None:
    await session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))
    keep_read(session, chat_id, None)
