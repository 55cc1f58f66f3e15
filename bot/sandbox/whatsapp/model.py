"""The WhatsApp emulator's state: plain dataclasses (saved as JSON by persistence.py), and its clock."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.sandbox.whatsapp.errors import MetaError

WINDOW_SECONDS = 24 * 3600
MEDIA_SECONDS = 30 * 24 * 3600  # a media id lives this long (the emulator's clock), then WhatsApp forgets it
_INBOX_EPOCH = 1_577_836_800  # 2020-01-01: the inbox's ids for WhatsApp count seconds from here


def new_wamid() -> str:
    """A message id in WhatsApp's shape (base64 of an opaque blob)."""
    return "wamid.HBgM" + secrets.token_urlsafe(36).replace("-", "A").replace("_", "B")


def new_media_id() -> str:
    return str(10**15 + secrets.randbelow(9 * 10**15))


def update_id_for(key: str, timestamp: int) -> int:
    """The bot's inbox id for a webhook item (the channel's decision): ``key`` is ``wa:<wamid>`` for a message,
    ``wa-status:<wamid>:<status>`` for a status. The bot may bump it by one on a collision, and places a person's
    message after their messages of the same second (as ``PeopleSide.person_sends`` does)."""
    offset = min(max(timestamp - _INBOX_EPOCH, 0), 2**30 - 1)
    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest()[:4], "big")
    return 2**62 + offset * 2**32 + digest  # as bot/channels/whatsapp/inbound.update_id_of


class CallFault(Protocol):
    """One Graph API call gone wrong (tests/kit/whatsapp_faults.py makes them): not carried out when it has an
    error or drops the connection, answered ``delay`` seconds late either way."""

    @property
    def delay(self) -> float: ...

    @property
    def drop(self) -> bool: ...

    def error(self) -> MetaError | None: ...


class Faults(Protocol):
    def take(self, method: str) -> CallFault | None:
        """``method``: messages, media (upload), media_info, download."""

    def take_late_delivery(self) -> float:
        """Seconds the webhook just queued waits before its first post."""


@dataclass
class Clock:
    """Wall time moved forward by ``offset`` seconds (tests close the 24-hour window with ``advance``)."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def stamp(self) -> int:
        return int(self.now())


@dataclass
class Person:
    phone: str  # wa_id: digits
    name: str
    last_message_at: float | None = None  # the emulator's clock; None: never wrote
    reachable: bool = True  # False: not on WhatsApp (sends fail with 131026)

    def window_open(self, now: float) -> bool:
        return self.last_message_at is not None and now - self.last_message_at < WINDOW_SECONDS


@dataclass
class StoredMedia:
    id: str
    mime_type: str
    sha256: str
    size: int
    path: str  # relative to the state folder
    owner: str  # "bot" (uploaded) or the phone of the person who sent it
    filename: str = ""
    created_at: float = 0.0  # the emulator's clock
    data: bytes = field(default=b"", repr=False)

    def info(self) -> dict[str, Any]:
        return {"id": self.id, "mime_type": self.mime_type, "sha256": self.sha256, "size": self.size,
                "path": self.path, "owner": self.owner, "filename": self.filename, "created_at": self.created_at}


@dataclass
class WhatsAppState:
    people: dict[str, Person] = field(default_factory=dict)
    # Per phone, both ways, oldest first: {"wamid", "from": "bot"|"person", "timestamp", "type", "text", ...};
    # the bot's carry "body" (as sent), "status" and "statuses".
    conversations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    # Webhook payloads not yet answered 2xx by the bot, per phone, in order.
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    clock_offset: float = 0.0

    def person(self, phone: str, name: str | None = None) -> Person:
        if not phone.isdigit():
            raise ValueError("a WhatsApp number is digits only (E.164 without +)")
        person = self.people.get(phone)
        if person is None:
            person = self.people[phone] = Person(phone, name or f"Warga {phone[-4:]}")
            self.conversations.setdefault(phone, [])
        elif name:
            person.name = name
        return person

    def live_media(self, media_id: str, now: float) -> StoredMedia | None:
        """A media by id, unless it expired (30 days after it was uploaded or sent)."""
        stored = self.media.get(media_id)
        return stored if stored is not None and now - stored.created_at < MEDIA_SECONDS else None

    def find(self, wamid: str) -> tuple[str, dict[str, Any]] | None:
        for phone, messages in self.conversations.items():
            for message in messages:
                if message["wamid"] == wamid:
                    return phone, message
        return None
