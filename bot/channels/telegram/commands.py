"""The command menu Telegram shows, in each language its users may have set."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, BotCommand

from bot.i18n import SUPPORTED_LOCALES, Translator


async def publish_commands(bot: Bot, default_locale: str, commands: Sequence) -> None:
    """``commands``: each with a ``name`` and an English ``description`` msgid, in menu order."""
    for locale in SUPPORTED_LOCALES:
        _ = Translator(locale)
        menu_items = [BotCommand(command.name, _(command.description)) for command in commands]
        language = None if locale == default_locale else locale
        await bot.set_my_commands(menu_items, language_code=language)
