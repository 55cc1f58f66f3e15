"""People and the chats they are reached in (bot.db.models.contacts): a person is a user with one or more chats,
each on a channel. What the bot tells a person goes to the chat they last wrote from; what it tells the reporter
of a report, to the chat the report was filed from.

Ids: a Telegram chat and a Telegram user keep Telegram's own ids (the rows written before contacts existed hold
them), which needs no look-up on the busiest path. A chat or a person of another channel gets an id from
``OWN_IDS_FROM`` up, a range Telegram's ids never reach (they fit in 52 bits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Contact, User, utcnow

TELEGRAM, WHATSAPP = "telegram", "whatsapp"
OPEN311 = "open311"  # a system filing through the API: its reports' chat, which no message goes to
OWN_IDS_FROM = 2**53
# WhatsApp's chats have ids in a range of their own, so that an id tells its channel without a look-up (the
# sender's pacing). Never made of the phone number, which would then be in every table and log line naming a chat.
PHONE_IDS_FROM, PHONE_IDS_TO = 2**54, 2**55
API_IDS_FROM, API_IDS_TO = 2**55, 2**56  # the API's chats: no message is queued for them (``messaged``)


def fixed_chat_id(channel: str, address: str) -> int | None:
    """The id of a chat that a channel's address fixes (Telegram's own ids), or None."""
    return int(address) if channel == TELEGRAM else None


def _id_range(channel: str) -> tuple[int, int]:
    if channel == OPEN311:
        return API_IDS_FROM, API_IDS_TO
    return (PHONE_IDS_FROM, PHONE_IDS_TO) if channel == WHATSAPP else (OWN_IDS_FROM, PHONE_IDS_FROM)


def messaged(chat_id: int) -> bool:
    """Whether a chat takes messages: not an API's (a system filing through Open311 reads the status instead)."""
    return not API_IDS_FROM <= chat_id < API_IDS_TO


async def chat_id_for(session: AsyncSession, channel: str, address: str, private: bool = True) -> int:
    """The id of a chat by its channel's address, adding its contact row (its person not known yet) where it has
    none: a receiver that orders a chat's messages before any turn reads them (WhatsApp's)."""
    known = await session.scalar(select(Contact.id).where(Contact.channel == channel, Contact.address == address))
    if known is not None:
        return known
    chat_id = fixed_chat_id(channel, address) or _new_id(channel)
    session.add(Contact(id=chat_id, channel=channel, address=address, private=private, last_seen_at=utcnow()))
    await session.flush()
    return chat_id


@dataclass(frozen=True)
class Identity:
    """Who wrote (a user id) and in which chat (a contact id), as the schema keys them."""

    user_id: int
    chat_id: int
    known: bool  # the chat has its contact row already (a new one is added by ``remember``)
    unclaimed: bool = False  # ... but no person yet (its receiver added it): ``remember`` makes it theirs


async def identify(session: AsyncSession, channel: str, sender: str, chat: str, private: bool) -> Identity:
    """The ids of a sender and a chat given by their channel's addresses."""
    if channel == TELEGRAM:
        return Identity(int(sender), int(chat), known=False)
    contact = await _contact(session, channel, chat)
    if contact is not None and contact.user_id is not None and private:
        return Identity(contact.user_id, contact.id, known=True)
    person = contact if private else await _contact(session, channel, sender)
    user_id = person.user_id if person is not None and person.user_id is not None else _new_id()
    chat_id = contact.id if contact is not None else fixed_chat_id(channel, chat) or _new_id(channel)
    return Identity(user_id, chat_id, known=contact is not None, unclaimed=private and contact is not None)


