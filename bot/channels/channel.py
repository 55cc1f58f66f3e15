"""What the turns need of the channel an update came from, and the limits its rendering respects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.channels.incoming import Incoming


@dataclass(frozen=True)
class Limits:
    text: int  # characters of a message
    caption: int  # characters of a file's caption
    choice_data: int  # bytes a choice carries back
    choices_per_row: int
    choices_per_message: int
    choice_label: int  # characters of a choice's label
    tap_notices: bool = True  # a tap's short notice shows beside the chat (Telegram's); where not, the turn says it


class Channel(Protocol):
    name: str
    limits: Limits

    async def acknowledge(self, incoming: Incoming, text: str | None) -> None:
        """Tell the tapper their tap arrived (``text`` shown briefly, where the channel can)."""

    def mention(self, person_id: int, name_html: str) -> str:
        """The person's name (HTML-escaped) as a mention that calls their attention, where the channel has any."""

    def start_link(self, payload: str) -> str:
        """A link that opens a chat with the bot and starts it with ``payload`` (an invitation); where the channel
        has no such links, what to send the bot instead."""
