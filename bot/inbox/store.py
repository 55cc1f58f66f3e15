"""The inbox table: updates stored before Telegram is told they arrived, then handled once each.

States: ``pending`` (to handle, once ``next_attempt_at`` is due), ``done`` (a handler took it, in the
same transaction as its effects), ``ignored`` (no handler wanted it) and ``failed`` (it kept failing;
the sender was told). Handled rows lose their content at once and are deleted after their channel's
redelivery window, so that a redelivered update is still recognised.

A channel whose messages have ids of their own (WhatsApp's wamid) makes its update ids from them, from
``KEYED_IDS_FROM`` up (above any Telegram id), and stores the key in ``message_key``: a repeat has the same id
and the same key (stored once); a different key under an id already taken is a collision, stored under the next
free id instead (``store_keyed``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db import bulk_update, insert_for
from bot.db.models import InboxUpdate, utcnow
from bot.delivery import outbox
from bot.inbox.cleaning import storable

PENDING, DONE, IGNORED, FAILED = "pending", "done", "ignored", "failed"
# Telegram keeps an undelivered update for at most 24 hours: older ids cannot come back.
REDELIVERY_WINDOW = timedelta(days=2)
# Ids made from a channel's own message ids (bot.channels.whatsapp.inbound) start here; Telegram's never reach it.
KEYED_IDS_FROM = 2**62
# Meta retries an unanswered webhook for up to 7 days: a WhatsApp row is kept a day longer.
KEYED_REDELIVERY_WINDOW = timedelta(days=8)
# A collision is a 32-bit hash meeting another in the same second; several in a row are not one.
MAX_BUMPS = 8


@dataclass(frozen=True)
class Stored:
    update_id: int
    chat_id: int | None
    payload: dict[str, Any]
    parsed: Any = field(default=None, compare=False)  # the Update the receiver already parsed, if any
    message_key: str | None = None  # the channel's own id of the item (see the module's doc), where it has one


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


def received(payloads: list[dict[str, Any]], parse: Callable[[dict[str, Any]], Any] | None = None) -> list[Stored]:
    """What a receiver got, cleaned of what a database refuses (every field: see ``cleaning``), ready to
    dispatch and to store; ``parse`` reads each cleaned payload into the Update the handlers see."""
    cleaned = [storable(payload) for payload in payloads]
    return [Stored(int(payload["update_id"]), chat_of(payload), payload, parse(payload) if parse else None)
            for payload in cleaned]


async def store(session: AsyncSession, updates: list[Stored], due_in: timedelta = timedelta(0)) -> list[int]:
    """Store updates in one statement; returns the ids that are new (a redelivered or already handled update
    is stored once). ``due_in``: when a scan may take them."""
    new, _placed = await _store(session, updates, due_in)
    return new


async def store_keyed(session: AsyncSession, updates: list[Stored], due_in: timedelta = timedelta(0)) -> list[Stored]:
    """Store updates that carry a ``message_key``; returns those still to handle, each once, as stored: a new one
    (under the next free id, its payload's ``update_id`` too, where another key took its id) or a repeat of one
    still pending. A repeat of one handled already is left out."""
    _new, placed = await _store(session, updates, due_in)
    return placed


async def _store(session: AsyncSession, updates: list[Stored], due_in: timedelta) -> tuple[list[int], list[Stored]]:
    """The ids that are new, and the updates to handle (all but repeats of settled ones)."""
    new: list[int] = []
    placed: dict[int, Stored] = {}
    settled: set[int] = set()
    waiting = list(updates)
    for _bump in range(MAX_BUMPS + 1):
        if not waiting:
            break
        inserted = await _insert_rows(session, waiting, due_in)
        new += sorted(inserted)
        keyed = [item.update_id for item in waiting if item.message_key is not None and item.update_id not in inserted]
        found = {update_id: (key, state) for update_id, key, state in await session.execute(
            select(InboxUpdate.update_id, InboxUpdate.message_key, InboxUpdate.state)
            .where(InboxUpdate.update_id.in_(keyed)))} if keyed else {}
        collided = []
        for item in waiting:
            key, state = found.get(item.update_id, (None, None))
            if item.update_id in placed and placed[item.update_id].message_key != item.message_key:
                collided.append(item)  # two keys under one id in this batch: the first took it
            elif item.update_id in inserted or key in (None, item.message_key):
                if state not in (None, PENDING):
                    settled.add(item.update_id)  # a repeat of one handled already
                else:
                    placed.setdefault(item.update_id, item)
            else:
                collided.append(item)
        waiting = [moved(item, item.update_id + 1) for item in collided]
    if waiting:
        raise RuntimeError(f"{len(waiting)} updates found no free id after {MAX_BUMPS} tries")
    return new, [item for update_id, item in placed.items() if update_id not in settled]


def moved(item: Stored, update_id: int) -> Stored:
    """The update under another id (its payload's ``update_id`` too, where it has one)."""
    payload = item.payload
    if isinstance(payload, dict) and payload.get("update_id") == item.update_id:
        payload = {**payload, "update_id": update_id}
    return Stored(update_id, item.chat_id, payload, item.parsed, item.message_key)


async def keyed_ids(session: AsyncSession, chat_id: int, low: int, high: int) -> dict[str, int]:
    """The keys of a chat's rows with ids from ``low`` up to ``high`` (both included: the highest id of all is
    2**63 - 1), each with its id."""
    rows = await session.execute(select(InboxUpdate.message_key, InboxUpdate.update_id).where(
        InboxUpdate.chat_id == chat_id, InboxUpdate.update_id.between(low, high),
        InboxUpdate.message_key.is_not(None)))
    return {key: update_id for key, update_id in rows}


async def _insert_rows(session: AsyncSession, updates: list[Stored], due_in: timedelta) -> set[int]:
    now = utcnow()
    rows = [{"update_id": item.update_id, "chat_id": item.chat_id, "payload": item.payload, "state": PENDING,
             "attempts": 0, "next_attempt_at": now + due_in, "received_at": now, "message_key": item.message_key}
            for item in updates]
    # The rows go as parameters (one statement either way, through "insertmanyvalues"), not inside it:
    # an INSERT with its VALUES built in cannot be cached, and compiling it anew cost 8 % of a busy web process.
    statement = _insert(session).on_conflict_do_nothing(index_elements=["update_id"]).returning(InboxUpdate.update_id)
    return set(await session.scalars(statement, rows))


async def stored_ids(session: AsyncSession, update_ids: list[int]) -> set[int]:
    """Which of these updates the table has (any state): they reached some process."""
    return set(await session.scalars(select(InboxUpdate.update_id).where(InboxUpdate.update_id.in_(update_ids))))


def _insert(session: AsyncSession):
    return insert_for(_dialect(session), InboxUpdate.__table__)


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name


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
    """Mark an update handled, in the transaction of its effects, unless it already was or an earlier update
    of its chat is still pending, which goes first. One statement in the usual case, which also reads
    whether the chat has unsent messages (the turn's replies must not overtake them). The receiver may still
    be storing the update: then it is stored here, as handled."""
    settled = (await session.execute(settle_statement(_dialect(session)), settle_parameters(update_id, chat_id))).first()
    return await claim_outcome(session, update_id, chat_id, settled)


async def claim_outcome(session: AsyncSession, update_id: int, chat_id: int | None, settled: Row | None) -> str:
    """What a claim came to, given the row ``settle_statement`` returned (None, or a None id: not settled)."""
    if settled is not None and settled.update_id is not None:
        if chat_id is not None:
            outbox.remember_unsent(session, chat_id, bool(settled.unsent))
        return CLAIMED
    state = await session.scalar(select(InboxUpdate.state).where(InboxUpdate.update_id == update_id))
    return EARLIER_PENDING if state in (PENDING, None) else HANDLED_ALREADY


async def mark_ignored(session: AsyncSession, update_id: int) -> None:
    await session.execute(settle_statement(_dialect(session)), settle_parameters(update_id, None, IGNORED))


def settle_parameters(update_id: int, chat_id: int | None, state: str = DONE) -> dict[str, Any]:
    return {"update_id": update_id, "chat_id": chat_id, "state": state, "now": utcnow(), "cleared": {}}


@functools.cache
def settle_statement(dialect: str):
    """Built once (a turn runs it first thing)."""
    return settle_statement_provided(dialect, true())


def settle_statement_provided(dialect: str, condition):
    """Insert the update as settled, or settle the pending row, provided ``condition`` holds and no earlier update
    of its chat is pending (there is none for ``chat_id`` NULL). Returns the row's id and whether the chat has
    unsent messages, or nothing when it could not be settled."""
    table, earlier = InboxUpdate.__table__, aliased(InboxUpdate.__table__)
    no_earlier = condition & ~exists().where(earlier.c.chat_id == bindparam("chat_id"), earlier.c.state == PENDING,
                                             earlier.c.update_id < bindparam("update_id"))
    now, cleared = bindparam("now", type_=table.c.handled_at.type), bindparam("cleared", type_=table.c.payload.type)
    state = bindparam("state", type_=table.c.state.type)
    row = select(bindparam("update_id", type_=table.c.update_id.type), bindparam("chat_id", type_=table.c.chat_id.type),
                 cleared, state, literal(0), now, now, now).where(no_earlier)
    insert = insert_for(dialect, table).from_select(
        ["update_id", "chat_id", "payload", "state", "attempts", "next_attempt_at", "received_at", "handled_at"], row)
    unsent = outbox.unsent_exists(bindparam("chat_id")).label("unsent")
    return insert.on_conflict_do_update(index_elements=["update_id"], set_={"state": state, "handled_at": now, "payload": cleared},
                                        where=(table.c.state == PENDING) & no_earlier).returning(table.c.update_id, unsent)


async def record_failure(session: AsyncSession, update_id: int, error: str, retry_in: timedelta | None,
                         final: str = FAILED) -> None:
    """A handler failed: try again later, or settle it as ``final`` (``retry_in`` None): given up (FAILED), kept
    for inspection, or let go (IGNORED)."""
    values: dict[str, Any] = {"last_error": error[:2000], "attempts": InboxUpdate.attempts + 1}
    if retry_in is None:
        values.update(state=final, handled_at=utcnow())
    else:
        values["next_attempt_at"] = utcnow() + retry_in
    await session.execute(bulk_update(InboxUpdate).where(InboxUpdate.update_id == update_id).values(**values))


async def attempts_of(session: AsyncSession, update_id: int) -> int:
    return int(await session.scalar(select(InboxUpdate.attempts).where(InboxUpdate.update_id == update_id)) or 0)


async def prune(session: AsyncSession) -> int:
    """Delete handled rows past their channel's redelivery window (Telegram's 2 days, WhatsApp's 8)."""
    now = utcnow()
    past = ((InboxUpdate.update_id < KEYED_IDS_FROM) & (InboxUpdate.received_at < now - REDELIVERY_WINDOW)) | (
        InboxUpdate.received_at < now - KEYED_REDELIVERY_WINDOW)
    statement = delete(InboxUpdate).where(InboxUpdate.state != PENDING, past)
    return (await session.execute(statement)).rowcount
