"""The outbox table: writing messages in the caller's transaction (claiming them for sending and settling them
is bot.delivery.claiming's).

States: ``pending`` (to send, once ``next_attempt_at`` is due), ``sent``, ``failed`` (Telegram refused it
for good, reason kept) and ``held`` (the chat blocked the bot: kept until it unblocks); an announcement's copy may also be ``withdrawn``. A chat's messages
go out strictly in order: only the oldest pending message of a chat (its head) may be claimed, so a
message waiting for a retry holds back its own chat and no other.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import bulk_update
from bot.db.models import OutboxMessage, OutboxSender, User, utcnow
from bot.delivery.messages import Outgoing, to_payload
from bot.delivery.transport import Envelope, Purpose

PENDING, SENT, FAILED, HELD, WITHDRAWN = "pending", "sent", "failed", "held", "withdrawn"
MESSAGE, STATUS_CHANGED = "message", "status_changed"
# A sender whose heartbeat is older than this is dead: its claims are free (it refreshes it every second or so).
SENDER_STALE_AFTER = timedelta(seconds=5)
# A citizen's text sent again this soon, while the reply to it is unsent, is the same message, not a new answer.
RESENT_WITHIN = timedelta(minutes=2)
# In ``session.info``: chat id -> whether it has unsent messages, as a statement of this transaction read it
# (the inbox claim does, on its way), until this transaction writes to the chat's outbox.
_KNOWN_UNSENT = "outbox_known_unsent"
# In ``session.info``: the chats this transaction wrote messages for, in order (whoever queued them: a turn's
# replies, or the notices a service queued), so that the turn can send them right after its commit.
_WRITTEN = "outbox_written"


class Priority(IntEnum):
    """Lower goes first when the sender is busy: a citizen waiting for an answer before a broadcast."""

    INTERACTIVE = 0
    NOTIFICATION = 1
    BULK = 2


_PURPOSES = {Priority.INTERACTIVE: Purpose.REPLY, Priority.NOTIFICATION: Purpose.NOTICE,
             Priority.BULK: Purpose.ANNOUNCEMENT}


@dataclass(frozen=True)
class Lease:
    """How long a claim lasts at most, and who holds it: a sender's name (see bot.delivery.senders)."""

    duration: timedelta
    holder: str


@dataclass(frozen=True)
class Claim:
    """A message taken for sending, rendered: the sender holds it until its ``claimed_until``."""

    id: int
    chat_id: int
    priority: int
    attempts: int
    message: Outgoing
    broadcast: bool = False  # a copy of an announcement (sent as a paid broadcast when the operator enabled it)

    @property
    def envelope(self) -> Envelope:
        purpose = Purpose.ANNOUNCEMENT if self.broadcast else _PURPOSES.get(self.priority, Purpose.NOTICE)
        return Envelope(self.id, purpose)

    @classmethod
    def of(cls, row: OutboxMessage, message: Outgoing) -> "Claim":
        return cls(row.id, row.chat_id, row.priority, row.attempts, message, row.broadcast_id is not None)


async def enqueue(
    session: AsyncSession,
    chat_id: int,
    message: Outgoing | None = None,
    *,
    user: User | None = None,
    kind: str = MESSAGE,
    priority: Priority = Priority.INTERACTIVE,
    delay: timedelta = timedelta(0),
    replace_key: str | None = None,
    report_id: int | None = None,
    event_id: int | None = None,
    claim_for: Lease | None = None,
    answers: str | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction. A message with a ``replace_key`` replaces
    the chat's still-unsent message with the same key (and waits ``delay`` anew, or longer if that one waits for
    a retry): one answer to an album, the latest of a progress message's edits.
    ``claim_for``: the caller sends it right after the commit (nothing older of the chat is unsent).
    ``answers``: the ``fingerprint`` of the citizen's text this is a reply to."""
    new = NewMessage(chat_id, message, user, kind, priority, delay, replace_key, report_id, event_id, claim_for,
                     answers)
    replaced = await _replace(session, new)
    if replaced is not None:
        return replaced
    row = OutboxMessage(**new.row())
    session.add(row)
    return row


