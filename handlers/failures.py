"""When a handler fails: the inbox tries the update again, and once it gives up the user hears so."""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.channel import Channel
from bot.channels.incoming import Incoming
from bot.db.models import User
from bot.delivery import outbox
from bot.delivery.messages import Text
from bot.inbox.handling import current_handling
from bot.services import contacts

log = logging.getLogger(__name__)


def record_failure(update_id: int, error: Exception, debug: bool) -> None:
    """The failed turn was rolled back; tell the inbox, and log the update's number, never its content
    (the traceback, which may quote it, only at DEBUG)."""
    handling = current_handling.get()
    if handling is not None:
        handling.error = error
    log.error("update %s failed: %s", update_id, type(error).__name__, exc_info=error if debug else None)


async def apologise(incoming: Incoming, services: Any, channel: Channel) -> None:
    """The last resort, once an update has failed for good: the user hears so, in their language."""
    await channel.acknowledge(incoming, None)
    chat, sender = incoming.chat, incoming.sender
    async with services.transactions.begin() as session:
        who = await contacts.identify(session, incoming.channel, sender.address, chat.address, chat.private)
        user = await session.get(User, who.user_id)
        _ = services.settings.translator(user.locale if user else None)
        text = _("Sorry, something went wrong on our side. Please try again in a moment.")
        await outbox.enqueue(session, who.chat_id, Text(text), user=user if chat.private else None)
    await services.delivery.deliver_chat(who.chat_id)