async def remember(session: AsyncSession, identity: Identity, channel: str, address: str, private: bool,
                   new_user: bool) -> None:
    """Add the chat's contact row if it has none yet (after its user's row, which it refers to). A private chat of a
    known person has one: no look-up on the busiest path. (Two processes adding one group's row at once: the second
    turn fails, and the inbox tries it again, when the row is there.)"""
    if identity.unclaimed:
        await session.execute(update(Contact).where(Contact.id == identity.chat_id).values(user_id=identity.user_id))
        return
    if identity.known or (private and not new_user):
        return
    if not private and await session.get(Contact, identity.chat_id) is not None:
        return
    session.add(Contact(id=identity.chat_id, channel=channel, address=address, private=private,
                        user_id=identity.user_id if private else None, last_seen_at=utcnow()))
    await session.flush()


async def add_chat(session: AsyncSession, user: User, channel: str, address: str) -> int:
    """Reach a known person in a chat of another channel from now on (a contact of theirs there); its id."""
    chat_id = fixed_chat_id(channel, address) or _new_id(channel)
    session.add(Contact(id=chat_id, channel=channel, address=address, user_id=user.id, private=True,
                        last_seen_at=utcnow()))
    user.last_chat_id = chat_id
    await session.flush()
    return chat_id


def chat_of(user: User) -> int:
    """The chat a person is reached in: the one they last wrote from (a Telegram user who never wrote from another
    chat: their own private chat, which has their id)."""
    return user.last_chat_id or user.id


async def address_of(session: AsyncSession, chat_id: int) -> tuple[str, str]:
    """The channel and its address of a chat (one the bot has never seen is Telegram's, by its id)."""
    contact = await session.get(Contact, chat_id)
    return (contact.channel, contact.address) if contact is not None else (TELEGRAM, str(chat_id))


def channel_by_id(chat_id: int) -> str | None:
    """The channel a chat's id alone tells (Telegram's own ids, WhatsApp's phone ids); None for the rest."""
    if chat_id < OWN_IDS_FROM:
        return TELEGRAM
    return WHATSAPP if PHONE_IDS_FROM <= chat_id < PHONE_IDS_TO else None


def channel_lookup(reads: async_sessionmaker) -> Callable[[int], Awaitable[str]]:
    """The channel of a chat, for sending: an id below ``OWN_IDS_FROM`` is Telegram's own and one from
    ``PHONE_IDS_FROM`` WhatsApp's, looked up nowhere; others are read once (a chat keeps its channel for good)."""
    known: dict[int, str] = {}

    async def channel_of(chat_id: int) -> str:
        fixed = channel_by_id(chat_id)
        if fixed is not None:
            return fixed
        if chat_id not in known:
            async with reads() as session:
                known[chat_id] = (await address_of(session, chat_id))[0]
        return known[chat_id]

    return channel_of


async def person_in(session: AsyncSession, chat_id: int) -> int:
    """The person a private chat belongs to (a chat the bot has no row for is a Telegram user's own: their id)."""
    return await session.scalar(select(Contact.user_id).where(Contact.id == chat_id)) or chat_id


async def _contact(session: AsyncSession, channel: str, address: str) -> Contact | None:
    return await session.scalar(select(Contact).where(Contact.channel == channel, Contact.address == address))


def _new_id(channel: str | None = None) -> int:
    """A new id in a channel's own range (people of every channel but Telegram share one), drawn at random: turns
    adding people at once, in one process or several, do not pick the same one, as the next after the highest
    would (all but one of them failed and were tried again, a crowd of new people beyond the inbox's tries). A
    clash, about one in 2**53, fails the insert, and the inbox tries the turn again."""
    low, high = _id_range(channel or "")
    return low + secrets.randbelow(high - low)


async def api_reporter(session: AsyncSession, key_id: int, name: str) -> tuple[int, int]:
    """The ids of a new reporter of a report filed through the API by key ``key_id`` (a person of their own, whom
    no message reaches), and of the key's chat (``messaged`` says no), added on its first report."""
    chat_id = await chat_id_for(session, OPEN311, f"key:{key_id}", private=False)
    user = User(id=_new_id(), first_name=name, reachable=False, lookups=0)
    session.add(user)
    await session.flush()
    return user.id, chat_id
