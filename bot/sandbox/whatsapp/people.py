"""The people's side: what a person does in WhatsApp becomes the Cloud API's webhook for it.

Every act stores the message in the person's conversation, opens their 24-hour window (the emulator's clock)
and queues the signed webhook (webhooks.py). It returns the stored entry: ``wamid``, ``timestamp``,
``update_id`` (the bot's inbox id for it), ``message`` (the webhook's message object).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from bot.sandbox.whatsapp.model import Clock, Person, StoredMedia, WhatsAppState, new_media_id, new_wamid, update_id_for

VOICE_MIME = "audio/ogg; codecs=opus"
KINDS = ("image", "video", "audio", "document", "sticker")


class NoSuchButton(AssertionError):
    pass


class PeopleSide:
    state: WhatsAppState
    clock: Clock
    display_phone_number: str

    def add_person(self, phone: str, name: str | None = None, reachable: bool = True) -> Person:
        person = self.state.person(phone, name)
        person.reachable = reachable
        self._touch()
        return person

    async def person_sends(self, phone: str, kind: str, content: dict[str, Any], name: str | None = None,
                           context: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any message object of type ``kind`` with its ``content`` (e.g. ``{"body": ...}`` for text)."""
        person = self.state.person(phone, name)
        now = self.clock.now()
        person.last_message_at = now
        wamid, stamp = new_wamid(), int(now)
        message: dict[str, Any] = {"from": phone, "id": wamid, "timestamp": str(stamp), "type": kind}
        if context:
            message["context"] = context
        if kind != "unsupported":
            message[kind] = content
        else:
            message["errors"] = [content]
        conversation = self.state.conversations.setdefault(phone, [])
        # Placed after the person's messages of the same second, as the bot does (it gets them in this order).
        same_second = [sent["update_id"] + 1 for sent in conversation if sent["from"] == "person" and sent["timestamp"] == stamp]
        entry = {"wamid": wamid, "from": "person", "timestamp": stamp, "type": kind, "text": _text_of(kind, content),
                 "message": message, "update_id": max([update_id_for("wa:" + wamid, stamp), *same_second])}
        conversation.append(entry)
        self.queue_webhook(phone, self.envelope({"contacts": [{"profile": {"name": person.name}, "wa_id": phone}],
                                                 "messages": [message]}))
        await self._notify()
        return entry

    async def person_sends_text(self, phone: str, text: str, name: str | None = None) -> dict[str, Any]:
        return await self.person_sends(phone, "text", {"body": text}, name)

    async def person_shares_location(self, phone: str, latitude: float, longitude: float, name: str | None = None,
                                     address: str | None = None) -> dict[str, Any]:
        place: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        place.update({key: value for key, value in (("name", name), ("address", address)) if value})
        return await self.person_sends(phone, "location", place)

    async def person_sends_media(self, phone: str, kind: str, content: bytes, mime: str, caption: str | None = None,
                                 filename: str | None = None, voice: bool = False) -> dict[str, Any]:
        """A photo (``image``), video, audio, document or sticker: stored as media the bot can fetch by id."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        stored = self.store_media(content, mime, owner=phone, filename=filename or "")
        media: dict[str, Any] = {"mime_type": mime, "sha256": stored.sha256, "id": stored.id}
        if caption and kind in ("image", "video", "document"):
            media["caption"] = caption
        if kind == "document":
            media["filename"] = filename or "file"
        if kind == "audio":
            media["voice"] = voice
        if kind == "sticker":
            media["animated"] = False
        return await self.person_sends(phone, kind, media)

    async def person_sends_voice(self, phone: str, content: bytes | None = None) -> dict[str, Any]:
        data = content or b"OggS\x00\x02lapor-bot sandbox voice note" + secrets.token_bytes(16)  # not playable
        return await self.person_sends_media(phone, "audio", data, VOICE_MIME, voice=True)

    async def person_sends_unsupported(self, phone: str) -> dict[str, Any]:
        return await self.person_sends(phone, "unsupported", {"code": 131051, "title": "Message type unknown",
                                                              "message": "Message type unknown",
                                                              "error_data": {"details": "Message type is currently not supported."}})

    async def person_reacts(self, phone: str, emoji: str, wamid: str | None = None) -> dict[str, Any]:
        """React to ``wamid`` (default: the bot's last message to them); an empty emoji removes a reaction."""
        if wamid is None:
            messages = self.bot_messages(phone)
            if not messages:
                raise NoSuchButton(f"the bot has sent nothing to {phone} to react to")
            wamid = messages[-1]["wamid"]
        return await self.person_sends(phone, "reaction", {"message_id": wamid, "emoji": emoji})

    async def person_taps(self, phone: str, title_or_id: str) -> dict[str, Any]:
        """Tap a reply button, a list row or a template's quick reply on the newest bot message that has one whose
        title or id is ``title_or_id`` (else whose title contains it)."""
        message, choice = self.find_choice(phone, title_or_id)
        context = {"from": self.display_phone_number, "id": message["wamid"]}
        if message["type"] == "template":
            return await self.person_sends(phone, "button", {"payload": choice["id"], "text": choice["title"]},
                                           context=context)
        if message.get("interactive") == "list":
            reply = {key: choice[key] for key in ("id", "title", "description") if choice.get(key)}
            return await self.person_sends(phone, "interactive", {"type": "list_reply", "list_reply": reply}, context=context)
        reply = {"id": choice["id"], "title": choice["title"]}
        return await self.person_sends(phone, "interactive", {"type": "button_reply", "button_reply": reply}, context=context)

    def choices_of(self, message: dict[str, Any]) -> list[dict[str, str]]:
        """A bot message's buttons or rows ({"id", "title", ...}); a template's quick replies with their payloads."""
        if message["type"] == "template":
            payloads = _quick_reply_payloads(message["body"].get("template", {}))
            return [{"id": payloads.get(index, title), "title": title}
                    for index, title in enumerate(message["template"]["quick_replies"])]
        return message.get("buttons") or message.get("rows") or []

    def find_choice(self, phone: str, title_or_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        messages = [message for message in reversed(self.bot_messages(phone)) if self.choices_of(message)]
        for exact in (True, False):
            for message in messages:
                for choice in self.choices_of(message):
                    if (choice["title"] == title_or_id or choice["id"] == title_or_id) if exact else title_or_id in choice["title"]:
                        return message, choice
        shown = [choice["title"] for choice in self.choices_of(messages[0])] if messages else []
        raise NoSuchButton(f"no button or row {title_or_id!r}; the last ones: {shown}")

    def store_media(self, data: bytes, mime: str, owner: str, filename: str = "") -> StoredMedia:
        digest = hashlib.sha256(data).hexdigest()
        media_id = new_media_id()
        stored = StoredMedia(media_id, mime, digest, len(data), f"media/{media_id}", owner, filename, self.clock.now(), data)
        self.state.media[media_id] = stored
        self._touch()
        return stored


def _text_of(kind: str, content: dict[str, Any]) -> str:
    if kind == "text":
        return content.get("body", "")
    if kind == "interactive":
        reply = content.get(content.get("type", ""), {})
        return reply.get("title", "")
    if kind == "button":
        return content.get("text", "")
    if kind == "reaction":
        return content.get("emoji", "")
    return content.get("caption", "") or content.get("name", "")


def _quick_reply_payloads(template: dict[str, Any]) -> dict[int, str]:
    payloads = {}
    for component in template.get("components") or []:
        if isinstance(component, dict) and component.get("type") == "button" and component.get("sub_type") == "quick_reply":
            for parameter in component.get("parameters") or []:
                if isinstance(parameter, dict) and parameter.get("type") == "payload":
                    payloads[int(component.get("index", 0))] = str(parameter.get("payload"))
    return payloads
