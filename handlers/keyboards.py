"""Choices under a message, built from typed choice data (bot.domain.choices); each channel renders them."""

from __future__ import annotations

from collections.abc import Iterable

from bot.channels.markup import AskPlace, Choice, Choices
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.domain.choices import IntakeChoice, LanguageChoice, MenuChoice

BACK, CANCEL = "~back", "~cancel"  # the intake's navigation, as an IntakeChoice's value


button = Choice.of


def rows(buttons: Iterable[Choice], width: int) -> list[list[Choice]]:
    buttons = list(buttons)
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def navigation_row(_: Translator, step: str, back: bool = True) -> list[Choice]:
    row = [button(_("⬅️ Back"), IntakeChoice(step, BACK))] if back else []
    return row + [button(_("✖️ Cancel"), IntakeChoice(step, CANCEL))]


def step_keyboard(
    _: Translator, step: str, choices: Iterable[tuple[str, str]], width: int = 1, back: bool = True
) -> Choices:
    """Choices for one intake step (label, value), then back and cancel."""
    choice_buttons = (button(label, IntakeChoice(step, value)) for label, value in choices)
    return Choices([*rows(choice_buttons, width), navigation_row(_, step, back)])


def main_menu(_: Translator) -> Choices:
    return Choices(
        [
            [button(_("📝 File a report"), MenuChoice("new"))],
            [button(_("🔎 Check a status"), MenuChoice("status")), button(_("📋 My reports"), MenuChoice("mine"))],
            [button(_("❓ Help"), MenuChoice("help")), button(_("🌐 Language"), MenuChoice("language"))],
        ]
    )


def language_menu() -> Choices:
    return Choices([[button(name, LanguageChoice(code))] for code, name in LANGUAGE_NAMES.items()])


def location_keyboard(_: Translator) -> AskPlace:
    """Ask for the phone's location (on Telegram only a reply keyboard can), or back, or cancel."""
    return AskPlace(_("📍 Send my location"), (_("⬅️ Back"), _("✖️ Cancel")), _("Or type the address"))