@dataclass(frozen=True)
class NewMessage:
    """A message to write to the outbox (``enqueue``'s arguments)."""

    chat_id: int
    message: Outgoing | None
    user: User | None = None
    kind: str = MESSAGE
    priority: Priority = Priority.INTERACTIVE
    delay: timedelta = timedelta(0)
    replace_key: str | None = None
    report_id: int | None = None
    event_id: int | None = None
    claim_for: Lease | None = None
    answers: str | None = None

    def row(self) -> dict[str, Any]:
        now = utcnow()
        claimed = self.claim_for is not None and not self.delay
        return {"chat_id": self.chat_id, "user_id": self.user.id if self.user else None, "kind": self.kind,
                "payload": to_payload(self.message) if self.message is not None else None,
                "priority": int(self.priority), "replace_key": self.replace_key, "report_id": self.report_id,
                "event_id": self.event_id, "next_attempt_at": now + self.delay, "answers": self.answers,
                "state": HELD if self.user is not None and not self.user.reachable else PENDING, "attempts": 0,
                "claimed_until": now + self.claim_for.duration if claimed else None,
                "claimed_by": self.claim_for.holder if claimed else None, "created_at": now}


async def enqueue_all(session: AsyncSession, messages: list[NewMessage]) -> list[Claim]:
    """``enqueue`` for many messages, those that add a row in one INSERT (a turn's replies: the unit of work's
    flush of each row was a tenth of a turn's CPU, bench/turn.py); returns the claims of those written claimed,
    with their ids. What the transaction added before (a service's notices) is flushed first, and goes first."""
    added: list[NewMessage] = []
    for new in messages:
        if await _replace(session, new) is None:
            added.append(new)
    if not added:
        return []
    rows = [new.row() for new in added]
    ids = (await session.execute(_insert_returning_ids(), rows)).scalars().all()
    return [Claim(id, new.chat_id, int(new.priority), 0, new.message) for id, new, row in zip(ids, added, rows)
            if row["claimed_until"] is not None]


@functools.cache
def _insert_returning_ids():
    return insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id, sort_by_parameter_order=True)


async def _replace(session: AsyncSession, new: NewMessage) -> OutboxMessage | None:
    """Note the chat as written to; and where ``new`` has a ``replace_key`` and the chat an unsent message with the
    same key, give that one the new content (None: there is none, ``new`` is a row of its own)."""
    _forget_unsent(session, new.chat_id)
    session.info.setdefault(_WRITTEN, {})[new.chat_id] = True
    if not new.replace_key:
        return None
    replaced = await _unsent_with_key(session, new.chat_id, new.replace_key)
    if replaced is not None:  # a retry it waits for (Telegram's retry_after) still holds
        replaced.payload = to_payload(new.message) if new.message is not None else None
        replaced.next_attempt_at = max(utcnow() + new.delay, replaced.next_attempt_at)
    return replaced


async def enqueue_broadcast(session: AsyncSession, broadcast_id: int, copies: list[tuple[int, int, Outgoing]]) -> None:
    """One announcement's copies (user, their chat, message), in one statement: they go at the bulk pace, after
    replies."""
    now = utcnow()
    rows = [{"chat_id": chat_id, "user_id": user_id, "kind": MESSAGE, "payload": to_payload(message),
             "priority": int(Priority.BULK), "broadcast_id": broadcast_id, "state": PENDING, "attempts": 0,
             "next_attempt_at": now, "created_at": now} for user_id, chat_id, message in copies]
    if rows:
        await session.execute(insert(OutboxMessage), rows)


async def withdraw_broadcasts(session: AsyncSession, reason: str, user_id: int | None = None,
                              broadcast_id: int | None = None) -> int:
    """Take back announcement copies not yet on their way: a person's (they opted out or blocked the bot) or a
    broadcast's (cancelled). They stay as ``withdrawn``, with the reason, for the broadcast's counts."""
    statement = bulk_update(OutboxMessage).where(
        OutboxMessage.broadcast_id.is_not(None), OutboxMessage.state.in_((PENDING, HELD)),
        unclaimed(utcnow()),
    )
    if user_id is not None:
        statement = statement.where(OutboxMessage.user_id == user_id)
    if broadcast_id is not None:
        statement = statement.where(OutboxMessage.broadcast_id == broadcast_id)
    return (await session.execute(statement.values(state=WITHDRAWN, last_error=reason))).rowcount


async def _unsent_with_key(session: AsyncSession, chat_id: int, key: str) -> OutboxMessage | None:
    statement = select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.replace_key == key,
        OutboxMessage.state == PENDING, OutboxMessage.claimed_until.is_(None),
    )
    return (await session.execute(statement.limit(1))).scalar_one_or_none()


