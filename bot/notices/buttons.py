"""Buttons under what the bot sends unasked (a status push, an announcement), and the callback prefixes the chat
answers them by. Built as the outbox stores markup (an inline keyboard as JSON), so that delivery and the jobs
need neither python-telegram-bot's classes nor the handlers' keyboards; ``handlers.keyboards`` takes its prefixes
from here."""

from __future__ import annotations

from typing import Any

from bot.textlimits import CALLBACK_DATA_LIMIT

RATE, NOT_FIXED = "rate", "nfx"  # rate:<tracking id>:<1-5>, nfx:<tracking id>: a resolved report
REPLY = "rpl"  # rpl:<tracking id>: reply to the agency's answer
SUBSCRIBE = "sub"  # sub:<verb>[:<value>]: announcements (area, topic, change, stop)
BROADCAST = "sia"  # sia:<verb>[:<value>]: an admin composing or steering a broadcast

Button = dict[str, str]


def button(text: str, *parts: str) -> Button:
    data = ":".join(parts)
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT, data
    return {"text": text, "callback_data": data}


def inline(rows: list[list[Button]]) -> dict[str, Any]:
    """An inline keyboard as the outbox keeps it."""
    return {"inline_keyboard": rows}
