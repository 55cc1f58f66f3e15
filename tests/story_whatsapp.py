"""The story's citizen on WhatsApp, its staff on Telegram (tests/story.py): the driver for that stage.

A file is named by its content's SHA-256 on both channels (``Seen.file_id``), since the same photo has one id on
WhatsApp and another on Telegram: what the hub sees on Telegram must be the very bytes the citizen sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bot.sandbox.whatsapp import WhatsAppEmulator
from tests.flows import png
from tests.kit.whatsapp import WhatsAppPerson
from tests.story import Seen

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
KINDS = {"image": "photo", "video": "video", "document": "document", "location": "location"}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seen_on_whatsapp(emulator: WhatsAppEmulator, message: dict[str, Any]) -> Seen:
    buttons = tuple(choice["title"] for choice in emulator.choices_of(message))
    kind = KINDS.get(message["type"], "text")
    media_id = (message.get("media") or {}).get("id")
    file_id = digest(emulator.state.media[media_id].data) if media_id in emulator.state.media else None
    return Seen(kind, message.get("text", ""), buttons, file_id)


@dataclass
class WhatsAppCitizen:
    """A person of the story (tests/story.Person) writing from WhatsApp."""

    person: WhatsAppPerson
    user_id: int = 0  # the story never needs it for a citizen

    def __post_init__(self) -> None:
        self._seeds = iter(range(700, 10_000))

    def _seen(self, messages: list[dict[str, Any]]) -> list[Seen]:
        return [seen_on_whatsapp(self.person.emulator, message) for message in messages]

    async def send(self, text: str) -> list[Seen]:
        return self._seen(await self.person.send(text))

    async def tap(self, label: str) -> list[Seen]:
        return self._seen(await self.person.tap(label))

    async def share_location(self, latitude: float, longitude: float) -> list[Seen]:
        return self._seen(await self.person.share_location(latitude, longitude))

    async def send_file(self, kind: str, name: str, caption: str | None = None) -> str:
        data, mime = (png(next(self._seeds)), "image/png") if kind == "photo" else (PDF, "application/pdf")
        await self.person.send_file(data, mime, "image" if kind == "photo" else kind, caption,
                                    filename=None if kind == "photo" else name)
        return digest(data)

    @property
    def seen(self) -> list[Seen]:
        return self._seen(self.person.messages)

    @property
    def last_text(self) -> str:
        return self.person.last_text

    def buttons(self) -> list[str]:
        return self.person.buttons()
