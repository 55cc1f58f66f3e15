"""What a stored WhatsApp message says, as the flows' neutral content (bot.channels.incoming): text or a command,
a tapped button or list row, a file, a place, a contact card; anything else Unsupported, which the flows answer."""

from __future__ import annotations

from typing import Any

from bot.channels.incoming import (
    CommandSent,
    ContactSent,
    Content,
    MediaSent,
    PlaceSent,
    Said,
    Tapped,
    Unsupported,
)
from bot.channels.whatsapp.limits import CHANNEL
from bot.channels.whatsapp.render import SAID
from bot.domain.draft import AttachmentRef
from bot.services.media import named

MEDIA_KINDS = {"image": "photo", "video": "video", "document": "document", "audio": "audio"}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def content_of(message: dict[str, Any]) -> Content | None:
    """What a WhatsApp message says; None for a reaction (deliberately not answered). May raise on a malformed
    field (the caller makes it Unsupported)."""
    kind = message.get("type")
    body = message.get(kind) if isinstance(kind, str) else None
    wamid = message.get("id")
    if kind == "text" and isinstance(body, dict) and isinstance(body.get("body"), str):
        return _text(body["body"])
    if kind == "interactive" and isinstance(body, dict):
        reply = body.get(body.get("type")) if isinstance(body.get("type"), str) else None
        if body.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict) and isinstance(reply.get("id"), str):
            if reply["id"].startswith(SAID):  # an option standing for typed text (a place request's back, cancel)
                return Said(reply["id"][len(SAID):])
            return Tapped(reply["id"], None, wamid)
        return Unsupported("interactive")
    if kind == "button" and isinstance(body, dict) and isinstance(body.get("payload"), str):
        return Tapped(body["payload"], None, wamid)
    if kind in MEDIA_KINDS and isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"]:
        file_id = named(CHANNEL, body["id"])
        file_name = body.get("filename") if kind == "document" and isinstance(body.get("filename"), str) else None
        caption = body.get("caption") if isinstance(body.get("caption"), str) and body.get("caption") else None
        media_kind = "voice" if kind == "audio" and body.get("voice") is True else MEDIA_KINDS[kind]
        return MediaSent(AttachmentRef(media_kind, file_id, file_id, None, file_name), caption, caption)
    if kind == "location" and isinstance(body, dict):
        latitude, longitude = float(body["latitude"]), float(body["longitude"])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return Unsupported("location")
        title = body.get("name") if isinstance(body.get("name"), str) and body.get("name") else None
        address = body.get("address") if isinstance(body.get("address"), str) and body.get("address") else None
        return PlaceSent(latitude, longitude, title, address)
    if kind == "contacts" and isinstance(body, list) and body and isinstance(body[0], dict):
        return _contact(body[0])
    if kind == "sticker":
        return Unsupported("sticker")
    if kind == "reaction":
        return None  # a reaction to a message: nothing to answer
    return Unsupported(kind if isinstance(kind, str) and kind else "unknown")


def _text(text: str) -> Content:
    """Typed text; one starting with a slash is a command, as on Telegram."""
    if text.startswith("/") and len(text) > 1 and not text[1].isspace():
        words = text.split()
        name = words[0][1:].partition("@")[0].lower()
        return CommandSent(name, tuple(words[1:]), text)
    return Said(text, None)


def _contact(card: dict[str, Any]) -> Content:
    phones = [phone for phone in as_list(card.get("phones")) if isinstance(phone, dict)]
    number = next((str(phone.get("wa_id") or phone.get("phone")) for phone in phones
                   if phone.get("wa_id") or phone.get("phone")), None)
    if number is None:
        return Unsupported("contacts")
    names = card.get("name") if isinstance(card.get("name"), dict) else {}
    name = names.get("formatted_name") or names.get("first_name")
    return ContactSent(number, name if isinstance(name, str) else None)
