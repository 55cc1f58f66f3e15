"""One update, one transaction: the unit of work every handler runs in.

A turn claims the update in the inbox (so it is handled once, and in order per chat), remembers the user,
picks their language, and writes every reply to the outbox in the same transaction; right after the commit
the replies are sent. A failed send is retried in the background and holds back only its own chat; nothing
is said about a change that was rolled back. Turns see neutral messages only (bot.channels): the channel
the update came from is a port they call, never a messenger's library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.channels.channel import Channel
from bot.channels.incoming import Incoming
from bot.channels.markup import Markup
from bot.db.models import User
from bot.delivery import outbox
from bot.delivery.outbox import Claim
from bot.delivery.messages import Edit, Outgoing, Text
from bot.i18n import Translator
from bot.inbox import store as inbox
from bot.inbox.handling import Acknowledgement, current_handling
from bot.services import Session, contacts
from bot.services.chat_locks import open_chat
from bot.services.conversations import end_conversation, load_conversation, newcomer, remember_user
from bot.domain.choices import ChoiceData

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Queued:
    chat_id: int
    message: Outgoing
    delay: timedelta
    replace_key: str | None


@dataclass
class Turn:
    incoming: Incoming
    channel: Channel
    services: Any
    session: Session
    user: User
    chat_id: int  # the chat's id in the schema (bot.services.contacts)
    _: Translator
    choice: ChoiceData | None = None  # what the tapped choice carried, typed
    _queued: list[_Queued] = field(default_factory=list)
    _delays: set[timedelta] = field(default_factory=set)
    _claims: dict[int, list[Claim]] = field(default_factory=dict)  # what goes out right after the commit
    _chats: list[int] = field(default_factory=list)
    _callback_answer: str | None = None

    @property
    def in_group(self) -> bool:
        return not self.incoming.chat.private

    @property
    def args(self) -> tuple[str, ...]:
        """The words after a command."""
        command = self.incoming.command
        return command.args if command else ()

    def say(self, text: str, markup: Markup = None) -> None:
        self.send(Text(text, markup))

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
        """New text (and buttons) for the message whose button was tapped; said anew where the tap names no
        message to edit (WhatsApp, which cannot edit what the bot sent)."""
        tap = self.incoming.tap
        if tap and tap.message_id is not None:
            self.send(Edit(tap.message_id, text, markup))
        elif tap:
            self.say(text, markup)

    def notify_callback(self, text: str) -> None:
        """A short notice for the tapper ("That button is no longer active."): shown beside the chat where the
        channel can, said in it where not (WhatsApp shows nothing for a tap, so a silent notice would be lost)."""
        if self.channel.limits.tap_notices:
            self._callback_answer = text
        elif self.incoming.tap:
            self.say(text)

    async def write(self) -> None:
        """Put the collected messages in the outbox, in this turn's transaction, and claim the ones that can
        go out right after the commit."""
        lease = self.services.delivery.lease
        free = {chat: not await outbox.has_unsent(self.session, chat) for chat in self._chats}
        written = []
        for item in self._queued:
            claim = lease if free[item.chat_id] and not item.delay and not item.replace_key else None
            written.append(outbox.NewMessage(
                item.chat_id, item.message, self.user if item.chat_id == self.user.id else None, delay=item.delay,
                replace_key=item.replace_key, claim_for=claim,
                answers=_fingerprint(self.incoming) if item.chat_id == self.chat_id else None))
            free[item.chat_id] = free[item.chat_id] and claim is not None  # nothing claimed after a delayed one
        for claim in await outbox.enqueue_all(self.session, written):
            self._claims.setdefault(claim.chat_id, []).append(claim)
        self._delays = {item.delay for item in self._queued if item.delay}
        self._queued = []
        # What the services queued in this transaction (the reporter's push, the staff's notices) goes out after
        # the turn's own replies, on the same fast path.
        self._chats += [chat for chat in outbox.written_chats(self.session) if chat not in self._chats]

    @property
    def acknowledgement(self) -> Acknowledgement | None:
        """The tapped button's answer, for the receiver to give where it can (see ``Handling.committed``)."""
        tap = self.incoming.tap
        return Acknowledgement(tap.reference, self._callback_answer) if tap and tap.reference else None

    async def flush(self, acknowledged: bool = False) -> None:
        """After the commit: answer the tapped button (unless the receiver does) while the replies go out (the
        replies first: the citizen waits for them; the answer only stops the button's spinner)."""
        if self.incoming.tap and not acknowledged:
            await asyncio.gather(self._deliver(), self.channel.acknowledge(self.incoming, self._callback_answer))
        else:
            await self._deliver()
        for delay in self._delays:  # a delayed message (an album's answer): the sender looks when it is due
            self.services.delivery.kick(after=delay)

    async def _deliver(self) -> None:
        for chat_id in self._chats:
            claims = self._claims.get(chat_id)
            if claims:
                await self.services.delivery.send_claimed(chat_id, claims)
            else:
                await self.services.delivery.deliver_chat(chat_id)


