"""The turns' port to WhatsApp (bot.channels.channel.Channel)."""

from __future__ import annotations

from urllib.parse import quote

from bot.channels.channel import Limits
from bot.channels.incoming import Incoming
from bot.channels.whatsapp.limits import CHANNEL, WHATSAPP_LIMITS


class WhatsAppChannel:
    name = CHANNEL
    limits: Limits = WHATSAPP_LIMITS

    def __init__(self, display_number: str | None = None) -> None:
        """``display_number``: the bot's phone number as people see it (digits; for wa.me links), where known."""
        digits = "".join(ch for ch in display_number or "" if ch.isascii() and ch.isdigit())
        self.display_number = digits or None

    async def acknowledge(self, incoming: Incoming, text: str | None) -> None:
        """WhatsApp shows nothing for a tap (a reply button sends a message of its own): nothing to do."""

    def mention(self, person_id: int, name_html: str) -> str:
        return name_html  # WhatsApp has no mention a bot can make of someone in a private chat

    def start_link(self, payload: str) -> str:
        if self.display_number:
            return f"https://wa.me/{self.display_number}?text=/start%20{quote(payload, safe='')}"
        return f"/start {payload}"
