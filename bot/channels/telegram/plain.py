"""The updates most turns take, read straight from Telegram's JSON: a tap on a button of the bot's message, a typed
text or command without formatting, a pin, a photo without a formatted caption. Everything else, and anything
shaped otherwise, is python-telegram-bot's to read (``bot.channels.telegram.inbound``), which gives the same
``Incoming`` for these (tests/test_telegram_plain.py compares the two); its objects, made and frozen field by
field, were some 4-5 % of a busy web process's CPU (bench/load.py --profile)."""

from __future__ import annotations

from typing import Any

from bot.channels.incoming import Chat, Content, Incoming, MediaSent, Person, PlaceSent, Said, Tapped
from bot.channels.telegram.inbound import CHANNEL, command_in
from bot.domain.draft import AttachmentRef

# The fields a message or a tap may have for this reader to take it (any other is python-telegram-bot's to read).
_PLAIN_MESSAGE_KEYS = frozenset({"message_id", "from", "chat", "date", "text", "entities", "photo", "caption",
                                 "media_group_id", "location"})
_PLAIN_TAP_KEYS = frozenset({"id", "from", "message", "chat_instance", "data"})


def plain_incoming(payload: dict[str, Any], bot_username: str | None) -> Incoming | None:
    """``payload`` as ``Incoming`` where it is one of the plain kinds; None for everything else."""
    try:
        if payload.keys() == {"update_id", "callback_query"}:
            return _tap(payload["update_id"], payload["callback_query"])
        if payload.keys() == {"update_id", "message"}:
            return _message(payload["update_id"], payload["message"], bot_username)
    except (KeyError, TypeError, AttributeError, IndexError):  # shaped otherwise: python-telegram-bot reads it
        return None
    return None


def _tap(update_id: int, query: dict[str, Any]) -> Incoming | None:
    message = query.get("message")
    if not query.keys() <= _PLAIN_TAP_KEYS or not isinstance(message, dict):
        return None
    content = Tapped(query.get("data") or "", message["message_id"], query["id"])
    return _incoming(update_id, query["from"], message["chat"], content)


def _message(update_id: int, message: dict[str, Any], bot_username: str | None) -> Incoming | None:
    if not message.keys() <= _PLAIN_MESSAGE_KEYS:
        return None
    content = _content(message, bot_username)
    return _incoming(update_id, message["from"], message["chat"], content) if content is not None else None


def _content(message: dict[str, Any], bot_username: str | None) -> Content | None:
    text, entities = message.get("text"), message.get("entities") or ()
    if text and entities:  # one bot command at the start, and no other formatting
        leading = entities[0]
        one_command = len(entities) == 1 and leading["type"] == "bot_command" and leading["offset"] == 0
        return command_in(text, leading["length"], bot_username) if one_command else None
    if photo := message.get("photo"):
        return _photo(photo[-1], message)
    if location := message.get("location"):
        return PlaceSent(location["latitude"], location["longitude"])
    if text is not None:
        return Said(text, text)
    return None


def _photo(largest: dict[str, Any], message: dict[str, Any]) -> MediaSent:
    file = AttachmentRef("photo", largest["file_id"], largest["file_unique_id"], largest.get("file_size"), None)
    caption = message.get("caption")
    return MediaSent(file, caption, caption, message.get("media_group_id"))


def _incoming(update_id: int, sender: dict[str, Any], chat: dict[str, Any], content: Content) -> Incoming:
    person = Person(str(sender["id"]), sender["first_name"], sender.get("username"))
    return Incoming(update_id, CHANNEL, person, Chat(str(chat["id"]), chat["type"] == "private"), content)
