"""Telegram's checks of what the bot sends: text and caption lengths after HTML parsing, its HTML subset,
callback data, and where a keyboard lives."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.model import ApiError
from bot.textlimits import HtmlError, parsed_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes


def checked_text(text: Any, parse_mode: str | None) -> str:
    """A message's text: not empty, at most 4096 visible characters."""
    text = "" if text is None else str(text)
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(visible_text(text, parse_mode)) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def checked_caption(caption: Any, parse_mode: str | None) -> str | None:
    """A media caption: optional, at most 1024 visible characters."""
    if caption is None or caption == "":
        return None
    caption = str(caption)
    if len(visible_text(caption, parse_mode)) > MAX_CAPTION:
        raise ApiError(400, "Bad Request: message caption is too long")
    return caption


def visible_text(text: str, parse_mode: str | None) -> str:
    if parse_mode and parse_mode.upper() == "HTML":
        try:
            return parsed_text(text)
        except HtmlError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    return text


def checked_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if isinstance(markup, str):
        markup = json.loads(markup)
    for row in markup.get("inline_keyboard", []):
        for key in row:
            data = key.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    """Inline keyboards stay on the message; reply keyboards belong to the chat (kept for the page)."""
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
        if markup:
            message["chat_keyboard"] = markup
