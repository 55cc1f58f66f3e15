"""Telegram-facing adapters: updates in, services called, replies out."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.i18n import SUPPORTED_LOCALES, Translator, N_
from handlers import citizen, intake, keyboards
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
    application.add_error_handler(apologise)


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
        commands = [BotCommand(command, _(description)) for command, _alias, description in COMMANDS]
        language = None if locale == default_locale else locale
        await application.bot.set_my_commands(commands, language_code=language)
