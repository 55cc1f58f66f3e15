"""What the bot sends, as typed values that fit in the outbox (JSON) and become one Bot API call each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    ReplyKeyboardMarkup,
    InputFile,
    ReplyKeyboardRemove,
    TelegramObject,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram.error import BadRequest

from bot.delivery import files as stored_files

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None
MediaKind = Literal["photo", "video", "document"]


def markup_json(markup: Markup | dict[str, Any]) -> dict[str, Any] | None:
    if markup is None or isinstance(markup, dict):
        return markup
    return markup.to_dict()


def markup_from_json(data: dict[str, Any] | None) -> Markup:
    if not data:
        return None
    for key, kind in (("inline_keyboard", InlineKeyboardMarkup), ("keyboard", ReplyKeyboardMarkup),
                      ("remove_keyboard", ReplyKeyboardRemove), ("force_reply", ForceReply)):
        if key in data:
            return kind.de_json(data, None)
    raise ValueError(f"not a reply markup: {sorted(data)}")


@dataclass(frozen=True)
class Text:
    text: str
    markup: dict[str, Any] | None = None


@dataclass(frozen=True)
class Edit:
    """New text (and buttons) for a message the bot sent earlier."""

    message_id: int
    text: str
    markup: dict[str, Any] | None = None


@dataclass(frozen=True)
class Media:
    """A photo, video or document sent by Telegram ``file_id`` (never downloaded and uploaded again)."""

    kind: MediaKind
    file_id: str
    caption: str | None = None
    markup: dict[str, Any] | None = None


@dataclass(frozen=True)
class Album:
    """2 to 10 photos, videos or documents shown together; the first caption is the album's."""

    items: tuple[Media, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Files:
    """Files the bot made (bot.delivery.files, by id): one document, or 1 to 10 photos shown together."""

    kind: Literal["document", "photo"]
    file_ids: tuple[int, ...]


Outgoing = Text | Edit | Media | Album | Location | Files
_TYPES: dict[str, type] = {"text": Text, "edit": Edit, "media": Media, "album": Album, "location": Location,
                           "files": Files}
_NAMES = {kind: name for name, kind in _TYPES.items()}


def to_payload(message: Outgoing) -> dict[str, Any]:
    return {"type": _NAMES[type(message)], **asdict(message)}


def from_payload(payload: dict[str, Any]) -> Outgoing:
    fields = dict(payload)
    kind = _TYPES[fields.pop("type")]
    if kind is Album:
        return Album(tuple(Media(**item) for item in fields["items"]))
    if kind is Files:
        return Files(fields["kind"], tuple(fields["file_ids"]))
    return kind(**fields)


_INPUT_MEDIA = {"photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument}


async def send(bot: Bot, chat_id: int, message: Outgoing, reads: async_sessionmaker | None = None,
               paid: bool = False) -> TelegramObject | tuple | bool:
    """One Bot API call (made files are first read from the database through ``reads``; ``paid``: an announcement
    sent as a paid broadcast). Raises python-telegram-bot's errors for the sender to classify."""
    extra = {"allow_paid_broadcast": True} if paid else {}
    match message:
        case Text(text, markup):
            return await bot.send_message(chat_id, text, reply_markup=markup_from_json(markup), **extra)
        case Edit(message_id, text, markup):
            return await _edit(bot, chat_id, message_id, text, markup)
        case Media("photo", file_id, caption, markup):
            return await bot.send_photo(chat_id, file_id, caption=caption, reply_markup=markup_from_json(markup), **extra)
        case Media("video", file_id, caption, markup):
            return await bot.send_video(chat_id, file_id, caption=caption, reply_markup=markup_from_json(markup))
        case Media("document", file_id, caption, markup):
            return await bot.send_document(chat_id, file_id, caption=caption, reply_markup=markup_from_json(markup), **extra)
        case Album(items):
            media = [_INPUT_MEDIA[item.kind](item.file_id, caption=item.caption) for item in items]
            return await bot.send_media_group(chat_id, media)
        case Location(latitude, longitude):
            return await bot.send_location(chat_id, latitude, longitude)
        case Files() if reads is not None:
            return await _send_files(bot, chat_id, message, reads)
    raise TypeError(f"cannot send {message!r}")


async def _send_files(bot: Bot, chat_id: int, message: Files, reads: async_sessionmaker) -> TelegramObject | tuple:
    made = await stored_files.load(reads, message.file_ids)
    if message.kind == "document":
        return await bot.send_document(chat_id, InputFile(made[0].content, filename=made[0].file_name),
                                       caption=made[0].caption)
    if len(made) == 1:
        return await bot.send_photo(chat_id, made[0].content, caption=made[0].caption)
    return await bot.send_media_group(chat_id, [InputMediaPhoto(item.content, caption=item.caption, filename=item.file_name)
                                                for item in made])


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None) -> bool:
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup_from_json(markup))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
    return True
