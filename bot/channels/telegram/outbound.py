"""Neutral messages out, as Bot API calls: one call per message, choices as inline keyboards within Telegram's
limits, files by ``file_id``, and the Bot API's errors told in the outbox's terms."""

from __future__ import annotations

import mimetypes
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from telegram import Bot, InputFile, InputMediaDocument, InputMediaPhoto, InputMediaVideo, TelegramObject
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.markup import Markup
from bot.channels.telegram.keyboards import markup_parameter
from bot.delivery import files as made_files
from bot.delivery.messages import Album, Edit, Files, Location, Media, Outgoing, Text
from bot.delivery.transport import Envelope, Failure, SendFailed
from bot.services.media import TELEGRAM, Fetch, KeptFile, MediaBridge, channel_of

_INPUT_MEDIA = {"photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument}


class TelegramTransport:
    """The outbox's transport to Telegram (files the bot made are read from the database through ``reads``)."""

    def __init__(self, bot: Bot, reads: async_sessionmaker | None = None, bridge: MediaBridge | None = None) -> None:
        self.bot, self._reads, self._bridge = bot, reads, bridge

    async def send(self, chat_id: int, message: Outgoing, paid: bool = False, envelope: Envelope | None = None) -> None:
        try:
            if isinstance(message, Media) and channel_of(message.file_id)[0] != TELEGRAM:
                await self._send_from_elsewhere(chat_id, message)
            elif isinstance(message, Album) and any(channel_of(item.file_id)[0] != TELEGRAM for item in message.items):
                for item in message.items:  # files of another channel go one by one, each uploaded once
                    await self.send(chat_id, item, paid)
            else:
                await send(self.bot, chat_id, message, self._reads, paid)
        except RetryAfter as error:
            raise SendFailed(Failure.RETRY, _reason(error), _seconds(error.retry_after)) from error
        except Forbidden as error:
            raise SendFailed(Failure.BLOCKED, _reason(error)) from error
        except BadRequest as error:
            raise SendFailed(Failure.REFUSED, _reason(error)) from error
        except TelegramError as error:
            raise SendFailed(Failure.RETRY, _reason(error)) from error


    async def _send_from_elsewhere(self, chat_id: int, media: Media) -> None:
        """A file that came on another channel (a citizen's photo on WhatsApp): by the copy uploaded to Telegram
        before, or uploaded now from its kept content, remembering Telegram's ``file_id`` of it."""
        if self._bridge is None:
            raise SendFailed(Failure.REFUSED, f"a file from {channel_of(media.file_id)[0]} and no way to fetch it")
        copy = await self._bridge.copy_on(media.file_id, TELEGRAM)
        if copy is not None:
            await send(self.bot, chat_id, replace(media, file_id=copy))
            return
        kept = await self._bridge.content(media.file_id, media.kind)
        upload = InputFile(kept.content, filename=kept.file_name or f"{media.kind}")
        sent = await send(self.bot, chat_id, replace(media, file_id=upload))  # type: ignore[arg-type]
        file = sent.photo[-1] if media.kind == "photo" else getattr(sent, media.kind)
        await self._bridge.remember_copy(media.file_id, media.kind, TELEGRAM, file.file_id)


async def send(bot: Bot, chat_id: int, message: Outgoing, reads: async_sessionmaker | None = None,
               paid: bool = False) -> TelegramObject | tuple | bool:
    """One Bot API call (``paid``: an announcement sent as a paid broadcast). Raises python-telegram-bot's errors."""
    extra = {"allow_paid_broadcast": True} if paid else {}
    match message:
        case Text(text, markup):
            return await _unread_answer(bot, "sendmessage", chat_id=chat_id, text=text, **markup_parameter(markup),
                                        **extra)
        case Edit(message_id, text, markup):
            return await _edit(bot, chat_id, message_id, text, markup)
        case Media("photo", file_id, caption, markup):
            return await bot.send_photo(chat_id, file_id, caption=caption, api_kwargs=markup_parameter(markup), **extra)
        case Media("video", file_id, caption, markup):
            return await bot.send_video(chat_id, file_id, caption=caption, api_kwargs=markup_parameter(markup))
        case Media("voice", file_id, caption, markup):
            return await bot.send_voice(chat_id, file_id, caption=caption, api_kwargs=markup_parameter(markup))
        case Media("audio", file_id, caption, markup):
            return await bot.send_audio(chat_id, file_id, caption=caption, api_kwargs=markup_parameter(markup))
        case Media("document", file_id, caption, markup):
            return await bot.send_document(chat_id, file_id, caption=caption, api_kwargs=markup_parameter(markup),
                                           **extra)
        case Album(items):
            media = [_INPUT_MEDIA[item.kind](item.file_id, caption=item.caption) for item in items]
            return await bot.send_media_group(chat_id, media)
        case Location(latitude, longitude):
            return await bot.send_location(chat_id, latitude, longitude)
        case Files() if reads is not None:
            return await _send_files(bot, chat_id, message, reads)
    raise TypeError(f"cannot send {message!r}")


async def _send_files(bot: Bot, chat_id: int, message: Files, reads: async_sessionmaker) -> TelegramObject | tuple:
    made = await made_files.load(reads, message.file_ids)
    if message.kind == "document":
        return await bot.send_document(chat_id, InputFile(made[0].content, filename=made[0].file_name),
                                       caption=made[0].caption)
    if len(made) == 1:
        return await bot.send_photo(chat_id, made[0].content, caption=made[0].caption)
    return await bot.send_media_group(chat_id, [InputMediaPhoto(item.content, caption=item.caption, filename=item.file_name)
                                                for item in made])


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str, markup: Markup) -> bool:
    try:
        await _unread_answer(bot, "editmessagetext", chat_id=chat_id, message_id=message_id, text=text,
                             **markup_parameter(markup))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
    return True


async def _unread_answer(bot: Bot, method: str, **parameters) -> dict | bool:
    """A text sent or edited, whose returned Message nothing reads: python-telegram-bot's raw call, as its typed
    method makes it (the same request, the same errors, the bot's default parse mode) but without building the
    Message back into objects, buttons and all: 60-140 us of a reply's CPU (bench/load.py). ``method`` is named in
    lower case, as the Bot API allows: python-telegram-bot warns of a raw call to a method it has (camelCase),
    and a warning filtered out still costs its lookup on every reply."""
    parse_mode = bot.defaults.parse_mode if getattr(bot, "defaults", None) else None
    return await bot.do_api_request(method, api_kwargs={
        name: value for name, value in {"parse_mode": parse_mode, **parameters}.items() if value is not None})


def _reason(error: Exception) -> str:
    """What went wrong, once: Telegram's descriptions already start with the error's name ("Forbidden: ...")."""
    name, text = type(error).__name__, str(error)
    return text if text.lower().startswith(name.lower()) else f"{name}: {text}"


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)



def fetcher(bot: Bot) -> Fetch:
    """The content of a Telegram file by its ``file_id`` (through getFile; the Bot API serves up to 20 MB), for a
    channel that must upload it (a liaison's document reaching a citizen on WhatsApp)."""

    async def fetch(file_id: str, kind: str) -> KeptFile:
        file = await bot.get_file(file_id)
        content = bytes(await file.download_as_bytearray())
        name = (file.file_path or "").rsplit("/", 1)[-1] or None
        return KeptFile(kind, content, mimetypes.guess_type(name or "")[0], name)

    return fetch
