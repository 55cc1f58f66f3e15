"""One update, one transaction: the unit of work every handler runs in.

``Turn`` claims the update in the inbox (so it is handled once, and in order per chat), remembers the
user, picks their language, and writes every reply to the outbox in the same transaction; right after
the commit the replies are sent. A failed send is retried in the background and holds back only its
own chat; nothing is said about a change that was rolled back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Chat, Message, Update
from telegram import User as TelegramUser
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.db.models import OutboxMessage, User
from bot.delivery import outbox
from bot.delivery.messages import Edit, Markup, Outgoing, Text, markup_json
from bot.i18n import Translator
from bot.inbox import store as inbox
from bot.inbox.dispatcher import current_handling
from bot.services.conversations import end_conversation, load_conversation, read_chat, remember_user

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Queued:
    chat_id: int
    message: Outgoing
    delay: timedelta
    replace_key: str | None


@dataclass
class Turn:
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    session: AsyncSession
    user: User
    _: Translator
    _queued: list[_Queued] = field(default_factory=list)
    _delays: set[timedelta] = field(default_factory=set)
    _rows: dict[int, list[OutboxMessage]] = field(default_factory=dict)
    _chats: list[int] = field(default_factory=list)
    _callback_answer: str | None = None

    @property
    def chat_id(self) -> int:
        return self.update.effective_chat.id

    @property
    def in_group(self) -> bool:
        return self.update.effective_chat.type != ChatType.PRIVATE

    @property
    def message(self) -> Message | None:
        return self.update.effective_message

    @property
    def services(self) -> Any:
        return self.context.bot_data["services"]

    def say(self, text: str, markup: Markup = None) -> None:
        self.send(Text(text, markup_json(markup)))

    def send(self, message: Outgoing, *, chat_id: int | None = None, delay: timedelta = timedelta(0),
             replace_key: str | None = None) -> None:
        """Write a message to the outbox (this chat's, unless ``chat_id`` says otherwise); sent after commit."""
        target = self.chat_id if chat_id is None else chat_id
        self._queued.append(_Queued(target, message, delay, replace_key))
        if target not in self._chats:
            self._chats.append(target)

    def settle_button(self, text: str) -> None:
        """Replace the tapped message's buttons by what was chosen, so old buttons cannot be reused."""
        self.edit_tapped(text)

    def edit_tapped(self, text: str, markup: Markup = None) -> None:
        """New text (and buttons) for the message whose button was tapped."""
        query = self.update.callback_query
        if query and query.message:
            self.send(Edit(query.message.message_id, text, markup_json(markup)))

    def notify_callback(self, text: str) -> None:
        self._callback_answer = text

    async def write(self) -> None:
        """Put the collected messages in the outbox, in this turn's transaction, and claim the ones that can
        go out right after the commit."""
        lease = self.services.delivery.lease
        free = {chat: not await outbox.has_unsent(self.session, chat) for chat in self._chats}
        for item in self._queued:
            user = self.user if item.chat_id == self.user.id else None
            claim = lease if free[item.chat_id] and not item.delay and not item.replace_key else None
            row = await outbox.enqueue(self.session, item.chat_id, item.message, user=user, delay=item.delay,
                                       replace_key=item.replace_key, claim_for=claim,
                                       answers=_fingerprint(self.update) if item.chat_id == self.chat_id else None)
            self._rows.setdefault(item.chat_id, []).append(row)
            free[item.chat_id] = free[item.chat_id] and claim is not None  # nothing claimed after a delayed one
        self._delays = {item.delay for item in self._queued if item.delay}
        self._queued = []
        # What the services queued in this transaction (the reporter's push, the staff's notices) goes out after
        # the turn's own replies, on the same fast path.
        self._chats += [chat for chat in outbox.written_chats(self.session) if chat not in self._chats]

    async def flush(self) -> None:
        """After the commit: answer the tapped button while the replies go out (the replies first: the
        citizen waits for them; the answer only stops the button's spinner)."""
        if self.update.callback_query:
            await asyncio.gather(self._deliver(), _answer_quietly(self.update.callback_query, self._callback_answer))
        else:
            await self._deliver()
        for delay in self._delays:  # a delayed message (an album's answer): the sender looks when it is due
            self.services.delivery.kick(after=delay)

    async def _deliver(self) -> None:
        for chat_id in self._chats:
            claims = outbox.claims_of(self._rows.get(chat_id, []))  # the rows have their ids since the commit
            if claims:
                await self.services.delivery.send_claimed(chat_id, claims)
            else:
                await self.services.delivery.deliver_chat(chat_id)


async def _answer_quietly(query, text: str | None) -> None:
    try:
        await query.answer(text)
    except TelegramError as error:  # too old, or the network: the button's effect is in the chat anyway
        log.info("could not answer a button tap: %s", error)


class _Deferred(Exception):
    """An earlier update of this chat is still pending elsewhere: roll back and come back to this one."""


async def _lock_chat_and_read(session: AsyncSession, chat: Chat, sender: TelegramUser) -> User | None:
    """One chat's turns one after another, across processes (SQLite has a single writer anyway), with the
    sender and the chat's conversation read on the way. In a private chat the sender's row is the lock; a
    group, or a sender with no row yet, takes an advisory lock on the chat."""
    if session.bind.dialect.name != "postgresql":
        return await read_chat(session, sender.id, chat.id, lock_sender=False)
    private = chat.type == ChatType.PRIVATE
    if private:
        known = await read_chat(session, sender.id, chat.id, lock_sender=True)
        if known is not None:
            return known
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": chat.id})
    return await read_chat(session, sender.id, chat.id, lock_sender=private)


def turn_handler(handler: Callable[[Turn], Awaitable[None]], *, groups: bool = False):
    """Adapt ``handler(turn)`` to python-telegram-bot's ``(update, context)`` signature. Group chats
    reach the handler only with ``groups=True``; otherwise they are asked to talk in private."""

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sender, chat = update.effective_user, update.effective_chat
        if sender is None or chat is None:
            return
        try:
            turn = await _run_in_transaction(handler, update, context, groups)
        except _Deferred:
            return
        if turn is not None:
            if (handling := current_handling.get()) is not None:
                handling.committed()
            await turn.flush()

    return run


async def _run_in_transaction(handler, update: Update, context, groups: bool) -> Turn | None:
    services = context.bot_data["services"]
    sender, chat = update.effective_user, update.effective_chat
    handling = current_handling.get()
    async with services.transactions.begin() as session:
        known = await _lock_chat_and_read(session, chat, sender)
        if handling is not None:
            claimed = await inbox.claim(session, update.update_id, chat.id)
            if claimed == inbox.HANDLED_ALREADY:
                log.info("update %s already handled; ignored", update.update_id)
                return None
            if claimed == inbox.EARLIER_PENDING:  # another process holds it: that one goes first
                handling.deferred = True
                raise _Deferred()
            handling.claimed = True
        private = chat.type == ChatType.PRIVATE
        user = await remember_user(session, known, sender.id, sender.first_name, sender.username, private_chat=private)
        turn = Turn(update, context, session, user, services.settings.translator(user.locale))
        if private and (said := _fingerprint(update)) and await outbox.reply_unsent(session, chat.id, said):
            log.info("update %s repeats a text whose reply is still unsent; not taken as a new answer", update.update_id)
        elif private or groups:
            await handler(turn)
        else:
            turn.say(turn._("Please talk to me in a private chat, so that your report stays between us."))
        await turn.write()
    return turn


def _fingerprint(update: Update) -> str | None:
    """The fingerprint of the text a citizen sent, for knowing it again when it is sent twice."""
    message = update.message
    return outbox.fingerprint(message.text) if message is not None and message.text else None


async def end_flow(turn: Turn, flow: str, said: str) -> bool:
    """``/batal`` for a conversation of ``flow`` (what a command left waiting): end it and say ``said``;
    False when the chat has no such conversation."""
    if await load_conversation(turn.session, turn.chat_id, flow) is None:
        return False
    await end_conversation(turn.session, turn.chat_id)
    turn.say(said)
    return True