def unclaimed(now: datetime, holder: str | None = None):
    """Nobody holds it: never claimed, its claim ran out, or its sender's heartbeat stopped (the process died)."""
    return (OutboxMessage.claimed_until.is_(None) | (OutboxMessage.claimed_until < now)
            | OutboxMessage.claimed_by.in_(dead_senders(now, holder)))


def dead_senders(now: datetime, holder: str | None):
    """Senders whose heartbeat stopped; never ``holder`` itself: a live process that fell behind on its heartbeat
    (a busy database) must not take its own claims for a dead one's and send them twice."""
    statement = select(OutboxSender.name).where(OutboxSender.heartbeat_at < now - SENDER_STALE_AFTER)
    return statement if holder is None else statement.where(OutboxSender.name != holder)


def fingerprint(text: str) -> str:
    """A text's fingerprint, to know it again without keeping it."""
    return hashlib.sha256(text.strip().encode()).hexdigest()[:16]


async def reply_unsent(session: AsyncSession, chat_id: int, answers: str) -> bool:
    """Whether a reply to the text of this fingerprint, written lately, still waits to go out: then the same text
    again is the citizen re-sending it because no reply came (after a crash, say), not the next answer."""
    if session.info.get(_KNOWN_UNSENT, {}).get(chat_id) is False:  # the turn's inbox claim saw nothing unsent
        return False
    return bool(await session.scalar(select(exists().where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.answers == answers, OutboxMessage.state == PENDING,
        OutboxMessage.created_at >= utcnow() - RESENT_WITHIN))))


async def has_unsent(session: AsyncSession, chat_id: int) -> bool:
    """Whether the chat has messages still waiting (which new ones must not overtake)."""
    known = session.info.get(_KNOWN_UNSENT, {})
    if chat_id in known:
        return known[chat_id]
    return bool(await session.scalar(select(unsent_exists(chat_id))))


def unsent_exists(chat_id):
    """The SQL condition of ``has_unsent``, for a statement that reads it on its way (``chat_id`` a value or
    a bind parameter); tell ``remember_unsent`` what it read."""
    return exists().where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == PENDING)


def written_chats(session: AsyncSession) -> list[int]:
    """The chats this transaction queued messages for, in the order first written."""
    return list(session.info.get(_WRITTEN, {}))


def remember_unsent(session: AsyncSession, chat_id: int, unsent: bool) -> None:
    session.info.setdefault(_KNOWN_UNSENT, {})[chat_id] = unsent


def _forget_unsent(session: AsyncSession, chat_id: int) -> None:
    session.info.get(_KNOWN_UNSENT, {}).pop(chat_id, None)


async def hold_chat(session: AsyncSession, chat_id: int, reason: str) -> None:
    """The chat blocked the bot: keep its unsent messages until it is reachable again (see
    ``subscriptions.chat_blocked``, which also ends its announcements)."""
    _forget_unsent(session, chat_id)
    await session.execute(
        bulk_update(OutboxMessage).where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == PENDING)
        .values(state=HELD, claimed_until=None, last_error=reason[:2000])
    )
    await session.execute(update(User).where(User.id == chat_id).values(reachable=False))


def keep_held(session: AsyncSession, chat_id: int, user_id: int | None, message: Outgoing, purpose: Purpose,
              replace_key: str | None = None) -> None:
    """A message held for the chat until it is reachable again (``release_chat``): what a channel cannot send
    now (the files and choices of a WhatsApp message sent as a template after the 24-hour window)."""
    priority = next(priority for priority, its_purpose in _PURPOSES.items() if its_purpose is purpose)
    session.add(OutboxMessage(chat_id=chat_id, user_id=user_id, kind=MESSAGE, payload=to_payload(message),
                              priority=int(priority), replace_key=replace_key, state=HELD, attempts=0,
                              next_attempt_at=utcnow()))


async def release_chat(session: AsyncSession, chat_id: int) -> int:
    """The chat is reachable again (it unblocked the bot, or wrote): what was held goes out, in order."""
    _forget_unsent(session, chat_id)
    result = await session.execute(
        bulk_update(OutboxMessage).where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == HELD)
        .values(state=PENDING, next_attempt_at=utcnow(), claimed_until=None)
    )
    return result.rowcount
