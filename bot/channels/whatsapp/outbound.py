"""The outbox's transport to WhatsApp: a neutral message becomes one or more Cloud API messages (render.py) inside
the person's 24-hour window, or the approved template for its purpose after it (templates.py); files are uploaded
once and their media ids reused; the id WhatsApp gives the message (wamid) is kept on its outbox row, which later
delivery receipts name; and WhatsApp's error codes are told in the outbox's terms (failures.py).

The window is judged by the chat's contact (window.py): open while the person's last message is less than 24 hours
old, unless WhatsApp said since that it was closed (error 131047): then the message goes out at once as a
template, and what the template cannot carry is held until the person writes again.

Logs name chats by id and messages by the tail of their wamid, never a phone number or a text."""

from __future__ import annotations

import json
import logging
import mimetypes
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiolimiter import AsyncLimiter
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.whatsapp import failures, render, templates, window
from bot.channels.whatsapp.api import GraphApi, GraphError
from bot.channels.whatsapp.limits import CHANNEL
from bot.config import Settings
from bot.db import Transactions
from bot.db.models import Contact, OutboxMessage, OutboxPart, utcnow
from bot.delivery import files as made_files
from bot.delivery.messages import Album, Files, Media, Outgoing
from bot.delivery.transport import Envelope, Failure, Purpose, SendFailed
from bot.services import contacts, subscriptions
from bot.services.conversations import locale_of
from bot.services.media import KeptFile, MediaBridge

log = logging.getLogger(__name__)

PARTLY_SENT_KEPT = 1000

MIME_TYPES = {"photo": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg", "voice": "audio/ogg",
              "document": "application/octet-stream"}


@dataclass
class _Chat:
    id: int
    phone: str
    user_id: int | None
    window_open: bool
    locale: str | None


