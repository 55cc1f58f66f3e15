"""One update, one transaction: the unit of work every handler runs in.

``Turn`` claims the update id (a redelivered update changes nothing), remembers the user, picks
their language, and collects the replies; they are sent only after the transaction commits, so a
slow network never holds a database lock, and nothing is said about a change that was rolled back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.db.models import User
from bot.i18n import Translator
from bot.services.conversations import claim_update, remember_user

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


@dataclass
class Turn:
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    session: AsyncSession
    user: User
    _: Translator
    _actions: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    _callback_answer: str | None = None

    @property
    def chat_id(self) -> int:
        return self.update.effective_chat.id

    @property
    def message(self) -> Message | None:
        return self.update.effective_message

    @property
    def services(self) -> Any:
        return self.context.bot_data["services"]

    def say(self, text: str, markup: Markup = None) -> None:
        self._actions.append(lambda: self.context.bot.send_message(self.chat_id, text, reply_markup=markup))

    def settle_button(self, text: str) -> None:
        """Replace the tapped message's buttons by what was chosen, so old buttons cannot be reused."""
        query = self.update.callback_query
        if query and query.message:
            self._actions.append(functools.partial(_edit_quietly, query.message, text))

    def after(self, action: Callable[[], Awaitable[Any]]) -> None:
        """Run an action once the transaction has committed."""
        self._actions.append(action)

    def notify_callback(self, text: str) -> None:
        self._callback_answer = text

    async def flush(self) -> None:
        if self.update.callback_query:
            await self.update.callback_query.answer(self._callback_answer)
        for action in self._actions:
            await action()


async def _edit_quietly(message: Message, text: str) -> None:
    try:
        await message.edit_text(text)
    except BadRequest as error:  # unchanged, or too old to edit: the choice still counts
        log.debug("could not edit message %s: %s", message.message_id, error)


def turn_handler(handler: Callable[[Turn], Awaitable[None]]):
    """Adapt ``handler(turn)`` to python-telegram-bot's ``(update, context)`` signature."""

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        services = context.bot_data["services"]
        sender = update.effective_user
        if sender is None or update.effective_chat is None:
            return
        async with services.transactions.begin() as session:
            if not await claim_update(session, update.update_id):
                log.info("update %s already handled; ignored", update.update_id)
                return
            user = await remember_user(session, sender.id, sender.first_name, sender.username)
            turn = Turn(update, context, session, user, services.settings.translator(user.locale))
            if update.effective_chat.type == ChatType.PRIVATE:
                await handler(turn)
            else:
                turn.say(turn._("Please talk to me in a private chat, so that your report stays between us."))
        await turn.flush()

    return run
