"""Neutral markup rendered as Telegram reply markup: choices as an inline keyboard (rows split at Telegram's
width, the rest left out past its count, labels shortened), a place request as a reply keyboard."""

from __future__ import annotations

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.channels.markup import AskPlace, AskText, Choice, Choices, ClearRequest, Markup
from bot.channels.telegram.limits import TELEGRAM_LIMITS
from bot.textlimits import shorten

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None


def reply_markup(markup: Markup) -> ReplyMarkup:
    match markup:
        case None:
            return None
        case Choices(rows=rows):
            return InlineKeyboardMarkup(_fit(rows))
        case AskPlace(button, options, placeholder):
            keyboard = [[KeyboardButton(button, request_location=True)], list(options)] if options else \
                [[KeyboardButton(button, request_location=True)]]
            return ReplyKeyboardMarkup(keyboard, resize_keyboard=True, one_time_keyboard=True,
                                       input_field_placeholder=placeholder)
        case AskText(placeholder):
            return ForceReply(selective=True, input_field_placeholder=placeholder)
        case ClearRequest():
            return ReplyKeyboardRemove()
    raise TypeError(f"not a markup: {markup!r}")


def _fit(rows: tuple[tuple[Choice, ...], ...]) -> list[list[InlineKeyboardButton]]:
    limits, fitted, count = TELEGRAM_LIMITS, [], 0
    for row in rows:
        for start in range(0, len(row), limits.choices_per_row):
            part = row[start:start + limits.choices_per_row][: limits.choices_per_message - count]
            if not part:
                return fitted
            fitted.append([InlineKeyboardButton(shorten(choice.label, limits.choice_label), callback_data=choice.data)
                           for choice in part])
            count += len(part)
    return fitted
