"""Neutral markup rendered as Telegram reply markup, as the Bot API's JSON: choices as an inline keyboard (rows split
at Telegram's width, the rest left out past its count, labels shortened), a place request as a reply keyboard.
(The JSON itself, not python-telegram-bot's objects: those were built, then turned back into this, for each reply.)"""

from __future__ import annotations

from typing import Any

from bot.channels.markup import AskPlace, AskText, Choice, Choices, ClearRequest, Markup
from bot.channels.telegram.limits import TELEGRAM_LIMITS
from bot.textlimits import shorten


def reply_markup(markup: Markup) -> dict[str, Any] | None:
    match markup:
        case None:
            return None
        case Choices(rows=rows):
            return {"inline_keyboard": _fit(rows)}
        case AskPlace(button, options, placeholder):
            keyboard = [[{"text": button, "request_location": True}]]
            if options:
                keyboard.append([{"text": option} for option in options])
            return _without_none({"keyboard": keyboard, "resize_keyboard": True, "one_time_keyboard": True,
                                  "input_field_placeholder": placeholder})
        case AskText(placeholder):
            return _without_none({"force_reply": True, "selective": True, "input_field_placeholder": placeholder})
        case ClearRequest():
            return {"remove_keyboard": True}
    raise TypeError(f"not a markup: {markup!r}")


def markup_parameter(markup: Markup) -> dict[str, Any]:
    """``markup`` as a call's ``reply_markup`` parameter; none where there is none."""
    rendered = reply_markup(markup)
    return {"reply_markup": rendered} if rendered is not None else {}


def _fit(rows: tuple[tuple[Choice, ...], ...]) -> list[list[dict[str, str]]]:
    limits, fitted, count = TELEGRAM_LIMITS, [], 0
    for row in rows:
        for start in range(0, len(row), limits.choices_per_row):
            part = row[start:start + limits.choices_per_row][: limits.choices_per_message - count]
            if not part:
                return fitted
            fitted.append([{"text": shorten(choice.label, limits.choice_label), "callback_data": choice.data}
                           for choice in part])
            count += len(part)
    return fitted


def _without_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}
