"""What the inbox does with a stored WhatsApp row (the shapes of bot.runtime.Process and GiveUp).

A message: note when the person last wrote (their 24-hour window is judged by it), fetch and keep a file they sent
(WhatsApp's media ids expire, and other channels cannot use them), then run its turn. A receipt: record it on the
outbox row of the message it speaks of; a failure because the window was closed (131047) sends the message again,
which the transport then sends as a template."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import update

import handlers
from bot.channels.incoming import TOO_LARGE, UNAVAILABLE, Incoming, Unsupported
from bot.channels.whatsapp import inbound
from bot.channels.whatsapp.api import GraphApi, GraphError
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.limits import INCOMING_SIZE
from bot.db import Transactions
from bot.db.models import Contact, OutboxMessage, OutboxPart, utcnow
from bot.delivery import outbox
from bot.delivery.outbox import PENDING, SENT
from bot.inbox.dispatcher import NotYet
from bot.inbox.store import Stored
from bot.services import contacts
from bot.services.media import KeptFile, MediaBridge, channel_of

log = logging.getLogger(__name__)

WINDOW_CLOSED = 131047
NO_SUCH_OBJECT = 100  # (#100) Invalid parameter: "Object with ID ... does not exist" (a media id)
RANKS = {"sent": 1, "delivered": 2, "read": 3}  # a receipt never goes back; "failed" is final
FAILED = "failed"


def inbox_work(channel: WhatsAppChannel, api: GraphApi, bridge: MediaBridge):
    """``(process, give_up)`` for the inbox's WhatsApp rows, as bot.app's ``_inbox_work`` is for Telegram's."""

    async def process(services: Any, item: Stored) -> None:
        try:
            receipt = inbound.receipt_of(item.payload)
            if receipt is not None:
                if await record_receipt(services.transactions, receipt):
                    services.delivery.kick()
                return
            phone = inbound.sender_of(item.payload)
            if phone is None:
                log.warning("update %s is not a WhatsApp message that can be read; left alone", item.update_id)
                return
            await note_seen(services.transactions, phone, item.payload.get("timestamp"))
            incoming = inbound.to_incoming(item.payload, item.update_id)
            if incoming is None:
                return  # a reaction: nothing to answer
            incoming = await kept(incoming, api, bridge)
            await handlers.handle(incoming, services, channel)
        finally:
            for observer in services.handled:
                await observer(item.update_id)

    async def give_up(services: Any, payload: dict) -> None:
        if inbound.receipt_of(payload) is not None:
            return  # a receipt for a message the bot never recorded: nobody to tell
        try:
            incoming = inbound.to_incoming(payload)
        except Exception:  # not even readable: nobody to answer
            return
        if incoming is not None:
            await handlers.apologise(incoming, services, channel)

    return process, give_up


async def note_seen(transactions: Transactions, phone: str, timestamp: Any = None) -> None:
    """The person wrote (at ``timestamp``, WhatsApp's, never later than now): their chat's ``last_seen_at``, which
    never goes back, and what was held for them goes out (the rest of a message sent as a template while their
    window was closed). The chat's row is added where it has none yet; its person is the turn's to set."""
    now = utcnow()
    seen = now
    if isinstance(timestamp, int) and not isinstance(timestamp, bool):
        try:
            seen = min(now, datetime.fromtimestamp(timestamp, timezone.utc))
        except (OverflowError, OSError, ValueError):
            seen = now
    async with transactions.begin() as session:
        chat_id = await contacts.chat_id_for(session, contacts.WHATSAPP, phone)
        await session.execute(update(Contact).where(Contact.id == chat_id, Contact.last_seen_at < seen)
                              .values(last_seen_at=seen))
        await outbox.release_chat(session, chat_id)


