"""Telegram-facing adapters: updates in, services called, replies out.

One module per feature, each with its ``COMMANDS`` and a ``register(application)``; staff and admin
features go beside them. ``fallbacks`` comes last: it takes what no feature took.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.i18n import SUPPORTED_LOCALES, Translator
from handlers import fallbacks
from handlers.citizen import menu, reports, status
from handlers.commands import Command
from handlers.intake import steps

log = logging.getLogger(__name__)

FEATURES = (menu, status, reports, steps)
MENU_ORDER = ("lapor", "status", "laporanku", "bahasa", "bantuan", "kembali", "batal")


def register(application: Application) -> None:
    for feature in FEATURES:
        feature.register(application)
    fallbacks.register(application)
    application.add_error_handler(apologise)


def menu_commands() -> list[Command]:
    """Every feature's commands, in the order of the command menu."""
    listed = [command for feature in FEATURES for command in feature.COMMANDS]
    return sorted(listed, key=lambda command: MENU_ORDER.index(command.name))


async def apologise(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last resort: whatever failed was rolled back; the citizen hears so instead of silence."""
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    _ = context.bot_data["services"].settings.translator()
    try:
        if update.callback_query:
            await update.callback_query.answer()
        await context.bot.send_message(
            update.effective_chat.id, _("Sorry, something went wrong on our side. Please try again in a moment.")
        )
    except TelegramError:
        log.warning("could not tell chat %s about the failure", update.effective_chat.id)


async def publish_commands(application: Application, default_locale: str) -> None:
    """The command menu, in each language Telegram users may have set."""
    for locale in SUPPORTED_LOCALES:
        _ = Translator(locale)
        menu_items = [BotCommand(command.name, _(command.description)) for command in menu_commands()]
        language = None if locale == default_locale else locale
        await application.bot.set_my_commands(menu_items, language_code=language)
