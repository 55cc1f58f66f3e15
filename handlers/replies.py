"""Saying something that may be long: in as many messages as Telegram's limit requires."""

from __future__ import annotations

from bot.textlimits import split_html
from handlers.turn import Markup, Turn


def say_in_parts(turn: Turn, text: str, markup: Markup = None) -> None:
    """Say ``text``, split between lines where it is longer than one message may be; the buttons go
    with the last part, where the citizen reads on."""
    *first, last = split_html(text)
    for part in first:
        turn.say(part)
    turn.say(last, markup)