async def kept(incoming: Incoming, api: GraphApi, bridge: MediaBridge) -> Incoming:
    """A file the person sent, downloaded and kept under its name (``whatsapp:<media id>``); a file larger than
    WhatsApp allows for its kind becomes Unsupported("too_large:<kind>"), one WhatsApp does not have (an unknown
    or expired id: asking again will not bring it) Unsupported("unavailable:<kind>"); the flows answer both."""
    media = incoming.media
    if media is None:
        return incoming
    file = media.file
    _channel, media_id = channel_of(file.file_id)
    if not (media_id.isascii() and media_id.isalnum()):  # never WhatsApp's, and not to be put in a URL's path
        return _not_kept(incoming, UNAVAILABLE, file.kind)
    limit = INCOMING_SIZE.get(file.kind, INCOMING_SIZE["document"])
    try:
        info = await api.media_info(media_id)
        if info.size is not None and info.size > limit:
            return _not_kept(incoming, TOO_LARGE, file.kind)
        content = await api.download(info.url, limit)
    except GraphError as error:
        if error.status == 413:
            return _not_kept(incoming, TOO_LARGE, file.kind)
        if error.status == 404 or error.code == NO_SUCH_OBJECT:
            return _not_kept(incoming, UNAVAILABLE, file.kind)
        raise
    await bridge.keep(file.file_id, KeptFile(file.kind, content, info.mime_type, file.file_name), len(content))
    return incoming


def _not_kept(incoming: Incoming, why: str, kind: str) -> Incoming:
    log.info("update %s: a %s was not kept (%s)", incoming.update_id, kind, why.rstrip(":"))
    return replace(incoming, content=Unsupported(why + kind))


async def record_receipt(transactions: Transactions, receipt: inbound.Receipt) -> bool:
    """Record what WhatsApp said of a sent message on its outbox row; True when the row is to be sent again (the
    window was closed: the contact is marked so, and the transport sends a template). NotYet when no row has the
    message's id yet (the transport may not have recorded it): the inbox tries again, then lets it go."""
    async with transactions.begin() as session:
        part = await session.get(OutboxPart, receipt.wamid)
        if part is None:
            raise NotYet(f"no sent message has the id …{receipt.wamid[-8:]} (yet)")
        if part.superseded or (not part.last and receipt.status != FAILED):
            return False  # the row went again since; or an earlier part, whose success the last part's tells
        row = await session.get(OutboxMessage, part.outbox_id, with_for_update=True)
        if row.receipt == FAILED:
            return False  # final
        if receipt.status != FAILED and RANKS.get(receipt.status, 0) <= RANKS.get(row.receipt or "", 0):
            return False  # a receipt never goes back (read, then a late delivered, stays read)
        now = utcnow()
        row.receipt, row.receipt_at = receipt.status, now
        if receipt.status != FAILED:
            return False
        row.receipt_error = (receipt.error or "unknown error")[:2000]
        log.info("message %s (…%s) failed: %s", row.id, receipt.wamid[-8:], receipt.error_code)
        if receipt.error_code != WINDOW_CLOSED:
            return False
        await session.execute(update(Contact).where(Contact.id == row.chat_id).values(window_closed_at=now)
                              .execution_options(synchronize_session=False))
        if row.state != SENT:
            return False
        row.state, row.next_attempt_at, row.claimed_until, row.claimed_by = PENDING, now, None, None
        return True


def by_channel(telegram: tuple[Any, Any], whatsapp: tuple[Any, Any]) -> tuple[Any, Any]:
    """One ``(process, give_up)`` for an inbox holding both channels' rows: a WhatsApp row (its payload marked so)
    to WhatsApp's, any other to Telegram's."""
    (telegram_process, telegram_give_up), (whatsapp_process, whatsapp_give_up) = telegram, whatsapp

    async def process(services: Any, item: Stored) -> None:
        work = whatsapp_process if inbound.is_whatsapp(item.payload) else telegram_process
        await work(services, item)

    async def give_up(services: Any, payload: dict) -> None:
        work = whatsapp_give_up if inbound.is_whatsapp(payload) else telegram_give_up
        await work(services, payload)

    return process, give_up
