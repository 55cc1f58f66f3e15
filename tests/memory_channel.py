"""A channel that lives in memory: no messenger, no python-telegram-bot, no HTTP. Scripted people build neutral
``Incoming`` values and hand them to the one dispatch (``handlers.handle``); what the bot sends is kept per chat
as the neutral message it was, with a message id, so that an edit changes the kept message and a tap names
the message it was on. Proof that the conversations need nothing of Telegram."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exists, select

import handlers
from bot.channels.channel import Limits
from bot.channels.incoming import Chat, CommandSent, Incoming, MediaSent, Person, PlaceSent, Said, Tapped
from bot.channels.markup import Choices, Markup
from bot.config import Settings
from bot.db import Transactions, create_engine, migrate
from bot.db.models import OutboxMessage, utcnow
from bot.delivery import files as made_files
from bot.delivery.messages import Album, Edit, Files, Location, Media, Outgoing, Text
from bot.delivery.outbox import PENDING
from bot.delivery.transport import ChannelRouter, Envelope, Failure, SendFailed
from bot.domain.draft import AttachmentRef
from bot.inbox.handling import Handling, current_handling
from bot.runtime import Background, Services, build_services, start_background, stop_background
from bot.db.models import User
from bot.sandbox.personas import PERSONAS, Persona, grant_roles
from bot.services import contacts
from bot.services.conversations import remember_user
from bot.services.jurisdiction import load_router
from tests.harness import TEST_PACING
from tests.story import Seen

CHANNEL = "memory"
MEMORY_LIMITS = Limits(text=4096, caption=1024, choice_data=64, choices_per_row=8, choices_per_message=100,
                       choice_label=64)
SETTLE_TIMEOUT_SECONDS = 10.0


@dataclass
class Shown:
    """A message in a chat, as the channel shows it now (an edit replaces its text and choices)."""

    message_id: int
    seen: Seen
    choices: Choices | None = None


class MemoryChannel:
    """The turns' port: a tap's acknowledgement is only recorded."""

    name = CHANNEL
    limits = MEMORY_LIMITS

    def __init__(self) -> None:
        self.acknowledged: list[tuple[str | None, str | None]] = []  # (the tap's reference, the text shown)

    async def acknowledge(self, incoming: Incoming, text: str | None) -> None:
        if incoming.tap is not None:
            self.acknowledged.append((incoming.tap.reference, text))

    def mention(self, person_id: int, name_html: str) -> str:
        return name_html

    def start_link(self, payload: str) -> str:
        return f"/start {payload}"


class MemoryTransport:
    """The outbox's transport: each message kept in its chat (by the chat's address on this channel, as a real
    channel sends to it) with an id of its own; the files the bot made are read back, as a channel uploads them."""

    def __init__(self, channel: str = CHANNEL) -> None:
        self.channel = channel  # another name plays a second channel beside this one (ChannelRouter)
        self.chats: dict[str, list[Shown]] = {}
        self.reads = None  # the services' sessions, once they are built
        self._message_ids = itertools.count(1)

    async def send(self, chat_id: int, message: Outgoing, paid: bool = False, envelope: Envelope | None = None) -> None:
        async with self.reads() as session:
            channel, address = await contacts.address_of(session, chat_id)
        if channel != self.channel:
            raise SendFailed(Failure.REFUSED, f"chat {chat_id} is on {channel}, not on {self.channel}")
        chat = self.chats.setdefault(address, [])
        if isinstance(message, Edit):
            self._edit(chat, message)
            return
        captions = None
        if isinstance(message, Files):
            captions = [made.caption or "" for made in await made_files.load(self.reads, message.file_ids)]
        for seen, choices in _shown_as(message, captions):
            chat.append(Shown(next(self._message_ids), seen, choices))

    @staticmethod
    def _edit(chat: list[Shown], edit: Edit) -> None:
        shown = next((shown for shown in chat if shown.message_id == edit.message_id), None)
        if shown is None:
            raise SendFailed(Failure.REFUSED, f"no message {edit.message_id} to edit")
        shown.seen = Seen(shown.seen.kind, edit.text, _labels(edit.markup), shown.seen.file_id)
        shown.choices = edit.markup if isinstance(edit.markup, Choices) else None


def _labels(markup: Markup) -> tuple[str, ...]:
    return tuple(choice.label for choice in markup.all) if isinstance(markup, Choices) else ()


def _shown_as(message: Outgoing, captions: list[str] | None) -> list[tuple[Seen, Choices | None]]:
    """What a person sees of one message: one bubble, or one per picture of an album or of charts (``captions``:
    of the files the bot made)."""
    match message:
        case Text(text, markup):
            return [(Seen("text", text, _labels(markup)), markup if isinstance(markup, Choices) else None)]
        case Media(kind, file_id, caption, markup):
            return [(Seen(kind, caption or "", _labels(markup), file_id), markup if isinstance(markup, Choices) else None)]
        case Album(items):
            return [(Seen(item.kind, item.caption or "", (), item.file_id), None) for item in items]
        case Location():
            return [(Seen("location", ""), None)]
        case Files(kind):
            return [(Seen(kind, caption), None) for caption in captions]
    raise TypeError(f"cannot show {message!r}")


class MemoryPerson:
    """Someone in a private chat with the bot, scripted: each act waits until the bot has answered it."""

    def __init__(self, bot: MemoryBot, address: str, first_name: str, username: str | None = None,
                 transport: MemoryTransport | None = None) -> None:
        self.bot, self.address, self.person = bot, address, Person(address, first_name, username)
        self.transport = transport or bot.transport  # the channel the person writes on
        self._files = itertools.count(1)

    # Acting ----------------------------------------------------------------------------------

    async def send(self, text: str) -> list[Seen]:
        if text.startswith("/"):
            name, *args = text[1:].split()
            return await self._act(CommandSent(name.partition("@")[0].lower(), tuple(args), text))
        return await self._act(Said(text, text))

    async def share_location(self, latitude: float, longitude: float) -> list[Seen]:
        return await self._act(PlaceSent(latitude, longitude))

    async def send_file(self, kind: str, name: str, caption: str | None = None) -> str:
        """Send a photo, video or document by the channel's reference; returns that reference (its file id)."""
        number = next(self._files)
        file_id = f"{self.transport.channel}-{kind}-{self.address}-{number}"
        await self._act(MediaSent(AttachmentRef(kind, file_id, f"unique-{file_id}", 1000 + number, name), caption, caption))
        return file_id

    async def tap(self, label: str) -> list[Seen]:
        """Tap the choice whose label contains ``label``, on the newest message that offers one."""
        shown, data = self.find_choice(label)
        return await self._act(Tapped(data, shown.message_id, f"tap-{self.bot.next_update_id()}"))

    async def _act(self, content) -> list[Seen]:
        before = len(self.seen)
        incoming = Incoming(self.bot.next_update_id(), self.transport.channel, self.person, Chat(self.address, True),
                            content)
        await self.bot.handle(incoming)
        return self.seen[before:]

    # Reading ---------------------------------------------------------------------------------

    @property
    def seen(self) -> list[Seen]:
        return [shown.seen for shown in self.transport.chats.get(self.address, [])]

    @property
    def last_text(self) -> str:
        return self.seen[-1].text if self.seen else ""

    def find_choice(self, label: str) -> tuple[Shown, str]:
        for shown in reversed(self.transport.chats.get(self.address, [])):
            for choice in shown.choices.all if shown.choices else ():
                if label in choice.label:
                    return shown, choice.data
        raise AssertionError(f"no choice {label!r} in {[seen.text[:60] for seen in self.seen[-3:]]}")

    def buttons(self) -> list[str]:
        """The labels of the choices on the newest message that offers any."""
        return next((list(seen.buttons) for seen in reversed(self.seen) if seen.buttons), [])


