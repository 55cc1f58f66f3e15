"""Telegram-facing adapters: updates in, services called, replies out.

One module per feature, each with its ``COMMANDS`` and a ``register(application)``; staff and admin
features go beside them. ``fallbacks`` comes last: it takes what no feature took.
"""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import Application

from bot.i18n import SUPPORTED_LOCALES, Translator
from handlers import chat_member, failures, fallbacks
from handlers.admin import broadcast as admin_broadcast
from handlers.admin import export as admin_export
from handlers.admin import statistics as admin_statistics
from handlers.citizen import announcements, answers, closing, follow_up, menu, reports, status
from handlers.commands import Command
from handlers.intake import steps
from handlers.staff import actions as staff_actions
from handlers.staff import groups as staff_groups
from handlers.staff import members as staff_members
from handlers.staff import inbox as staff_inbox
from handlers.staff import roles as staff_roles

log = logging.getLogger(__name__)

# staff_roles first: its `/start <token>` must see the deep link before the citizens' plain /start does.
FEATURES = (staff_roles, staff_inbox, staff_groups, staff_members, menu, status, reports, steps, announcements,
            admin_broadcast, admin_statistics, admin_export)
MENU_ORDER = ("lapor", "status", "laporanku", "langganan", "berhenti", "bahasa", "bantuan", "kembali", "batal")
apologise = failures.apologise


def register(application: Application) -> None:
    for feature in FEATURES:
        feature.register(application)
    answers.register(application)
    closing.register(application)
    follow_up.register(application)
    staff_actions.register(application)
    chat_member.register(application)
    fallbacks.register(application)
    application.add_error_handler(failures.record_failure)


def menu_commands() -> list[Command]:
    """Every feature's commands, in the order of the command menu."""
    listed = [command for feature in FEATURES for command in feature.COMMANDS if command.menu]
    return sorted(listed, key=lambda command: MENU_ORDER.index(command.name))


async def publish_commands(application: Application, default_locale: str) -> None:
    """The command menu, in each language Telegram users may have set."""
    for locale in SUPPORTED_LOCALES:
        _ = Translator(locale)
        menu_items = [BotCommand(command.name, _(command.description)) for command in menu_commands()]
        language = None if locale == default_locale else locale
        await application.bot.set_my_commands(menu_items, language_code=language)
