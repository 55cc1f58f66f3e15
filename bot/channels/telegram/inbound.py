"""Telegram updates in: each update read into one neutral ``Incoming`` (or none, when it is nobody's business),
and the port the turns use to answer a tap."""

from __future__ import annotations

import logging

from telegram import Bot, ChatMember, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.channels.channel import Limits
from bot.channels.incoming import (
    Chat,
    CommandSent,
    ContactSent,
    Content,
    Edited,
    Incoming,
    MediaSent,
    MembershipChanged,
    Person,
    PlaceSent,
    Said,
    Tapped,
    Unsupported,
)
from bot.channels.telegram.limits import TELEGRAM_LIMITS
from bot.domain.draft import AttachmentRef
from bot.services.staff import deep_link

log = logging.getLogger(__name__)

CHANNEL = "telegram"
GONE = (ChatMember.BANNED, ChatMember.LEFT)


class TelegramChannel:
    """The turns' port to Telegram."""

    name = CHANNEL
    limits: Limits = TELEGRAM_LIMITS

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def acknowledge(self, incoming: Incoming, text: str | None) -> None:
        tap = incoming.tap
        if tap is None or tap.reference is None:
            return
        try:
            await self.bot.answer_callback_query(tap.reference, text)
        except TelegramError as error:  # too old, or the network: the tap's effect is in the chat anyway
            log.info("could not answer a button tap: %s", error)

    @property
    def username(self) -> str | None:
        try:
            return self.bot.username
        except RuntimeError:  # the bot is not initialised: its name is unknown
            return None

    def mention(self, person_id: int, name_html: str) -> str:
        return f'<a href="tg://user?id={person_id}">{name_html}</a>'

    def start_link(self, payload: str) -> str:
        return deep_link(payload, self.username)


def to_incoming(update: Update, bot_username: str | None) -> Incoming | None:
    """The neutral form of ``update``; None for what no turn takes (no sender or chat, a command for another bot,
    kinds of update the bot does not ask for)."""
    sender, chat = update.effective_user, update.effective_chat
    if sender is None or chat is None:
        return None
    content = _content(update, bot_username)
    if content is None:
        return None
    person = Person(str(sender.id), sender.first_name, sender.username)
    return Incoming(update.update_id, CHANNEL, person, Chat(str(chat.id), chat.type == ChatType.PRIVATE), content)


def _content(update: Update, bot_username: str | None) -> Content | None:
    if (query := update.callback_query) is not None:
        return Tapped(query.data or "", query.message.message_id if query.message else None, query.id)
    if (change := update.my_chat_member) is not None:
        status = change.new_chat_member.status
        return MembershipChanged(status not in GONE, status)
    if update.edited_message is not None:
        return Edited(moving=update.edited_message.location is not None)
    if update.message is not None:
        return _message_content(update.message, bot_username)
    return None


def _message_content(message: Message, bot_username: str | None) -> Content | None:
    if _starts_with_command(message):
        return _command(message, bot_username)
    if (file := _attachment(message)) is not None:
        caption_html = message.caption_html if message.caption_entities else message.caption
        return MediaSent(file, message.caption, caption_html, message.media_group_id)
    if message.location is not None:
        venue = message.venue
        return PlaceSent(message.location.latitude, message.location.longitude,
                         venue.title if venue else None, venue.address if venue else None)
    if message.text is not None:
        return Said(message.text, message.text_html if message.entities else message.text)
    if message.contact is not None:
        return ContactSent(message.contact.phone_number, message.contact.first_name)
    return Unsupported(message.effective_attachment.__class__.__name__.lower() if message.effective_attachment else "service")


def _starts_with_command(message: Message) -> bool:
    entities = message.entities or ()
    return bool(message.text and entities and entities[0].type == MessageEntity.BOT_COMMAND and entities[0].offset == 0)


def _command(message: Message, bot_username: str | None) -> CommandSent | None:
    return command_in(message.text, message.entities[0].length, bot_username)


def command_in(text: str, length: int, bot_username: str | None) -> CommandSent | None:
    """The command ``text`` starts with (its first ``length`` characters, as its entity says); None when it names
    another bot."""
    name, _, addressee = text[1:length].partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    return CommandSent(name.lower(), tuple(text.split()[1:]), text)


def _attachment(message: Message) -> AttachmentRef | None:
    if message.photo:
        media, kind = message.photo[-1], "photo"  # the largest size
    elif message.video:
        media, kind = message.video, "video"
    elif message.document:
        media, kind = message.document, "document"
    elif message.voice:  # a voice note: kept for staff to play, with a written line asked beside it
        media, kind = message.voice, "voice"
    elif message.audio:
        media, kind = message.audio, "audio"
    else:
        return None
    return AttachmentRef(kind, media.file_id, media.file_unique_id, media.file_size, getattr(media, "file_name", None))


async def answer_tap_without_chat(update: Update, bot: Bot, translator) -> None:
    """A button on a message the bot cannot see (an inline message, sent in someone else's chat: this bot sends
    none, so it is forged or a probe). No turn can run without a chat, but the tap is always answered, so the
    tapper's button stops spinning, in their language (``translator``: theirs, looked up by their id)."""
    query, sender = update.callback_query, update.effective_user
    if query is None or update.effective_chat is not None or sender is None:
        return
    _ = await translator(sender.id)
    try:
        await bot.answer_callback_query(query.id, _("That button cannot be used here. Please use the buttons in our chat."))
    except TelegramError as error:  # too old, or the network: nothing else to do
        log.info("could not answer a button tap without a chat: %s", error)
