"""Inline and reply keyboards. Callback data stays well within Telegram's 64 bytes."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import LANGUAGE_NAMES, Translator
from bot.notices.buttons import BROADCAST, NOT_FIXED, RATE, REPLY, SUBSCRIBE  # noqa: F401 (what bot.notices sends)
from bot.textlimits import CALLBACK_DATA_LIMIT

INTAKE = "in"  # in:<step>:<value>
MENU = "menu"  # menu:<item>
LANGUAGE = "lang"  # lang:<locale>
SHOW = "show"  # show:<tracking id>
ANSWER = "ans"  # ans:<tracking id>: the report a citizen's answer belongs to
BACK, CANCEL = "~back", "~cancel"


def button(text: str, *parts: str) -> InlineKeyboardButton:
    data = ":".join(parts)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return InlineKeyboardButton(text, callback_data=data)


def rows(buttons: Iterable[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    buttons = list(buttons)
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def navigation_row(_: Translator, step: str, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button(_("⬅️ Back"), INTAKE, step, BACK)] if back else []
    return row + [button(_("✖️ Cancel"), INTAKE, step, CANCEL)]


def step_keyboard(
    _: Translator, step: str, choices: Iterable[tuple[str, str]], width: int = 1, back: bool = True
) -> InlineKeyboardMarkup:
    """Choices for one intake step (label, value), then back and cancel."""
    choice_buttons = (button(label, INTAKE, step, value) for label, value in choices)
    return InlineKeyboardMarkup([*rows(choice_buttons, width), navigation_row(_, step, back)])


def main_menu(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(_("📝 File a report"), MENU, "new")],
            [button(_("🔎 Check a status"), MENU, "status"), button(_("📋 My reports"), MENU, "mine")],
            [button(_("❓ Help"), MENU, "help"), button(_("🌐 Language"), MENU, "language")],
        ]
    )


def language_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(name, LANGUAGE, code)] for code, name in LANGUAGE_NAMES.items()])


def location_keyboard(_: Translator) -> ReplyKeyboardMarkup:
    """A reply keyboard: only it can ask the phone for its location."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📍 Send my location"), request_location=True)], [_("⬅️ Back"), _("✖️ Cancel")]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=_("Or type the address"),
    )
