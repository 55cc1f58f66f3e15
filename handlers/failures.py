"""When a handler fails: the inbox tries the update again, and once it gives up the user hears so."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.db.models import User
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.inbox.dispatcher import current_handling

log = logging.getLogger(__name__)


async def record_failure(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The failed turn was rolled back; tell the inbox, and log the update's number, never its content
    (the traceback, which may quote it, only at DEBUG)."""
    handling = current_handling.get()
    if handling is not None:
        handling.error = context.error
    log.error("update %s failed: %s", getattr(update, "update_id", "?"), type(context.error).__name__,
              exc_info=context.error if context.bot_data["services"].settings.debug else None)


async def apologise(application: Application, payload: dict) -> None:
    """The last resort, once an update has failed for good: the user hears so, in their language."""
    services = application.bot_data["services"]
    try:
        update = Update.de_json(payload, application.bot)
    except Exception:  # not even readable: nobody to answer
        return
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    if update.callback_query:
        try:
            await update.callback_query.answer()
        except TelegramError:
            pass
    async with services.transactions.begin() as session:
        user = await session.get(User, sender.id)
        _ = services.settings.translator(user.locale if user else None)
        text = _("Sorry, something went wrong on our side. Please try again in a moment.")
        await outbox.enqueue(session, chat.id, Text(text), user=user if chat.id == sender.id else None)
    await services.delivery.deliver_chat(chat.id)
