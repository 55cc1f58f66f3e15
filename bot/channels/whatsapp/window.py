"""WhatsApp's 24-hour customer service window, and what goes out after it: the approved template for the message's
purpose (templates.py) carrying the message's words, and a copy of the whole message held for the person until
they write again (the template asks them to reply "to see the details"): its files, its choices, the end of a text
too long for a template parameter. Nothing a template cannot carry is lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.whatsapp import templates
from bot.channels.whatsapp.text import to_whatsapp
from bot.channels.whatsapp.limits import WINDOW_HOURS
from bot.db.models import Contact, OutboxMessage
from bot.delivery import outbox
from bot.delivery.messages import Album, Edit, Files, Location, Media, Outgoing, Text
from bot.delivery.transport import Purpose


def window_open(contact: Contact, now: datetime) -> bool:
    """Whether WhatsApp takes free-form messages to the contact now (its 24-hour customer service window)."""
    seen = contact.last_seen_at
    if seen is None or seen <= now - timedelta(hours=WINDOW_HOURS):
        return False
    return not (contact.window_closed_at is not None and contact.window_closed_at >= seen)


def words_of(message: Outgoing) -> tuple[str | None, str]:
    """The text a template carries for a message, and what it is when it has none."""
    match message:
        case Text(text) | Edit(_, text):
            return text, "other"
        case Media(caption=caption):
            return caption, "media"
        case Album(items):
            return next((item.caption for item in items if item.caption), None), "media"
        case Location(latitude, longitude):  # the place as a link a phone opens in its maps
            return f"https://maps.google.com/?q={latitude:.6f},{longitude:.6f}", "location"
        case Files():
            return None, "media"
    return None, "other"


def left_out(message: Outgoing, purpose: Purpose) -> bool:
    """Whether the template for ``message`` leaves something of it out: a file, a choice, words beyond its room."""
    match message:
        case Media() | Album() | Files():
            return True
        case Text(text, markup) | Edit(_, text, markup):
            room = templates.template_for(purpose).room
            return markup is not None or len(templates.flatten(to_whatsapp(text), room + 1)) > room
    return False


def rest_key(outbox_id: int) -> str:
    return f"rest-of:{outbox_id}"


async def hold_the_rest(session: AsyncSession, chat_id: int, user_id: int | None, message: Outgoing,
                        purpose: Purpose, outbox_id: int) -> None:
    """Keep the whole message for the chat until the person writes (``outbox.release_chat``), once per outbox row
    however often its template is tried."""
    key = rest_key(outbox_id)
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.chat_id == chat_id,
                                                           OutboxMessage.replace_key == key)) is None:
        outbox.keep_held(session, chat_id, user_id, message, purpose, key)