class _Deferred(Exception):
    """An earlier update of this chat is still pending elsewhere: roll back and come back to this one."""


Handler = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    """Who takes an update: its handler, whether group chats reach it, and what a tapped choice carried."""

    handler: Handler
    groups: bool = False
    choice: ChoiceData | None = None


async def run_turn(incoming: Incoming, route: Route, services: Any, channel: Channel) -> None:
    """Run ``route``'s handler for ``incoming`` in one transaction, then send what it said. Group chats reach
    the handler only when the route allows; otherwise they are asked to talk in private."""
    try:
        turn = await _run_in_transaction(incoming, route, services, channel)
    except _Deferred:
        return
    if turn is not None:
        handling = current_handling.get()
        await turn.flush(acknowledged=handling is not None and handling.committed(turn.acknowledgement))


async def _run_in_transaction(incoming: Incoming, route: Route, services: Any, channel: Channel) -> Turn | None:
    sender, chat, handling = incoming.sender, incoming.chat, current_handling.get()
    async with services.transactions.begin() as session:
        who = await contacts.identify(session, incoming.channel, sender.address, chat.address, chat.private)
        private_chat = who.chat_id if chat.private else None
        opened = await open_chat(session, who.user_id, who.chat_id, chat.private,
                                 incoming.update_id if handling is not None else None,
                                 newcomer=lambda: newcomer(who.user_id, sender.name, sender.username, private_chat))
        claimed = opened.claimed
        if handling is not None:
            if claimed == inbox.HANDLED_ALREADY:
                log.info("update %s already handled; ignored", incoming.update_id)
                return None
            if claimed == inbox.EARLIER_PENDING:  # another process holds it: that one goes first
                handling.deferred = True
                raise _Deferred()
            handling.claimed = True
        user = await remember_user(session, opened.sender, who.user_id, sender.name, sender.username,
                                   private_chat=private_chat)
        await contacts.remember(session, who, incoming.channel, chat.address, chat.private, new_user=opened.new)
        turn = Turn(incoming, channel, services, session, user, who.chat_id, services.settings.translator(user.locale),
                    route.choice)
        if chat.private and (said := _fingerprint(incoming)) and await outbox.reply_unsent(session, who.chat_id, said):
            log.info("update %s repeats a text whose reply is still unsent; not taken as a new answer", incoming.update_id)
        elif chat.private or route.groups:
            await route.handler(turn)
        else:
            turn.say(turn._("Please talk to me in a private chat, so that your report stays between us."))
        await turn.write()
    return turn


def _fingerprint(incoming: Incoming) -> str | None:
    """The fingerprint of the text a citizen typed, for knowing it again when it is sent twice."""
    written = incoming.command.text if incoming.command else incoming.typed
    return outbox.fingerprint(written) if written else None


async def end_flow(turn: Turn, flow: str, said: str) -> bool:
    """``/batal`` for a conversation of ``flow`` (what a command left waiting): end it and say ``said``;
    False when the chat has no such conversation."""
    if await load_conversation(turn.session, turn.chat_id, flow) is None:
        return False
    await end_conversation(turn.session, turn.chat_id)
    turn.say(said)
    return True
