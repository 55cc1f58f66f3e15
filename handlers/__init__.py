"""Telegram-facing adapters: updates in, services called, replies out."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)

from bot.db.models import User
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.i18n import SUPPORTED_LOCALES, Translator, N_
from bot.inbox.dispatcher import current_handling
from handlers import chat_member, citizen, intake, keyboards
from handlers.turn import turn_handler

log = logging.getLogger(__name__)

# (command, English alias, description); the Indonesian name is the one shown in the menu.
COMMANDS = (
    ("lapor", "report", N_("File a report")),
    ("status", None, N_("Status of a report")),
    ("laporanku", "myreports", N_("My reports")),
    ("bahasa", "language", N_("Choose the language")),
    ("bantuan", "help", N_("Help")),
    ("kembali", "back", N_("Back one question")),
    ("batal", "cancel", N_("Discard the draft report")),
)
HANDLERS = {
    "lapor": intake.begin,
    "status": citizen.status_command,
    "laporanku": citizen.my_reports,
    "bahasa": citizen.choose_language,
    "bantuan": citizen.show_help,
    "kembali": citizen.on_back,
    "batal": citizen.on_cancel,
}


def register(application: Application) -> None:
    add = application.add_handler
    add(CommandHandler("start", turn_handler(citizen.start)))
    for command, alias, _description in COMMANDS:
        add(CommandHandler([command, alias] if alias else command, turn_handler(HANDLERS[command])))
    add(CallbackQueryHandler(turn_handler(intake.on_callback), pattern=f"^{keyboards.INTAKE}:"))
    add(CallbackQueryHandler(turn_handler(citizen.on_menu), pattern=f"^{keyboards.MENU}:"))
    add(CallbackQueryHandler(turn_handler(citizen.set_language), pattern=f"^{keyboards.LANGUAGE}:"))
    add(CallbackQueryHandler(turn_handler(citizen.show_from_button), pattern=f"^{keyboards.SHOW}:"))
    add(CallbackQueryHandler(turn_handler(citizen.on_unknown_button)))
    add(MessageHandler(filters.UpdateType.EDITED, turn_handler(citizen.on_edited_message)))
    add(MessageHandler(filters.COMMAND, turn_handler(citizen.on_unknown_command)))
    add(MessageHandler(filters.UpdateType.MESSAGE, turn_handler(citizen.on_message)))
    add(ChatMemberHandler(turn_handler(chat_member.on_bot_status, groups=True), ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(record_failure)


async def record_failure(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler failed and its transaction was rolled back: the inbox tries the update again, and
    apologises if it keeps failing (see ``apologise``). The log names the update, never its content."""
    handling = current_handling.get()
    if handling is not None:
        handling.error = context.error
    error = context.error
    log.error("update %s failed: %s", getattr(update, "update_id", "?"), type(error).__name__,
              exc_info=error if context.bot_data["services"].settings.debug else None)


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


async def publish_commands(application: Application, default_locale: str) -> None:
    """The command menu, in each language Telegram users may have set."""
    for locale in SUPPORTED_LOCALES:
        _ = Translator(locale)
        commands = [BotCommand(command, _(description)) for command, _alias, description in COMMANDS]
        language = None if locale == default_locale else locale
        await application.bot.set_my_commands(commands, language_code=language)
