"""One chat's turns one after another, across processes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, exists, func, literal, select, text, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import Conversation, User
from bot.inbox import store as inbox
from bot.services.conversations import keep_read, read_chat


class Opened(NamedTuple):
    sender: User | None  # None: new to the bot, their row not added yet
    claimed: str | None  # the inbox claim's outcome (None: nothing claimed)
    new: bool  # the sender is new to the bot (their row added here, or still to add)


async def open_chat(session: AsyncSession, sender_id: int, chat_id: int, private: bool, update_id: int | None,
                    newcomer: Callable[[], dict[str, Any]] | None = None) -> Opened:
    """Lock the chat for this transaction, read the sender and the chat's conversation, and claim the update in
    the inbox (``update_id`` None: none to claim).

    A citizen's private turn on PostgreSQL does it all in one statement where nobody else holds the chat: the read
    that locks the sender's row (a locked row is skipped, see ``lock_chat_and_read``) and, once it is locked, the
    claim. Where the row is held or not there yet, nothing is claimed: the turn waits for the lock and claims on
    its own, as in every other case. (Claimed before the wait, the update's row would hold up the receiver storing
    it, and Telegram's webhook call, for as long as the other turn takes; and an earlier update of the chat being
    handled elsewhere would defer this one instead of being waited for.) Where no row was locked, ``newcomer``
    (the values of a new sender's row) has the row added in a second statement, with the claim, if it is not there.
    """
    skipped = False
    if update_id is not None and private and session.bind.dialect.name == "postgresql":
        parameters = {**inbox.settle_parameters(update_id, chat_id), "user_id": sender_id}
        row = (await session.execute(_lock_claim_and_read(), parameters)).one()
        _settled, _unsent, sender, conversation = row
        if sender is not None:
            keep_read(session, chat_id, conversation)
            return Opened(sender, await inbox.claim_outcome(session, update_id, chat_id, row), new=False)
        if newcomer is not None and (added := await _add_newcomer(session, chat_id, update_id, parameters, newcomer)):
            return added
        skipped = True
    known = await lock_chat_and_read(session, sender_id, chat_id, private, skipped=skipped)
    return Opened(known, await inbox.claim(session, update_id, chat_id) if update_id is not None else None,
                  new=known is None)


async def _add_newcomer(session: AsyncSession, chat_id: int, update_id: int, parameters: dict[str, Any],
                        newcomer: Callable[[], dict[str, Any]]) -> Opened | None:
    """The sender's row was not there to lock (or another turn holds it): add it, and claim the update, in one
    statement under the chat's advisory lock (the lock every turn that finds no row to lock takes). Added, the row
    is this transaction's, which any other turn of the sender's waits for; new, they have no conversation in their
    private chat. None where the row was there: it was another turn's, which ``lock_chat_and_read`` waits for."""
    row = (await session.execute(_lock_add_and_claim(), {**parameters, **newcomer()})).one()
    _settled, _unsent, sender = row
    if sender is None:
        return None
    keep_read(session, chat_id, None)
    return Opened(sender, await inbox.claim_outcome(session, update_id, chat_id, row), new=True)


async def lock_chat_and_read(session: AsyncSession, sender_id: int, chat_id: int, private: bool, *,
                             skipped: bool = False) -> User | None:
    """Lock the chat for this transaction (SQLite has a single writer anyway) and read the sender and the chat's
    conversation on the way. In a private chat the sender's row is the lock; a group, or a sender with no row
    yet, takes an advisory lock on the chat.

    A statement that waits for a lock sees the rows it joins as they were when it began (PostgreSQL re-reads only
    the locked row): read together after a wait, the conversation would be the one before the other turn's. So the
    one statement skips a locked row; then the turn waits for the lock alone, and reads in a statement of its own.
    ``skipped``: that statement ran already (``open_chat``), and read nothing."""
    if session.bind.dialect.name != "postgresql":
        return await read_chat(session, sender_id, chat_id, lock_sender=False)
    if private:
        known = None if skipped else await read_chat(session, sender_id, chat_id, lock_sender=True, skip_locked=True)
        if known is not None:
            return known
        await session.execute(select(User.id).where(User.id == sender_id).with_for_update())  # another turn's, or none
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat_id})
    return await read_chat(session, sender_id, chat_id, lock_sender=private)


@functools.cache
def _lock_claim_and_read():
    """The sender's row, locked unless another transaction holds it; the inbox claim, where it was locked; and the
    chat's conversation: always one row, its parts NULL where nothing was locked, settled or found."""
    locked = select(User.__table__).where(User.id == bindparam("user_id")).with_for_update(skip_locked=True).cte("sender")
    return (_claimed_where_there_is(locked, Conversation)
            .outerjoin(Conversation, and_(Conversation.chat_id == bindparam("chat_id"), locked.c.id.is_not(None))))


@functools.cache
def _lock_add_and_claim():
    """The chat's advisory lock, then the sender's row inserted unless one is there (ON CONFLICT waits for another
    transaction inserting it, and then adds nothing), then the claim where it was added: one row, NULLs where not."""
    table = User.__table__
    key = bindparam("chat_id", type_=Conversation.__table__.c.chat_id.type)
    lock = select(func.pg_advisory_xact_lock(key).label("locked")).cte("chat_lock")
    columns = ["first_name", "username", "reachable", "lookups", "last_chat_id"]  # bot.services.conversations.newcomer
    values = select(bindparam("user_id", type_=table.c.id.type),
                    *(bindparam(name, type_=table.c[name].type) for name in columns)).select_from(lock)
    added = (postgresql.insert(table).from_select(["id", *columns], values)
             .on_conflict_do_nothing(index_elements=["id"]).returning(*table.c).cte("sender"))
    return _claimed_where_there_is(added)


def _claimed_where_there_is(sender, *more):
    """One row whatever happened: the inbox claim (the update's id and whether the chat has unsent messages), made
    only where ``sender`` (a CTE of the sender's row) has a row, and that row as a User; ``more`` is selected too,
    for the caller to join."""
    settled = inbox.settle_statement_provided("postgresql", exists(select(sender.c.id))).cte("settled")
    one = select(literal(1).label("one")).subquery("one")
    return (select(settled.c.update_id, settled.c.unsent, aliased(User, sender), *more).select_from(one)
            .outerjoin(settled, true()).outerjoin(sender, true()))
