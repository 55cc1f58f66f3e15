"""What the bot sends, as typed values that fit in the outbox (JSON) and become one Bot API call each."""

from __future__ import annotations

import asyncio
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
    ReplyKeyboardRemove,
    TelegramObject,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram.error import BadRequest

from bot.delivery.charts import Chart, draw
from bot.delivery.export_upload import Export, send_export

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
class Charts:
    """1 to 10 charts, drawn when sent and shown together, each captioned with its title."""

    charts: tuple[Chart, ...] = field(default_factory=tuple)


Outgoing = Text | Edit | Media | Album | Location | Charts | Export
_TYPES: dict[str, type] = {"text": Text, "edit": Edit, "media": Media, "album": Album, "location": Location,
                           "charts": Charts, "export": Export}
_NAMES = {kind: name for name, kind in _TYPES.items()}


def to_payload(message: Outgoing) -> dict[str, Any]:
    return {"type": _NAMES[type(message)], **asdict(message)}


def from_payload(payload: dict[str, Any]) -> Outgoing:
    fields = dict(payload)
    kind = _TYPES[fields.pop("type")]
    if kind is Album:
        return Album(tuple(Media(**item) for item in fields["items"]))
    if kind is Charts:
        return Charts(tuple(Chart.from_json(chart) for chart in fields["charts"]))
    if kind is Export:
        return Export.from_json(fields)
    return kind(**fields)


_INPUT_MEDIA = {"photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument}


async def send(bot: Bot, chat_id: int, message: Outgoing, reads: async_sessionmaker | None = None,
               paid: bool = False) -> TelegramObject | tuple | bool:
    """One Bot API call (an export first reads the database through ``reads``; ``paid``: an announcement sent
    as a paid broadcast). Raises python-telegram-bot's errors for the sender to classify."""
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
        case Charts(charts):
            return await _send_charts(bot, chat_id, charts)
        case Export() if reads is not None:
            return await send_export(bot, chat_id, message, reads)
    raise TypeError(f"cannot send {message!r}")


async def _send_charts(bot: Bot, chat_id: int, charts: tuple[Chart, ...]) -> TelegramObject | tuple:
    images = await asyncio.to_thread(lambda: [draw(chart) for chart in charts])  # CPU work off the event loop
    if len(images) == 1:
        return await bot.send_photo(chat_id, images[0], caption=charts[0].title)
    return await bot.send_media_group(chat_id, [InputMediaPhoto(image, caption=chart.title, filename=f"chart-{index + 1}.png")
                                                for index, (chart, image) in enumerate(zip(charts, images))])


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None) -> bool:
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup_from_json(markup))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
    return True