@dataclass
class MemoryBot:
    """The bot's services around the memory channel, with the background work of a one-process bot."""

    database_url: str
    media_dir: Path
    transport: MemoryTransport = field(default_factory=MemoryTransport)
    other_channels: dict[str, MemoryTransport] = field(default_factory=dict)
    channel: MemoryChannel = field(default_factory=MemoryChannel)
    services: Services | None = None
    _background: Background | None = None
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> None:
        engine = create_engine(self.database_url)
        await migrate(engine)
        settings = Settings(database_url=self.database_url, media_dir=self.media_dir)
        router = await asyncio.to_thread(load_router, None)
        transactions = Transactions(engine)
        transport = self.transport
        if self.other_channels:  # each message goes out on its chat's channel
            transport = ChannelRouter({CHANNEL: self.transport, **self.other_channels},
                                      contacts.channel_lookup(transactions.sessions))
        self.services = build_services(settings, transactions, engine, router, transport,
                                       channel_answers=_always_answers, pacing=TEST_PACING)
        for each in (self.transport, *self.other_channels.values()):
            each.reads = self.services.sessions
        await self._seat_personas()
        self._background = await start_background(self.services)

    async def _seat_personas(self) -> None:
        """The sample staff and subscribers, each reached in a chat of this channel (their roles are their users')."""
        await grant_roles(self.services.engine, self.services.router.directory)
        async with self.services.transactions.begin() as session:
            for persona in PERSONAS:
                user = await session.get(User, persona.user_id) or \
                    await remember_user(session, None, persona.user_id, persona.first_name, None)
                await contacts.add_chat(session, user, CHANNEL, persona_address(persona))

    async def stop(self) -> None:
        await stop_background(self.services, self._background)
        await self.services.engine.dispose()

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def person(self, address: str, first_name: str, username: str | None = None,
               channel: str = CHANNEL) -> MemoryPerson:
        return MemoryPerson(self, address, first_name, username, self.other_channels.get(channel))

    async def handle(self, incoming: Incoming) -> None:
        """Run the update's turn as the inbox would (stored as handled once), fail loudly if the turn failed,
        then wait until what is due in the outbox has gone out."""
        handling = Handling(incoming.update_id)
        token = current_handling.set(handling)
        try:
            await handlers.handle(incoming, self.services, self.channel)
        finally:
            current_handling.reset(token)
        if handling.error is not None:
            raise AssertionError(f"the turn of {incoming.content!r} failed") from handling.error
        await self.settled()

    async def settled(self) -> None:
        """Wait until no message that is due waits in the outbox (a turn sends its own; others, the sender)."""
        deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT_SECONDS
        while True:
            due = exists().where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= utcnow())
            async with self.services.sessions() as session:
                if not await session.scalar(select(due)):
                    return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the outbox did not empty in time")
            await asyncio.sleep(0.02)


@dataclass
class MemoryStage:
    """The story's stage (tests.story.Stage) on the memory channel."""

    bot: MemoryBot
    _next_user_id: int = 7_000_001

    @property
    def engine(self):
        return self.bot.services.engine

    @property
    def router(self):
        return self.bot.services.router

    def citizen(self, first_name: str) -> MemoryPerson:
        self._next_user_id += 1
        return self.bot.person(f"citizen-{self._next_user_id}", first_name)

    def persona(self, persona: Persona) -> MemoryPerson:
        return self.bot.person(persona_address(persona), persona.first_name)


def persona_address(persona: Persona) -> str:
    return f"persona-{persona.user_id}"


async def _always_answers() -> None:
    """The health check's probe: memory is always there."""
