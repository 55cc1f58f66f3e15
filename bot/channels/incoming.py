"""What a person sent, whatever the messenger: who (a person on a channel, in a chat) and what (text, a command,
a choice tapped, a file by reference, a place, a contact, an edit, a block or unblock).

An adapter builds one ``Incoming`` per update it can read; the flows read nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.draft import AttachmentRef

TOO_LARGE = "too_large:"
UNAVAILABLE = "unavailable:"  # a file its channel no longer has, or never had (an unknown id)


@dataclass(frozen=True)
class Person:
    address: str  # the person's id on their channel (a Telegram user id, a phone number)
    name: str
    username: str | None = None


@dataclass(frozen=True)
class Chat:
    address: str  # the chat's id on its channel (bot.services.contacts gives it the schema's id)
    private: bool


@dataclass(frozen=True)
class Said:
    """Typed text; ``html`` keeps its formatting (bold, links) where the channel has any."""

    text: str
    html: str | None = None


@dataclass(frozen=True)
class CommandSent:
    name: str  # lower case, without the slash
    args: tuple[str, ...] = ()
    text: str = ""  # the whole message, as typed


@dataclass(frozen=True)
class Tapped:
    """A choice tapped: the data the choice was made with, on the message that carried it."""

    data: str
    message_id: int | None = None
    reference: str | None = None  # the channel's id of the tap, to acknowledge it


@dataclass(frozen=True)
class MediaSent:
    """A photo, video or document, by the channel's reference (never downloaded here)."""

    file: AttachmentRef
    caption: str | None = None
    caption_html: str | None = None
    album: str | None = None  # files sent together share it


@dataclass(frozen=True)
class PlaceSent:
    latitude: float
    longitude: float
    title: str | None = None  # a venue: its name and address
    address: str | None = None

    @property
    def venue_text(self) -> str | None:
        return ", ".join(part for part in (self.title, self.address) if part) or None


@dataclass(frozen=True)
class ContactSent:
    phone: str
    name: str | None = None


@dataclass(frozen=True)
class Edited:
    """An earlier message changed; ``moving`` when it is a live location moving on."""

    moving: bool = False


@dataclass(frozen=True)
class MembershipChanged:
    """The bot's place in the chat: ``active`` False when blocked (or removed from a group), True when back."""

    active: bool
    status: str


@dataclass(frozen=True)
class Unsupported:
    """Something the bot cannot use (a sticker, a voice note, a poll): answered politely. A file larger than its
    channel lets the bot receive is ``too_large:<kind>`` (photo, video, document); one the channel cannot hand over
    (its id unknown or expired) is ``unavailable:<kind>``."""

    kind: str

    @property
    def too_large(self) -> str | None:
        """The kind of file that was too large to receive, where that is why."""
        return self.kind.removeprefix(TOO_LARGE) if self.kind.startswith(TOO_LARGE) else None

    @property
    def unavailable(self) -> str | None:
        """The kind of file the channel could not hand over, where that is why."""
        return self.kind.removeprefix(UNAVAILABLE) if self.kind.startswith(UNAVAILABLE) else None


Content = Said | CommandSent | Tapped | MediaSent | PlaceSent | ContactSent | Edited | MembershipChanged | Unsupported


@dataclass(frozen=True)
class Incoming:
    update_id: int  # unique per channel: the inbox handles each once
    channel: str
    sender: Person
    chat: Chat
    content: Content

    @property
    def text(self) -> str | None:
        """What was written: typed text, or a file's caption."""
        match self.content:
            case Said(text):
                return text
            case MediaSent(caption=caption):
                return caption
        return None

    @property
    def typed(self) -> str | None:
        """Typed text only (no caption)."""
        return self.content.text if isinstance(self.content, Said) else None

    @property
    def media(self) -> MediaSent | None:
        return self.content if isinstance(self.content, MediaSent) else None

    @property
    def place(self) -> PlaceSent | None:
        return self.content if isinstance(self.content, PlaceSent) else None

    @property
    def tap(self) -> Tapped | None:
        return self.content if isinstance(self.content, Tapped) else None

    @property
    def command(self) -> CommandSent | None:
        return self.content if isinstance(self.content, CommandSent) else None

    @property
    def album(self) -> str | None:
        return self.content.album if isinstance(self.content, MediaSent) else None
