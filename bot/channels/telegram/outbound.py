"""Neutral messages out, as Bot API calls: one call per message, choices as inline keyboards within Telegram's
limits, files by ``file_id``, and the Bot API's errors told in the outbox's terms."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram import Bot, InputMediaDocument, InputMediaPhoto, InputMediaVideo, TelegramObject
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.markup import Markup
from bot.channels.telegram.keyboards import reply_markup
from bot.delivery.charts import Chart, draw
from bot.delivery.export_upload import Export, written
from bot.delivery.messages import Album, Charts, Edit, Location, Media, Outgoing, Text
from bot.delivery.transport import Failure, SendFailed

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # what a bot may upload
_INPUT_MEDIA = {"photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument}


class TelegramTransport:
    """The outbox's transport to Telegram (an export first reads the database through ``reads``)."""

    def __init__(self, bot: Bot, reads: async_sessionmaker | None = None) -> None:
        self.bot, self._reads = bot, reads

    async def send(self, chat_id: int, message: Outgoing, paid: bool = False) -> None:
        try:
            await send(self.bot, chat_id, message, self._reads, paid)
        except RetryAfter as error:
            raise SendFailed(Failure.RETRY, _reason(error), _seconds(error.retry_after)) from error
        except Forbidden as error:
            raise SendFailed(Failure.BLOCKED, _reason(error)) from error
        except BadRequest as error:
            raise SendFailed(Failure.REFUSED, _reason(error)) from error
        except TelegramError as error:
            raise SendFailed(Failure.RETRY, _reason(error)) from error


async def send(bot: Bot, chat_id: int, message: Outgoing, reads: async_sessionmaker | None = None,
               paid: bool = False) -> TelegramObject | tuple | bool:
    """One Bot API call (``paid``: an announcement sent as a paid broadcast). Raises python-telegram-bot's errors."""
    extra = {"allow_paid_broadcast": True} if paid else {}
    match message:
        case Text(text, markup):
            return await bot.send_message(chat_id, text, reply_markup=reply_markup(markup), **extra)
        case Edit(message_id, text, markup):
            return await _edit(bot, chat_id, message_id, text, markup)
        case Media("photo", file_id, caption, markup):
            return await bot.send_photo(chat_id, file_id, caption=caption, reply_markup=reply_markup(markup), **extra)
        case Media("video", file_id, caption, markup):
            return await bot.send_video(chat_id, file_id, caption=caption, reply_markup=reply_markup(markup))
        case Media("document", file_id, caption, markup):
            return await bot.send_document(chat_id, file_id, caption=caption, reply_markup=reply_markup(markup), **extra)
        case Album(items):
            media = [_INPUT_MEDIA[item.kind](item.file_id, caption=item.caption) for item in items]
            return await bot.send_media_group(chat_id, media)
        case Location(latitude, longitude):
            return await bot.send_location(chat_id, latitude, longitude)
        case Charts(charts):
            return await _send_charts(bot, chat_id, charts)
        case Export() if reads is not None:
            return await _send_export(bot, chat_id, message, reads)
    raise TypeError(f"cannot send {message!r}")


async def _send_charts(bot: Bot, chat_id: int, charts: tuple[Chart, ...]) -> TelegramObject | tuple:
    images = await asyncio.to_thread(lambda: [draw(chart) for chart in charts])  # CPU work off the event loop
    if len(images) == 1:
        return await bot.send_photo(chat_id, images[0], caption=charts[0].title)
    return await bot.send_media_group(chat_id, [InputMediaPhoto(image, caption=chart.title, filename=f"chart-{index + 1}.png")
                                                for index, (chart, image) in enumerate(zip(charts, images))])


async def _send_export(bot: Bot, chat_id: int, export: Export, reads: async_sessionmaker) -> TelegramObject:
    async with written(export, reads) as path:
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return await bot.send_message(chat_id, export.too_large)
        with path.open("rb") as file:
            return await bot.send_document(chat_id, file, filename=export.file_name, caption=export.caption)


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str, markup: Markup) -> bool:
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup(markup))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
    return True


def _reason(error: Exception) -> str:
    """What went wrong, once: Telegram's descriptions already start with the error's name ("Forbidden: ...")."""
    name, text = type(error).__name__, str(error)
    return text if text.lower().startswith(name.lower()) else f"{name}: {text}"


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)