class WhatsAppTransport:
    """Sends through ``api`` at most ``settings.whatsapp.messages_per_second`` messages a second in all (the phone
    number's throughput); the outbox's pacer keeps to each person's pace."""

    def __init__(self, api: GraphApi, settings: Settings, transactions: Transactions, bridge: MediaBridge,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.api, self.settings, self._transactions, self._bridge, self._clock = api, settings, transactions, bridge, clock
        rate = settings.whatsapp.messages_per_second
        burst = max(1.0, rate / 10)
        self._limiter = AsyncLimiter(burst, burst / rate)
        self._token_alerted = False
        # A message that failed part way: its outbox id -> (its bodies' fingerprint, the wamids of those that went).
        self._partly_sent: OrderedDict[int, tuple[int, tuple[str, ...]]] = OrderedDict()

    async def send(self, chat_id: int, message: Outgoing, paid: bool = False, envelope: Envelope | None = None) -> None:
        envelope = envelope or Envelope()
        try:
            chat = await self._chat(chat_id)
            wamids = await self._deliver(chat, message, envelope)
        except GraphError as error:
            raise self._failed(error) from error
        except SQLAlchemyError as error:  # a database hiccup before the message went: try again
            raise SendFailed(Failure.RETRY, f"database: {type(error).__name__}") from error
        if self._token_alerted:
            log.warning("WhatsApp takes the access token again: sending resumed")
            self._token_alerted = False
        if wamids:
            if envelope.outbox_id is not None:
                await self._record(envelope.outbox_id, wamids)
            log.debug("chat %s: sent WhatsApp message …%s", chat_id, wamids[-1][-8:])

    async def _record(self, outbox_id: int, wamids: list[str]) -> None:
        """The wamids on the outbox row (its parts), for the delivery receipts that name them (the message is sent:
        a failure here loses a receipt, never sends it twice). A row sent again (as a template after 131047) starts
        its receipts afresh: what is said of the earlier messages no longer counts."""
        try:
            async with self._transactions.begin() as session:
                await session.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id)
                                      .values(channel_message_id=wamids[-1], receipt=None, receipt_at=None,
                                              receipt_error=None))
                await session.execute(update(OutboxPart).where(OutboxPart.outbox_id == outbox_id)
                                      .values(superseded=True))
                session.add_all(OutboxPart(channel_message_id=wamid, outbox_id=outbox_id, last=wamid == wamids[-1],
                                           superseded=False) for wamid in wamids)
        except SQLAlchemyError:
            log.warning("outbox %s: sent as …%s, but its WhatsApp ids could not be kept", outbox_id, wamids[-1][-8:],
                        exc_info=True)

    # --- the chat and its window -------------------------------------------------------------------------------

    async def _chat(self, chat_id: int) -> _Chat:
        async with self._transactions.sessions() as session:
            channel, phone = await contacts.address_of(session, chat_id)
            if channel != CHANNEL:
                raise SendFailed(Failure.REFUSED, f"chat {chat_id} is on {channel}, not on WhatsApp")
            contact = await session.get(Contact, chat_id)
            locale = await locale_of(session, contact.user_id) if contact.user_id is not None else None
        return _Chat(chat_id, phone, contact.user_id, window.window_open(contact, self._clock()), locale)

    async def _close_window(self, chat: _Chat) -> None:
        chat.window_open = False
        async with self._transactions.begin() as session:
            await session.execute(update(Contact).where(Contact.id == chat.id).values(window_closed_at=self._clock()))
        log.info("chat %s: WhatsApp says its 24-hour window is closed; sending the template", chat.id)

    async def _opted_in(self, chat: _Chat) -> bool:
        if chat.user_id is None:
            return False
        async with self._transactions.sessions() as session:
            return await subscriptions.active(session, chat.user_id) is not None

    # --- sending -----------------------------------------------------------------------------------------------

    async def _deliver(self, chat: _Chat, message: Outgoing, envelope: Envelope) -> list[str]:
        """The wamids of the messages sent, in order (none: nothing to send)."""
        if chat.window_open:
            reused: dict[str, tuple[str, str]] = {}
            bodies = await self._bodies(message, chat.locale, reused)
            try:
                return await self._send_all(chat, bodies, reused, envelope.outbox_id)
            except GraphError as error:
                if error.code != failures.WINDOW_CLOSED:
                    raise
            await self._close_window(chat)
        return [await self._send_template(chat, message, envelope)]

    async def _send_all(self, chat: _Chat, bodies: list[dict[str, Any]], reused: dict[str, tuple[str, str]],
                        outbox_id: int | None) -> list[str]:
        """Each body in order. A message of several bodies that failed part way (a rate limit on the second page
        of a list) goes on from where it stopped when it is tried again by this process."""
        fingerprint = hash(json.dumps(bodies, sort_keys=True))
        kept = self._partly_sent.pop(outbox_id, None) if outbox_id is not None else None
        wamids = list(kept[1]) if kept is not None and kept[0] == fingerprint else []
        for body in bodies[len(wamids):]:
            try:
                wamids.append(await self._post_fresh(chat, body, reused))
            except GraphError:
                if outbox_id is not None and wamids:
                    self._partly_sent[outbox_id] = (fingerprint, tuple(wamids))
                    while len(self._partly_sent) > PARTLY_SENT_KEPT:
                        self._partly_sent.popitem(last=False)
                raise
        return wamids

    async def _post_fresh(self, chat: _Chat, body: dict[str, Any], reused: dict[str, tuple[str, str]]) -> str:
        """Post a body; one whose reused media id WhatsApp let go (they expire) with the file uploaded again."""
        try:
            return await self._post(chat, body)
        except GraphError as error:
            stale = _media_id_of(body)
            if error.code not in failures.STALE_MEDIA_CODES or stale not in reused:
                raise
            file_id, kind = reused.pop(stale)
            log.info("chat %s: a reused WhatsApp media id was refused (%s); uploading the file again",
                     chat.id, error.code)
            fresh = await self._upload_copy(file_id, kind)
            return await self._post(chat, _with_media_id(body, fresh))

    async def _send_template(self, chat: _Chat, message: Outgoing, envelope: Envelope) -> str:
        if envelope.purpose is Purpose.ANNOUNCEMENT and not await self._opted_in(chat):
            raise SendFailed(Failure.REFUSED, "not opted in to announcements")
        html, what = window.words_of(message)
        body = templates.template_body(self.settings.whatsapp, envelope.purpose, html, chat.locale, what)
        if envelope.outbox_id is not None and window.left_out(message, envelope.purpose):
            async with self._transactions.begin() as session:  # before the template: a retry finds it there
                await window.hold_the_rest(session, chat.id, chat.user_id, message, envelope.purpose, envelope.outbox_id)
        log.info("chat %s: outside the 24-hour window; sending the %s template", chat.id, envelope.purpose.value)
        return await self._post(chat, body)

    async def _post(self, chat: _Chat, body: dict[str, Any]) -> str:
        async with self._limiter:
            return await self.api.send({"recipient_type": "individual", "to": chat.phone, **body})

    # --- files -------------------------------------------------------------------------------------------------

    async def _bodies(self, message: Outgoing, locale: str | None,
                      reused: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
        match message:
            case Media() | Album():
                items = message.items if isinstance(message, Album) else (message,)
                media_ids = {item.file_id: await self._media_id(item.file_id, item.kind, reused) for item in items}
                return render.render(message, media_ids, locale)
            case Files(kind, file_ids):
                return await self._made_file_bodies(kind, file_ids, locale, reused)
        return render.render(message, None, locale)

    async def _made_file_bodies(self, kind: str, file_ids: tuple[int, ...], locale: str | None,
                                reused: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
        """Files the bot made (exports, charts): each uploaded once, named ``generated:<id>``."""
        try:
            made = await made_files.load(self._transactions.sessions, file_ids)
        except LookupError as error:
            raise SendFailed(Failure.REFUSED, str(error)) from error
        bodies: list[dict[str, Any]] = []
        for item in made:
            name = f"generated:{item.id}"
            kept = KeptFile(kind, item.content, mimetypes.guess_type(item.file_name)[0], item.file_name)
            media_id = await self._media_id(name, kind, reused, kept)
            bodies += render.media_bodies(kind, media_id, item.caption, file_name=item.file_name, locale=locale)
        return bodies

    async def _media_id(self, file_id: str, kind: str, reused: dict[str, tuple[str, str]],
                        kept: KeptFile | None = None) -> str:
        """WhatsApp's media id of a file: its own (it came from WhatsApp, or was uploaded before), else an upload."""
        own = await self._bridge.copy_on(file_id, CHANNEL)
        if own is not None:
            if not file_id.startswith(CHANNEL + ":"):
                reused[own] = (file_id, kind)
            return own
        return await self._upload_copy(file_id, kind, kept)

    async def _upload_copy(self, file_id: str, kind: str, kept: KeptFile | None = None) -> str:
        if kept is None:
            kept = await self._content(file_id, kind)
        mime_type = kept.mime_type or (mimetypes.guess_type(kept.file_name)[0] if kept.file_name else None) \
            or MIME_TYPES.get(kind, "application/octet-stream")
        file_name = kept.file_name or f"{kind}{mimetypes.guess_extension(mime_type) or ''}"
        media_id = await self.api.upload(kept.content, mime_type, file_name)
        await self._bridge.remember_copy(file_id, kind, CHANNEL, media_id)
        return media_id

    async def _content(self, file_id: str, kind: str) -> KeptFile:
        try:
            return await self._bridge.content(file_id, kind)
        except LookupError as error:
            raise SendFailed(Failure.REFUSED, f"the file cannot be had: {error}") from error
        except (SendFailed, GraphError):
            raise
        except Exception as error:  # its own channel's download failed: try again later
            raise SendFailed(Failure.RETRY, f"the file could not be fetched: {type(error).__name__}") from error

    def _failed(self, error: GraphError) -> SendFailed:
        """What the outbox makes of ``error``; a refused token is told once, until a send succeeds again."""
        if failures.token_refused(error) and not self._token_alerted:
            self._token_alerted = True
            log.error("WhatsApp refused the access token (%s): nothing goes out to WhatsApp until "
                      "WHATSAPP_ACCESS_TOKEN is replaced; the messages wait and are tried every %d s",
                      error.code or error.status, failures.ACCOUNT_WAIT)
        return failures.failure(error)


def _media_id_of(body: dict[str, Any]) -> str | None:
    content = body.get(body.get("type", ""))
    return content.get("id") if isinstance(content, dict) else None


def _with_media_id(body: dict[str, Any], media_id: str) -> dict[str, Any]:
    kind = body["type"]
    return {**body, kind: {**body[kind], "id": media_id}}
